// What GitHub's answers mean: an error judged as a rate limit to wait out, a
// failure to try again or one to stop at, following GitHub's "Best practices
// for using the REST API". Data in, data out.
import { parseRetryAfter } from '../deletion/backoff.ts'
import { excerpt } from '../text/excerpt.ts'
import type { Redact } from '../text/redact.ts'

/** x-ratelimit-reset as a decimal number of seconds, exponent allowed (1e20 says how long it asks for, not nothing). */
const EPOCH_SECONDS = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i
/** GitHub's rule for a rate limit that names no time: at least a minute, longer on each repeat. */
const HEADERLESS_RATE_LIMIT_MS = 60_000

/** What a failed request came back with: an HTTP answer, or none (status null). */
export interface GitHubAnswer {
  status: number | null
  headers: Record<string, string | undefined>
  /** GitHub's message, or why there was no answer. */
  message: string
}

export type GitHubVerdict =
  | { kind: 'wait'; ms: number; headerless: boolean; detail: string }
  | { kind: 'retry'; detail: string }
  | { kind: 'fail'; failure: 'token-rejected' | 'permission-missing' | 'unexpected-answer'; detail: string }

export interface GitHubJudgeContext {
  now: number
  /** Rate limits without a time answered in a row for this page: each doubles the wait. */
  headerlessWaits: number
}

/**
 * What to do after GitHub answered with an error, following GitHub's "Best
 * practices for using the REST API". A rate limit is a 429, or a 403
 * with retry-after, with x-ratelimit-remaining 0 (the primary limit) or with a
 * message that says it is one. It is waited out
 * for retry-after seconds when present; else until x-ratelimit-reset (epoch
 * seconds) when x-ratelimit-remaining is 0; else at least a minute, doubling on repeats.
 */
export function judgeGitHubAnswer(answer: GitHubAnswer, context: GitHubJudgeContext): GitHubVerdict {
  const { status, headers, message } = answer
  const detail = status === null ? message : `HTTP ${status}${message ? `: ${message}` : ''}`
  if (status === null) return { kind: 'retry', detail }
  const exhausted = headers['x-ratelimit-remaining']?.trim() === '0'
  const retryAfterMs = parseRetryAfter(headers['retry-after'], context.now)
  // GitHub answers a rate limit with 429, or with 403 and one of its signs; a 403 without them is a permission.
  if (status === 429 || (status === 403 && (retryAfterMs !== null || exhausted || /\brate limit\b/i.test(message)))) {
    if (retryAfterMs !== null)
      return { kind: 'wait', ms: retryAfterMs, headerless: false, detail: `${detail}; retry-after ${headers['retry-after']?.trim()}` }
    const resetText = headers['x-ratelimit-reset']?.trim() ?? ''
    // A decimal number only: Number() reads '' and blank space as 0 (a reset in 1970) and '0x10' as 16, times GitHub never named.
    const reset = EPOCH_SECONDS.test(resetText) ? Number(resetText) : Number.NaN
    if (exhausted && Number.isFinite(reset)) {
      // A second past the reset: GitHub says to wait until after it, and clocks differ.
      const ms = Math.max(0, reset * 1000 - context.now) + 1000
      const when = new Date(reset * 1000)
      return {
        kind: 'wait',
        ms,
        headerless: false,
        detail: `${detail}; resets at ${Number.isNaN(when.getTime()) ? `epoch second ${resetText}` : when.toISOString()}`,
      }
    }
    return { kind: 'wait', ms: HEADERLESS_RATE_LIMIT_MS * 2 ** context.headerlessWaits, headerless: true, detail }
  }
  if (status === 401) return { kind: 'fail', failure: 'token-rejected', detail }
  if (status === 403 || status === 404) return { kind: 'fail', failure: 'permission-missing', detail }
  if (status >= 500) return { kind: 'retry', detail }
  return { kind: 'fail', failure: 'unexpected-answer', detail }
}

/**
 * The error marked as plugin-throttling recognises a rate limit, so that it
 * calls waitOutRateLimit and tries again: it reads only x-ratelimit-remaining
 * 0 and a secondary limit's message, not GitHub's other signs (a 429 alone, a
 * 403 with retry-after), which would otherwise end the listing unexplained.
 */
export function asRateLimit(error: unknown): unknown {
  const headers = (error as { response?: { headers?: Record<string, string | undefined> } } | null)?.response?.headers
  if (headers) headers['x-ratelimit-remaining'] = '0'
  return error
}

/** An Octokit RequestError (status, response headers and data) as data. */
export function readFailure(error: unknown, redact: Redact): GitHubAnswer {
  const failure = error as {
    response?: { status?: unknown; headers?: Record<string, string | undefined>; data?: unknown }
    message?: unknown
  } | null
  const response = failure?.response
  if (response && typeof response.status === 'number')
    return { status: response.status, headers: response.headers ?? {}, message: bodyExcerpt(response.data, redact) }
  return { status: null, headers: {}, message: `no answer: ${typeof failure?.message === 'string' ? failure.message : String(error)}` }
}

/**
 * A body for a message, redacted here because it is cut here: cut first, a
 * token's escaped form would lose the end that makes it recognisable.
 */
export function bodyExcerpt(data: unknown, redact: Redact): string {
  return excerpt(redact(textOf(data)))
}

/** Octokit parses JSON with big integers as BigInt, which JSON.stringify refuses. */
function textOf(data: unknown): string {
  if (typeof data === 'string') return data
  return JSON.stringify(data, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value)) ?? ''
}
