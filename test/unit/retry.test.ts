import { describe, expect, it } from 'vitest'
import type { Attempt } from '../../src/deletion/control-plane.ts'
import {
  judgeAttempt,
  judgeEndpoint,
  mayHaveTakenEffect,
  parseRetryAfter,
  retryDelay,
  type Backoff,
  type EndpointContext,
  type JudgeContext,
} from '../../src/deletion/judgement.ts'

const NOW = Date.parse('2026-03-02T10:00:00Z')
const fresh: JudgeContext = { missingOk: true, afterRetryableFailure: false, now: NOW }

function response(status: number, body = '', headers: Record<string, string> = {}): Attempt {
  return { kind: 'response', status, headers, body }
}

describe('judgeAttempt', () => {
  it.each([200, 202, 204])('counts HTTP %i as deleted', (status) => {
    expect(judgeAttempt(response(status), fresh)).toEqual({ kind: 'deleted', http_status: status, message: 'deleted' })
  })

  it('counts 404 as already gone with missing-ok, and as failed without', () => {
    expect(judgeAttempt(response(404), fresh)).toEqual({ kind: 'not-found', message: 'not found (HTTP 404): already gone' })
    expect(judgeAttempt(response(404), { ...fresh, missingOk: false })).toEqual({
      kind: 'failed',
      http_status: 404,
      message: 'not found (HTTP 404), and missing-ok is false',
    })
  })

  it('counts 404 after a failed attempt as deleted by that attempt, whatever missing-ok says', () => {
    for (const missingOk of [true, false]) {
      expect(judgeAttempt(response(404), { ...fresh, missingOk, afterRetryableFailure: true })).toEqual({
        kind: 'deleted',
        http_status: 404,
        message: 'deleted: an earlier attempt that failed took effect (HTTP 404 on retry)',
      })
    }
  })

  it.each([401, 403])('says the token was rejected on HTTP %i, with what the server said and what to check', (status) => {
    const judgement = judgeAttempt(response(status, JSON.stringify({ detail: 'Invalid API key' })), fresh)
    expect(judgement).toMatchObject({ kind: 'token-rejected', http_status: status })
    expect(judgement.message).toBe(
      `the token was rejected (HTTP ${status}: Invalid API key); check the token input or TFY_API_KEY, and that it may delete artifact versions in this ML repo`,
    )
  })

  it('lists each place and complaint of a FastAPI 422 body', () => {
    const body = JSON.stringify({
      detail: [
        { loc: ['body', 'manifest', 'version'], msg: 'Input should be a valid integer', type: 'int_parsing' },
        { loc: ['body', 'manifest', 'source', 0], msg: 'Field required', type: 'missing' },
      ],
    })
    expect(judgeAttempt(response(422, body), fresh)).toEqual({
      kind: 'failed',
      http_status: 422,
      message:
        'the server refused the manifest (HTTP 422): body.manifest.version: Input should be a valid integer; body.manifest.source.0: Field required',
    })
  })

  it('shows a 422 body that is not FastAPI-shaped, or says there was none', () => {
    expect(judgeAttempt(response(422, JSON.stringify({ detail: 'version is locked' })), fresh).message).toBe(
      'the server refused the manifest (HTTP 422): version is locked',
    )
    expect(judgeAttempt(response(422), fresh).message).toBe('the server refused the manifest (HTTP 422): no detail given')
  })

  it('does not follow a redirect, naming where it led', () => {
    expect(judgeAttempt(response(301, '', { location: 'https://login.example.com/' }), fresh)).toEqual({
      kind: 'failed',
      http_status: 301,
      message:
        'redirected (HTTP 301) to https://login.example.com/; redirects are not followed, so the token goes only to control-plane-url: check the URL',
    })
    expect(judgeAttempt(response(307), fresh).message).toMatch(/^redirected \(HTTP 307\) without a Location;/)
  })

  it('fails on another status, with an excerpt of the body on one line', () => {
    expect(judgeAttempt(response(418, "I'm\n   a teapot"), fresh)).toEqual({
      kind: 'failed',
      http_status: 418,
      message: "HTTP 418: I'm a teapot",
    })
    const long = judgeAttempt(response(400, 'x'.repeat(500)), fresh).message
    expect(long).toBe(`HTTP 400: ${'x'.repeat(200)}…`)
    expect(judgeAttempt(response(400, JSON.stringify({ message: 'bad ml_repo' })), fresh).message).toBe('HTTP 400: bad ml_repo')
  })

  it.each([408, 429, 500, 502, 503, 504])('retries HTTP %i', (status) => {
    expect(judgeAttempt(response(status, 'busy'), fresh)).toMatchObject({
      kind: 'retryable',
      http_status: status,
      message: `HTTP ${status}: busy`,
      retryAfterMs: null,
    })
  })

  it('passes on how long the server asked to wait', () => {
    expect(judgeAttempt(response(503, '', { 'retry-after': '7' }), fresh)).toMatchObject({ kind: 'retryable', retryAfterMs: 7000 })
  })

  it.each([501, 505, 520])('does not retry HTTP %i', (status) => {
    expect(judgeAttempt(response(status), fresh)).toMatchObject({ kind: 'failed', http_status: status })
  })

  it('retries a network error, and not a cancelled request', () => {
    expect(judgeAttempt({ kind: 'error', cause: 'network', sent: false, reason: 'connect ECONNREFUSED 127.0.0.1:1' }, fresh)).toEqual({
      kind: 'retryable',
      http_status: null,
      message: 'connect ECONNREFUSED 127.0.0.1:1',
      retryAfterMs: null,
      mayHaveTakenEffect: false,
    })
    expect(judgeAttempt({ kind: 'error', cause: 'cancelled', sent: true, reason: 'cancelled' }, fresh)).toEqual({
      kind: 'failed',
      http_status: null,
      message: 'cancelled',
    })
  })

  it('fails at once on a certificate that is not trusted: a retry gets the same certificate', () => {
    const reason = 'the certificate of host:443 is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate)'
    expect(judgeAttempt({ kind: 'error', cause: 'certificate', sent: false, reason }, fresh)).toEqual({
      kind: 'failed',
      http_status: null,
      message: reason,
    })
  })
})

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

describe('mayHaveTakenEffect', () => {
  const judge = (attempt: Attempt) => judgeAttempt(attempt, { missingOk: true, afterRetryableFailure: false, now: 0 })
  it('says a request written without an answer, or a 5xx, may have deleted the version', () => {
    expect(mayHaveTakenEffect(judge({ kind: 'error', cause: 'network', sent: true, reason: 'reset' }))).toBe(true)
    for (const status of [500, 502, 503, 504]) {
      expect(mayHaveTakenEffect(judge({ kind: 'response', status, headers: {}, body: '' }))).toBe(true)
    }
  })

  it('says a request never written did not: refused, unresolved, or timed out while connecting', () => {
    expect(mayHaveTakenEffect(judge({ kind: 'error', cause: 'network', sent: false, reason: 'refused' }))).toBe(false)
  })

  it('says a 408 or 429 did not: the server did not process the request', () => {
    for (const status of [408, 429]) {
      expect(mayHaveTakenEffect(judge({ kind: 'response', status, headers: {}, body: '' }))).toBe(false)
    }
  })

  it('a 404 after attempts that never arrived is not found, not deleted', () => {
    // What deletions.ts passes on: afterRetryableFailure only when an earlier attempt may have taken effect.
    const earlier = judge({ kind: 'error', cause: 'network', sent: false, reason: 'refused' })
    expect(judgeAttempt(response(404), { ...fresh, afterRetryableFailure: mayHaveTakenEffect(earlier) })).toMatchObject({
      kind: 'not-found',
    })
  })
})

describe('judgeEndpoint', () => {
  const context: EndpointContext = { url: 'https://tfy.example/api/ml/v1/artifact-versions', path: 'api/ml/v1/artifact-versions', now: NOW }
  const FIX = "Check control-plane-url (or TFY_HOST): it is the control plane's base URL, such as https://your-org.truefoundry.cloud"

  it('a 422 to a request without a manifest: the endpoint is served, whatever the body', () => {
    expect(
      judgeEndpoint(response(422, JSON.stringify({ detail: [{ loc: ['body', 'manifest'], msg: 'Field required' }] })), context),
    ).toEqual({ kind: 'served' })
    expect(judgeEndpoint(response(422), context)).toEqual({ kind: 'served' })
  })

  it.each([
    [404, '{"detail":"Not Found"}', 'was answered HTTP 404: Not Found'],
    [405, '{"detail":"Method Not Allowed"}', 'was answered HTTP 405: Method Not Allowed'],
    [200, '<html>app</html>', 'was answered HTTP 200: <html>app</html>'],
    [400, '', 'was answered HTTP 400'],
  ])('HTTP %i: not served, naming the URL tried and what to check', (status, body, answer) => {
    expect(judgeEndpoint(response(status, body), context)).toEqual({
      kind: 'refused',
      message: `https://tfy.example/api/ml/v1/artifact-versions does not serve the artifact-versions endpoint: a POST without a manifest ${answer}, where the endpoint answers 422; nothing was deleted. ${FIX}`,
    })
  })

  it('a redirect is not followed, and says where it led', () => {
    const judgement = judgeEndpoint(response(302, '', { location: 'https://login.example/' }), context)
    expect(judgement).toMatchObject({ kind: 'refused' })
    expect(judgement.kind === 'refused' && judgement.message).toContain(
      'was redirected (HTTP 302) to https://login.example/, which is not followed',
    )
  })

  it('control-plane-url holding the whole endpoint URL: says which base URL it likely meant', () => {
    const doubled = { ...context, url: 'https://tfy.example/api/ml/v1/artifact-versions/api/ml/v1/artifact-versions' }
    const judgement = judgeEndpoint(response(404, '{"detail":"Not Found"}'), doubled)
    expect(judgement.kind === 'refused' && judgement.message).toMatch(
      /^https:\/\/tfy\.example\/api\/ml\/v1\/artifact-versions\/api\/ml\/v1\/artifact-versions does not serve/,
    )
    expect(judgement.kind === 'refused' && judgement.message).toContain(`${FIX}, not a URL of the API: here likely https://tfy.example`)
  })

  it.each([401, 403])('HTTP %i: the token was rejected, before any delete', (status) => {
    expect(judgeEndpoint(response(status, '{"detail":"Invalid API key"}'), context)).toEqual({
      kind: 'refused',
      message: `the token was rejected by https://tfy.example/api/ml/v1/artifact-versions (HTTP ${status}: Invalid API key); nothing was deleted. Check the token input or TFY_API_KEY`,
    })
  })

  it('retries what deletes retry: no answer, 408, 429 and 5xx, with the Retry-After asked', () => {
    expect(judgeEndpoint({ kind: 'error', cause: 'network', sent: false, reason: 'refused' }, context)).toEqual({
      kind: 'retryable',
      message: 'refused',
      retryAfterMs: null,
    })
    expect(judgeEndpoint(response(503, 'busy', { 'retry-after': '2' }), context)).toEqual({
      kind: 'retryable',
      message: 'HTTP 503: busy',
      retryAfterMs: 2000,
    })
    expect(judgeEndpoint(response(429), context)).toMatchObject({ kind: 'retryable' })
  })

  it('refuses at once on a certificate that is not trusted, or when cancelled', () => {
    expect(judgeEndpoint({ kind: 'error', cause: 'certificate', sent: false, reason: 'not trusted' }, context)).toEqual({
      kind: 'refused',
      message: 'not trusted (checking https://tfy.example/api/ml/v1/artifact-versions)',
    })
    expect(judgeEndpoint({ kind: 'error', cause: 'cancelled', sent: false, reason: 'cancelled' }, context)).toMatchObject({
      kind: 'refused',
    })
  })
})
