// What the listing says, in the run's dialect: each message names the page it
// was at and how many pull requests were listed before it stopped.
import type { Dialect } from '../inputs/dialect.ts'
import { formatDuration } from '../text/format.ts'
import type { ListingProgress } from './listing-progress.ts'

/** The failures GitHub's answers are judged to end with, which the dialect words where they concern the token. */
export type AnswerFailure = 'token-rejected' | 'permission-missing' | 'unexpected-answer'

export class ListingWords {
  /** `the pull requests of owner/repo`. */
  readonly where: string
  private readonly progress: ListingProgress
  private readonly api: URL
  private readonly dialect: Dialect

  constructor(progress: ListingProgress, repository: string, api: URL, dialect: Dialect) {
    this.progress = progress
    this.where = `the pull requests of ${repository}`
    this.api = api
    this.dialect = dialect
  }

  /** The token as messages name what is sent. */
  get tokenNamed(): string {
    return this.dialect.githubToken.sent
  }

  at(page = this.progress.page): string {
    return this.progress.pass > 1 ? `page ${page} of the listing again from the top` : `page ${page}`
  }

  /** How many pull requests went to the caller before the listing stopped: their versions are swept all the same. */
  listedSoFar(): string {
    const { size } = this.progress.listed
    if (size === 0) return ''
    return ` ${size} closed ${size === 1 ? 'pull request was' : 'pull requests were'} listed and swept before this; the rest were not listed.`
  }

  cancelled(when: string, page = this.progress.page): string {
    return `Cancelled ${when} for ${this.at(page)} of ${this.where}; no more pull requests were listed.`
  }

  tooManyPages(maxPages: number, perPage: number): string {
    return `GitHub's answers for ${this.where} went on for more than ${maxPages} pages (${maxPages * perPage} pull requests) without leaving the window; the listing stops rather than read without end. Sweep fewer days with ${this.dialect.key('closed-within-days')}.`
  }

  addsNothing(empty: boolean): string {
    return `GitHub's ${this.at()} of ${this.where} ${empty ? 'is empty' : 'lists no pull request the pages before it did not'}, yet links to a next page; the listing stops rather than read pages without end.${this.listedSoFar()}`
  }

  notAList(shown: string): string {
    return `GitHub's answer for ${this.at()} of ${this.where} is not a list of pull requests: ${shown || 'an empty body'}. Is GITHUB_API_URL (${this.api.href}) GitHub's REST API?`
  }

  nextOutside(shown: string): string {
    return `GitHub's answer for ${this.at()} of ${this.where} points the next page outside GITHUB_API_URL (${this.api.href}): ${shown}. The listing stops rather than send ${this.tokenNamed} there.${this.listedSoFar()}`
  }

  notSent(reason: string): string {
    return `The request for ${this.at()} of ${this.where} could not be made: ${reason}. The fault is on the action's side (GITHUB_API_URL, ${this.dialect.key('github-token')} or the runner's settings), not GitHub's, so it was not tried again.`
  }

  answerRefused(reason: string): string {
    return `GitHub's answer for ${this.at()} of ${this.where} was refused: ${reason}.${this.listedSoFar()}`
  }

  actionError(reason: string): string {
    return `Listing ${this.where} stopped at ${this.at()} on an error of the action's own: ${reason}.${this.listedSoFar()}`
  }

  failed(failure: AnswerFailure, detail: string): string {
    const refusal = { detail, where: this.where, page: this.at(), host: this.api.host, listed: this.listedSoFar() }
    const later = this.progress.page > 1 || this.progress.pass > 1
    const token = this.dialect.githubToken
    switch (failure) {
      case 'token-rejected':
        return later ? token.noLongerAccepted(refusal) : token.rejected(refusal)
      case 'permission-missing':
        return later ? token.refusedLater(refusal) : token.mayNotRead(refusal)
      case 'unexpected-answer':
        return `GitHub answered ${detail} when listing ${this.where} (${this.at()}). Is GITHUB_API_URL (${this.api.href}) GitHub's REST API?${this.listedSoFar()}`
    }
  }

  unavailable(attempts: number, detail: string): string {
    return `GitHub's API at ${this.api.href} failed ${this.at()} of ${this.where} ${attempts} times (${detail}). Try again later; the sweep reads GITHUB_API_URL for the API's address.${this.listedSoFar()}`
  }

  tryingAgain(detail: string, ms: number, attempts: number): string {
    return `GitHub failed ${this.at()} of ${this.where} (${detail}): trying again in ${formatDuration(ms)} (attempt ${this.progress.attempt + 1} of ${attempts}).`
  }

  waiting(detail: string, ms: number): string {
    return `GitHub's rate limit (${detail}): waiting ${formatDuration(ms)} before ${this.at()} of ${this.where}.`
  }

  rateLimitHeld(detail: string, waits: number): string {
    return this.rateLimited(`${this.dialect.githubToken.rateLimit(detail)} held for ${waits} waits before ${this.at()} of ${this.where}.`)
  }

  rateLimitTooLong(detail: string, ms: number, maxWaitMs: number): string {
    const left = maxWaitMs - this.progress.waitedMs
    return this.rateLimited(
      `${this.dialect.githubToken.rateLimit(detail)} asks for a wait of ${formatDuration(ms)} before ${this.at()} of ${this.where}, ` +
        `more than the ${formatDuration(left)} left of the ${formatDuration(maxWaitMs)} the sweep waits in all.`,
    )
  }

  private rateLimited(message: string): string {
    return `${message} Run the sweep later, or when fewer workflows share the token.${this.listedSoFar()}`
  }
}
