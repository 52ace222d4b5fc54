import { describe, expect, it } from 'vitest'
import { gaveUpAfter, parseRetryAfter, retrying, retryDelay, type Backoff, type Tried } from '../../../src/deletion/backoff.ts'

const NOW = Date.parse('2026-03-02T10:00:00Z')

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000)
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0)
  })

  it('reads an HTTP date, as the time left until it', () => {
    expect(parseRetryAfter(new Date(NOW + 30_000).toUTCString(), NOW)).toBe(30_000)
    expect(parseRetryAfter('Mon, 02 Mar 2026 09:59:00 GMT', NOW)).toBe(0)
  })

  it.each([undefined, '', 'soon', '-5', '1.5', 'Someday, 32 Foo 2026'])('ignores %j', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeNull()
  })
})

describe('retryDelay', () => {
  const backoff: Backoff = { baseDelayMs: 1000, maxDelayMs: 20_000, maxRetryAfterMs: 60_000 }
  const lowest = () => 0
  const highest = () => 1

  it('doubles with each attempt', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelay(attempt, null, highest, backoff))).toEqual([1000, 2000, 4000, 8000])
  })

  it('waits between half and all of the backoff, by the random draw', () => {
    expect(retryDelay(3, null, lowest, backoff)).toBe(2000)
    expect(retryDelay(3, null, () => 0.5, backoff)).toBe(3000)
    expect(retryDelay(3, null, highest, backoff)).toBe(4000)
  })

  it('never waits longer than maxDelayMs', () => {
    expect(retryDelay(6, null, highest, backoff)).toBe(20_000)
    expect(retryDelay(19, null, highest, backoff)).toBe(20_000)
    expect(retryDelay(19, null, lowest, backoff)).toBe(10_000)
  })

  it('waits as long as Retry-After asks, up to maxRetryAfterMs', () => {
    expect(retryDelay(1, 45_000, highest, backoff)).toBe(45_000)
    expect(retryDelay(5, 0, highest, backoff)).toBe(0)
    expect(retryDelay(1, 3_600_000, highest, backoff)).toBe(60_000)
  })
})

describe('retrying', () => {
  const policy = {
    maxAttempts: 3,
    backoff: { baseDelayMs: 40, maxDelayMs: 1000, maxRetryAfterMs: 1000 },
    random: () => 1,
    signal: new AbortController().signal,
  }
  const failing = (message: string): Tried<string, string> => ({ again: message, retryAfterMs: null })

  it('makes attempts until one is done, waiting the backoff between them', async () => {
    const at: number[] = []
    const result = await retrying(
      (attempt) => {
        at.push(performance.now())
        return Promise.resolve(attempt < 3 ? failing(`#${attempt}`) : { done: 'ok' })
      },
      policy,
      () => 'gave up',
    )
    expect(result).toBe('ok')
    // random 1 takes the whole ceiling: 40, then 80 ms.
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(40 - 5)
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(80 - 5)
  })

  it('after maxAttempts failures, says what the last comes to', async () => {
    const attempts: number[] = []
    const result = await retrying(
      (attempt) => {
        attempts.push(attempt)
        return Promise.resolve(failing(`#${attempt}`))
      },
      { ...policy, backoff: { ...policy.backoff, baseDelayMs: 1 } },
      (last, count) => `${last} ${gaveUpAfter(count)}`,
    )
    expect(attempts).toEqual([1, 2, 3])
    expect(result).toBe('#3 (gave up after 3 attempts)')
    expect(gaveUpAfter(1)).toBe('(gave up after 1 attempt)')
  })

  it('waits as long as Retry-After asks, and an aborted signal ends the wait', async () => {
    const stop = new AbortController()
    setTimeout(() => stop.abort(), 50)
    const started = performance.now()
    const result = await retrying(
      (attempt): Promise<Tried<string, string>> =>
        Promise.resolve(attempt === 1 ? { again: 'busy', retryAfterMs: 5000 } : { done: `attempt ${attempt}` }),
      { ...policy, signal: stop.signal },
      () => 'gave up',
    )
    expect(result).toBe('attempt 2')
    expect(performance.now() - started).toBeLessThan(1000)
  })
})
