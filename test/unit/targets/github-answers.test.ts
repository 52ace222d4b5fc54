import { describe, expect, test } from 'vitest'
import { asRateLimit, judgeGitHubAnswer, readFailure } from '../../../src/targets/github-answers.ts'
import { createRedactor } from '../../../src/text/redact.ts'
import { NOW, TOKEN } from './listing.ts'

describe('judgeGitHubAnswer', () => {
  const now = NOW.getTime()
  const judge = (status: number, headers: Record<string, string> = {}, message = '', headerlessWaits = 0) =>
    judgeGitHubAnswer({ status, headers, message }, { now, headerlessWaits })

  test('retry-after wins over x-ratelimit-reset', () => {
    expect(judge(403, { 'retry-after': '30', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 600) })).toMatchObject({
      kind: 'wait',
      ms: 30_000,
    })
  })

  test('a reset already past (clocks differ) waits a second', () => {
    expect(judge(429, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 - 5) })).toMatchObject({
      kind: 'wait',
      ms: 1000,
    })
  })

  test.each(['', ' ', '0x10', 'NaN', 'Infinity', 'soon', '1,5'])(
    'x-ratelimit-reset %j names no time: waited out as a rate limit without one, not as a reset in 1970',
    (reset) => {
      expect(judge(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }, 'API rate limit exceeded')).toEqual({
        kind: 'wait',
        ms: 60_000,
        headerless: true,
        detail: 'HTTP 403: API rate limit exceeded',
      })
    },
  )

  test('a rate limit with no time waits a minute, doubling on each repeat', () => {
    expect(judge(429, {}, 'You have exceeded a secondary rate limit.')).toMatchObject({ kind: 'wait', ms: 60_000, headerless: true })
    expect(judge(403, {}, 'You have exceeded a secondary rate limit.', 2)).toMatchObject({ kind: 'wait', ms: 240_000 })
  })

  test('a 403 without a rate limit sign is a missing permission, not a wait', () => {
    expect(judge(403, { 'x-ratelimit-remaining': '4999' }, 'Resource not accessible by integration')).toMatchObject({
      kind: 'fail',
      failure: 'permission-missing',
    })
  })

  test('other answers', () => {
    expect(judge(401)).toMatchObject({ kind: 'fail', failure: 'token-rejected' })
    // GitHub documents 429 as a rate limit, whatever else it says: waited out as one that names no time.
    expect(judge(429)).toMatchObject({ kind: 'wait', ms: 60_000, headerless: true })
    expect(judge(403, { 'retry-after': '5' })).toMatchObject({ kind: 'wait', ms: 5000 })
    expect(judge(403, { 'x-ratelimit-remaining': ' 0 ' }, '')).toMatchObject({ kind: 'wait', headerless: true })
    expect(judge(403, {}, 'API rate limit exceeded for user ID 1.')).toMatchObject({ kind: 'wait', headerless: true })
    expect(judge(422, {}, 'Validation Failed')).toMatchObject({
      kind: 'fail',
      failure: 'unexpected-answer',
      detail: 'HTTP 422: Validation Failed',
    })
    expect(judge(500)).toMatchObject({ kind: 'retry' })
    expect(judgeGitHubAnswer({ status: null, headers: {}, message: 'no answer: ECONNRESET' }, { now, headerlessWaits: 0 })).toMatchObject({
      kind: 'retry',
    })
  })
})

describe('readFailure', () => {
  const redact = createRedactor([TOKEN])

  test('an answer is its status, headers and an excerpt of its body, the token redacted before the cut', () => {
    const percent = [...TOKEN].map((char) => `%${char.charCodeAt(0).toString(16)}`).join('')
    const error = { response: { status: 403, headers: { 'retry-after': '5' }, data: { message: `${'x'.repeat(190)} ${percent}` } } }
    const answer = readFailure(error, redact)
    expect(answer).toMatchObject({ status: 403, headers: { 'retry-after': '5' } })
    expect(answer.message).toBe(`${'x'.repeat(190)} ***`)
  })

  test('a body with a number too big for a double (parsed as BigInt) is shown, not thrown on', () => {
    expect(readFailure({ response: { status: 422, data: { message: 'big', id: 12345678901234567890n } } }, redact).message).toBe('big')
    expect(readFailure({ response: { status: 500, data: [12345678901234567890n] } }, redact).message).toBe('["12345678901234567890"]')
  })

  test('no answer is status null, with what the request failed with', () => {
    expect(readFailure(new Error('socket hang up'), redact)).toEqual({ status: null, headers: {}, message: 'no answer: socket hang up' })
  })
})

describe('asRateLimit', () => {
  test('marks the answer as plugin-throttling recognises a rate limit, and leaves an error without one alone', () => {
    const error = { response: { headers: { 'retry-after': '30' } as Record<string, string> } }
    expect(asRateLimit(error)).toBe(error)
    expect(error.response.headers['x-ratelimit-remaining']).toBe('0')
    const bare = new Error('no answer')
    expect(asRateLimit(bare)).toBe(bare)
  })
})
