import { describe, expect, it } from 'vitest'
import type { Attempt } from '../../../src/deletion/post.ts'
import { judgeEndpoint, type EndpointContext } from '../../../src/deletion/endpoint-check.ts'

const NOW = Date.parse('2026-03-02T10:00:00Z')

function response(status: number, body = '', headers: Record<string, string> = {}): Attempt {
  return { kind: 'response', status, headers, body }
}

describe('judgeEndpoint', () => {
  const context: EndpointContext = {
    url: 'https://tfy.example/api/ml/v1/artifact-versions',
    path: 'api/ml/v1/artifact-versions',
    generation: 'ml-v1',
    now: NOW,
  }
  const generic: EndpointContext = {
    url: 'https://tfy.example/api/svc/v1/delete',
    path: 'api/svc/v1/delete',
    generation: 'svc-v1',
    now: NOW,
  }
  const FIX = "Check control-plane-url (or TFY_HOST): it is the control plane's base URL, such as https://your-org.truefoundry.cloud"

  it('a 422 to a request without a manifest: the endpoint is served, whatever the body', () => {
    expect(
      judgeEndpoint(response(422, JSON.stringify({ detail: [{ loc: ['body', 'manifest'], msg: 'Field required' }] })), context),
    ).toEqual({ kind: 'served' })
    expect(judgeEndpoint(response(422), context)).toEqual({ kind: 'served' })
  })

  it.each([
    [404, '{"detail":"Not Found"}', 'was answered HTTP 404: Not Found', 'not-served'],
    [405, '{"detail":"Method Not Allowed"}', 'was answered HTTP 405: Method Not Allowed', 'not-served'],
    [200, '<html>app</html>', 'was answered HTTP 200: <html>app</html>', 'refused'],
    [400, '', 'was answered HTTP 400', 'refused'],
    [400, '{"statusCode":400,"message":"manifest should not be empty"}', 'was answered HTTP 400: manifest should not be empty', 'refused'],
  ])(
    'HTTP %i: not served, naming the URL tried and what to check; only a 404 or 405 lets another generation be asked',
    (status, body, answer, kind) => {
      const message = `https://tfy.example/api/ml/v1/artifact-versions does not serve the artifact-versions endpoint: a POST without a manifest ${answer}, where the endpoint answers 422; nothing was deleted. ${FIX}`
      expect(judgeEndpoint(response(status, body), context)).toEqual(kind === 'refused' ? { kind, message } : { kind, message, answer })
    },
  )

  describe('the generic endpoint (api/svc/v1/delete)', () => {
    it("is served where it answers 422, or 400 with the svc server's HttpError body, as its reference and Prism mock do", () => {
      expect(judgeEndpoint(response(422, '{"detail":[]}'), generic)).toEqual({ kind: 'served' })
      // Prism's mock of the reference, asked POST {}: HTTP 400 {"statusCode":0,"message":"string","code":0,"details":[{}]}.
      expect(judgeEndpoint(response(400, '{"statusCode":0,"message":"string","code":0,"details":[{}]}'), generic)).toEqual({
        kind: 'served',
      })
    })

    it("is not taken as served on a 400 that is not a JSON object (a proxy's page), a 200 or a redirect", () => {
      for (const attempt of [response(400, '<html>Bad Request</html>'), response(400, '[]'), response(200, '{}'), response(307)]) {
        expect(judgeEndpoint(attempt, generic)).toMatchObject({ kind: 'refused' })
      }
    })

    it('a 404 or 405 is not served, saying what a served one answers', () => {
      expect(judgeEndpoint(response(404, '{"detail":"Not Found"}'), generic)).toEqual({
        kind: 'not-served',
        answer: 'was answered HTTP 404: Not Found',
        message: `https://tfy.example/api/svc/v1/delete does not serve the delete endpoint: a POST without a manifest was answered HTTP 404: Not Found, where the endpoint answers 400 or 422; nothing was deleted. ${FIX}`,
      })
      expect(judgeEndpoint(response(405), generic)).toMatchObject({ kind: 'not-served' })
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
    expect(judgement.kind === 'not-served' && judgement.message).toMatch(
      /^https:\/\/tfy\.example\/api\/ml\/v1\/artifact-versions\/api\/ml\/v1\/artifact-versions does not serve/,
    )
    expect(judgement.kind === 'not-served' && judgement.message).toContain(`${FIX}, not a URL of the API: here likely https://tfy.example`)
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
