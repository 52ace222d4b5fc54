// The one backoff every retry loop of the run uses: the deletes, the endpoint
// check and the sweep's listing wait by retryDelay, and the first two try
// again through `retrying`.
import { setTimeout as delay } from 'node:timers/promises'

export interface Backoff {
  baseDelayMs: number
  maxDelayMs: number
  /** Longest Retry-After honoured; a server asking for more gets this. */
  maxRetryAfterMs: number
}

/**
 * Waits of about 0.25, 0.5, 1 and 2 s before attempts 2 to 5: a blip of 503s
 * costs a cleanup seconds, and a server that needs longer says so with Retry-After.
 */
export const DEFAULT_BACKOFF: Backoff = { baseDelayMs: 250, maxDelayMs: 20_000, maxRetryAfterMs: 60_000 }

/**
 * Milliseconds to wait before attempt `attempt + 1`. Retry-After wins when the
 * server sent one (capped); otherwise exponential backoff with equal jitter,
 * so clients that failed together do not retry together.
 */
export function retryDelay(attempt: number, retryAfterMs: number | null, random: () => number, backoff: Backoff): number {
  if (retryAfterMs !== null) return Math.min(retryAfterMs, backoff.maxRetryAfterMs)
  const ceiling = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** (attempt - 1))
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}

/** Retry-After as delay-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (value === undefined) return null
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return null
  return Math.max(0, date - now)
}

/** What one attempt came to: the end of the loop, or a failure worth another attempt after the wait it asks for. */
export type Tried<T, F> = { done: T } | { again: F; retryAfterMs: number | null }

export interface RetryPolicy {
  maxAttempts: number
  backoff: Backoff
  random: () => number
  /** Aborted when the waits between attempts must end: the loop's next attempt sees why. */
  signal: AbortSignal
}

/**
 * Makes attempt 1, 2, … until one is done or `maxAttempts` have failed, then
 * `giveUp` says what the last failure comes to. Between attempts it waits by
 * retryDelay, or less if `signal` aborts.
 */
export async function retrying<T, F>(
  attempt: (number: number) => Promise<Tried<T, F>>,
  policy: RetryPolicy,
  giveUp: (last: F, attempts: number) => T,
): Promise<T> {
  for (let number = 1; ; number++) {
    const tried = await attempt(number)
    if ('done' in tried) return tried.done
    if (number >= policy.maxAttempts) return giveUp(tried.again, number)
    const ms = retryDelay(number, tried.retryAfterMs, policy.random, policy.backoff)
    await delay(ms, undefined, { signal: policy.signal }).catch(() => undefined)
  }
}

/** `(gave up after 3 attempts)`: how a message says the attempts ran out. */
export function gaveUpAfter(attempts: number): string {
  return `(gave up after ${attempts} ${attempts === 1 ? 'attempt' : 'attempts'})`
}
