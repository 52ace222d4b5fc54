import { describe, expect, it } from 'vitest'
import type { Attempt } from '../../../src/deletion/post.ts'
import { judgeAttempt, mayHaveTakenEffect, type JudgeContext } from '../../../src/deletion/judgement.ts'

const NOW = Date.parse('2026-03-02T10:00:00Z')
const fresh: JudgeContext = { missingOk: true, afterRetryableFailure: false, now: NOW, generation: 'ml-v1' }

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

  it('counts 422 as invalid, listing each place and complaint of a FastAPI 422 body', () => {
    const body = JSON.stringify({
      detail: [
        { loc: ['body', 'manifest', 'version'], msg: 'Input should be a valid integer', type: 'int_parsing' },
        { loc: ['body', 'manifest', 'source', 0], msg: 'Field required', type: 'missing' },
      ],
    })
    expect(judgeAttempt(response(422, body), fresh)).toEqual({
      kind: 'invalid',
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

  it("counts the generic endpoint's 400 with its HttpError body as invalid, showing its message; any other 400 fails", () => {
    const generic = { ...fresh, generation: 'svc-v1' } as const
    const httpError = JSON.stringify({ statusCode: 400, message: 'manifest.source: Required', code: 'BAD_REQUEST' })
    expect(judgeAttempt(response(400, httpError), generic)).toEqual({
      kind: 'invalid',
      http_status: 400,
      message: 'the server refused the manifest (HTTP 400): manifest.source: Required',
    })
    expect(judgeAttempt(response(400, '<html>Bad Request</html>'), generic)).toEqual({
      kind: 'failed',
      http_status: 400,
      message: 'HTTP 400: <html>Bad Request</html>',
    })
    // A per-kind endpoint (FastAPI) refuses a manifest with 422: its 400 is not the server's verdict on the manifest.
    expect(judgeAttempt(response(400, httpError), fresh)).toMatchObject({ kind: 'failed', http_status: 400 })
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

describe('mayHaveTakenEffect', () => {
  const judge = (attempt: Attempt) => judgeAttempt(attempt, { missingOk: true, afterRetryableFailure: false, now: 0, generation: 'ml-v1' })
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
