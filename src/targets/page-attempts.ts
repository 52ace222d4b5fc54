// What each attempt at a page comes to, as Octokit's hook and plugins see it:
// the page checked, or the failure judged and then tried again (plugin-retry),
// waited out (plugin-throttling) or made the listing's error (a Stop, which
// neither plugin tries again). The waits are here, cancellable, bounded and logged.
import { DEFAULT_BACKOFF, retryDelay } from '../deletion/backoff.ts'
import type { Redact } from '../text/redact.ts'
import { FetchFailure } from './fetch-failure.ts'
import { asRateLimit, judgeGitHubAnswer, readFailure, type GitHubAnswer } from './github-answers.ts'
import { GitHubListingError, Stop } from './listing-error.ts'
import type { ListingProgress } from './listing-progress.ts'
import type { ListingWords } from './listing-words.ts'
import { checkedPage, type OctokitResponse } from './page-check.ts'

/** Longest time the listing spends waiting out rate limits in all; a wait beyond it fails at once. */
const MAX_WAIT_MS = 15 * 60_000
/** Rate limits answered for one page before giving up, however short they are (a retry-after of 0 would loop). */
const MAX_RATE_LIMIT_WAITS = 10

export interface PageAttemptsOptions {
  progress: ListingProgress
  words: ListingWords
  /** GITHUB_API_URL, its path ending in `/`. */
  api: URL
  /** The GitHub token's redactor, for the excerpts of bodies cut here. */
  redact: Redact
  signal: AbortSignal
  maxAttempts: number
  log: (message: string) => void
  /** Rejects when the signal aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>
  clock: () => number
  random: () => number
}

export class PageAttempts {
  private readonly options: PageAttemptsOptions
  /** The rate limit the last attempt was answered with, for plugin-throttling's hook to wait out. */
  private rateLimit: { ms: number; headerless: boolean; detail: string } | null = null
  /** Why plugin-throttling was told not to try again: the listing's error. */
  private held: GitHubListingError | null = null

  constructor(options: PageAttemptsOptions) {
    this.options = options
  }

  begin(): void {
    this.options.progress.attempt++
  }

  checked<Response extends OctokitResponse>(response: Response): Response {
    const { api, words, redact } = this.options
    return checkedPage(response, api, words, redact)
  }

  /** What to throw for a failed attempt: a Stop, or the error itself for a plugin to try again (after the wait, done here). */
  async failed(error: unknown): Promise<unknown> {
    const { progress, words, signal, maxAttempts } = this.options
    const cause = (error as { cause?: unknown } | null)?.cause
    const failure = cause instanceof FetchFailure ? cause : null
    if (signal.aborted || failure?.kind === 'cancelled') return stop(words.cancelled('while a request was in flight'))
    if (failure?.kind === 'local') return stop(words.notSent(failure.message))
    if (failure?.kind === 'refused') return stop(words.answerRefused(failure.message))
    const answer: GitHubAnswer = failure ? { status: null, headers: {}, message: failure.message } : readFailure(error, this.options.redact)
    const verdict = judgeGitHubAnswer(answer, { now: this.options.clock(), headerlessWaits: progress.headerlessWaits })
    if (verdict.kind === 'fail') return stop(words.failed(verdict.failure, verdict.detail))
    if (verdict.kind === 'wait') {
      this.rateLimit = { ms: verdict.ms, headerless: verdict.headerless, detail: verdict.detail }
      return asRateLimit(error)
    }
    if (progress.attempt >= maxAttempts) return stop(words.unavailable(maxAttempts, verdict.detail))
    const ms = retryDelay(progress.attempt, null, this.options.random, DEFAULT_BACKOFF)
    this.options.log(words.tryingAgain(verdict.detail, ms, maxAttempts))
    try {
      await this.pause(ms, 'while waiting to try again')
    } catch (stopped) {
      return stopped
    }
    return error
  }

  /** plugin-throttling's hook for both kinds of rate limit: its own wait would truncate x-ratelimit-reset to 32 bits, and could not be cancelled. */
  async waitOutRateLimit(): Promise<boolean> {
    const { progress, words } = this.options
    const limit = this.rateLimit
    this.rateLimit = null
    if (limit === null) return false
    if (++progress.rateLimitWaits > MAX_RATE_LIMIT_WAITS) {
      this.held = new GitHubListingError(words.rateLimitHeld(limit.detail, MAX_RATE_LIMIT_WAITS))
      return false
    }
    if (progress.waitedMs + limit.ms > MAX_WAIT_MS) {
      this.held = new GitHubListingError(words.rateLimitTooLong(limit.detail, limit.ms, MAX_WAIT_MS))
      return false
    }
    if (limit.headerless) progress.headerlessWaits++
    progress.waitedMs += limit.ms
    this.options.log(words.waiting(limit.detail, limit.ms))
    try {
      await this.pause(limit.ms, "while waiting out GitHub's rate limit")
    } catch (stopped) {
      if (!(stopped instanceof Stop)) throw stopped
      this.held = stopped.failure
      return false
    }
    progress.attempt = 0
    return true
  }

  /** The listing's error for what the page iterator threw. */
  stoppedBy(error: unknown): Error {
    const held = this.held
    this.held = null
    if (held) return held
    if (error instanceof Stop) return error.failure
    if (error instanceof GitHubListingError) return error
    return new GitHubListingError(this.options.words.actionError(error instanceof Error ? error.message : String(error)))
  }

  private async pause(ms: number, when: string): Promise<void> {
    const { signal } = this.options
    try {
      await this.options.sleep(ms, signal)
    } catch (error) {
      if (signal.aborted) throw stop(this.options.words.cancelled(when))
      throw error
    }
  }
}

function stop(message: string): Stop {
  return new Stop(new GitHubListingError(message))
}
