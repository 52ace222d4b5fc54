/** Where the listing is and what it has listed: the state its passes, its hooks and its messages share. */
export class ListingProgress {
  /** 1 for the pass that reads down to the window's start, then each pass again from the top. */
  pass = 1
  page = 0
  /** Attempts at this page, tries again after a failure or a rate limit included. */
  attempt = 0
  /** Rate limits waited out for this page. */
  rateLimitWaits = 0
  /** Rate limits without a time answered in a row for this page: each doubles the wait. */
  headerlessWaits = 0
  /** Pages asked for, the passes together. */
  pagesRead = 0
  /** Time spent waiting out rate limits, the passes together. */
  waitedMs = 0
  // Numbers and short keys only, so these grow by a few bytes a pull request.
  /** Pull requests gone to the caller. */
  readonly listed = new Set<number>()
  /** Pull requests refused, so each is warned of once however many passes list it. */
  readonly refused = new Set<string>()

  startPage(page: number): void {
    this.page = page
    this.attempt = 0
    this.rateLimitWaits = 0
    this.headerlessWaits = 0
  }
}
