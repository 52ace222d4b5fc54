// One pass of the listing: from the top, a page at a time, down to the first
// pull request updated before the pass's floor; each page's pull requests
// closed within the window, listed once however many passes see them.
import type { Redact } from '../text/redact.ts'
import { GitHubListingError } from './listing-error.ts'
import type { ListingProgress } from './listing-progress.ts'
import type { ListingWords } from './listing-words.ts'
import type { PageAttempts } from './page-attempts.ts'
import { checkItem, closedPullRequest, refusal, type ClosedPullRequest, type PullRequestItem } from './pull-request-items.ts'

export const PER_PAGE = 100

/** What every pass of one listing shares. */
export interface Passes {
  progress: ListingProgress
  words: ListingWords
  attempts: PageAttempts
  signal: AbortSignal
  /** When the listing began: a pull request closed after it is refused. */
  startedAt: number
  /** The start of the window: a pull request closed before it is not listed. */
  windowStart: number
  maxPages: number
  /** The GitHub token's redactor, for the values of GitHub's cut short in a warning. */
  redact: Redact
  /** One line per pull request refused. */
  warn: (message: string) => void
  /** `owner/repo`. */
  repository: string
}

type Pages = AsyncIterator<{ data: unknown; headers: { link?: string } }>

export async function* readPass(pages: Pages, floor: number, passes: Passes): AsyncGenerator<ClosedPullRequest[]> {
  const { progress, words, attempts, signal, maxPages } = passes
  const seen = new Set<number>()
  for (let page = 1; ; page++) {
    if (signal.aborted) throw new GitHubListingError(words.cancelled('before asking GitHub', page))
    if (++progress.pagesRead > maxPages) throw new GitHubListingError(words.tooManyPages(maxPages, PER_PAGE))
    progress.startPage(page)
    let next: IteratorResult<{ data: unknown; headers: { link?: string } }>
    try {
      next = await pages.next()
    } catch (error) {
      throw attempts.stoppedBy(error)
    }
    if (next.done) return
    const items = next.value.data as PullRequestItem[]
    // Only these few fields live on while the caller works through them: GitHub's list items come to megabytes a page.
    const inWindow: ClosedPullRequest[] = []
    let ended = false
    let fresh = false
    for (const item of items) {
      const verdict = checkItem(item, floor, passes.startedAt, passes.redact)
      if (verdict.kind === 'refused') {
        refuse(item, verdict.reason, passes)
        continue
      }
      if (verdict.kind === 'older') {
        ended = true
        break
      }
      const { number, closedAt } = verdict
      if (!seen.has(number)) fresh = seen.add(number).size > 0
      if (closedAt === null || Date.parse(closedAt) < passes.windowStart || progress.listed.has(number)) continue
      progress.listed.add(number)
      inWindow.push(closedPullRequest(item, number, closedAt))
    }
    yield inWindow
    if (ended || next.value.headers.link === undefined) return
    if (!fresh) throw new GitHubListingError(words.addsNothing(items.length === 0))
  }
}

function refuse(item: PullRequestItem, reason: string, passes: Passes): void {
  const { key, warning } = refusal(item, reason, passes.repository, passes.redact)
  if (passes.progress.refused.has(key)) return
  passes.progress.refused.add(key)
  passes.warn(warning)
}
