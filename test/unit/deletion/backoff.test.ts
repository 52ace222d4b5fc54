import { describe, expect, it } from 'vitest'
import { parseRetryAfter, retryDelay, type Backoff } from '../../../src/deletion/backoff.ts'

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
