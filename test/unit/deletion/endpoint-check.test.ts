import { describe, expect, it } from 'vitest'
import type { Attempt } from '../../../src/deletion/post.ts'
import { judgeEndpoint, type EndpointContext } from '../../../src/deletion/endpoint-check.ts'

const NOW = Date.parse('2026-03-02T10:00:00Z')

function response(status: number, body = '', headers: Record<string, string> = {}): Attempt {
  return { kind: 'response', status, headers, body }
}

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
