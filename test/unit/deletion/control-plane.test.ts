import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { createControlPlane, type ControlPlane, type ControlPlaneOptions } from '../../../src/deletion/control-plane.ts'
import type { Attempt } from '../../../src/deletion/post.ts'
import {
  hang,
  hugeBody,
  redirect,
  resetAfterHeaders,
  resetBeforeHeaders,
  respond,
  startFaultServer,
  trickle,
  type Fault,
  type FaultServer,
} from '../../../fakes/fault-server.ts'
import { createPrivateCa, type PrivateCa } from '../../../fakes/private-ca.ts'
import { MANIFEST_KINDS } from '../../../src/manifests/kinds.ts'
import { ARTIFACT_PATH, sampleBody, sampleManifest } from '../../support/sample-manifests.ts'
import { startStandIn } from '../../../fakes/stand-in-control-plane.ts'

const TOKEN = 'tfy-secret-4f1c9a7e-control-plane'
const cleanups: (() => unknown)[] = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function server(options: Parameters<typeof startFaultServer>[0] = {}): Promise<FaultServer> {
  const started = await startFaultServer({ token: TOKEN, ...options })
  cleanups.push(() => started.close())
  return started
}

function client(url: string, options: Partial<ControlPlaneOptions> = {}): ControlPlane {
  const controlPlane = createControlPlane({ url: new URL(url), token: TOKEN, timeoutMs: 2000, concurrency: 2, ...options })
  cleanups.push(() => controlPlane.close())
  return controlPlane
}

async function timed(promise: Promise<Attempt>): Promise<{ attempt: Attempt; ms: number }> {
  const started = performance.now()
  const attempt = await promise
  return { attempt, ms: performance.now() - started }
}

describe('createControlPlane', () => {
  test('POSTs the manifest with the bearer token and JSON headers', async () => {
    const stand = await server({ existing: ['previews/model-0@1'] })
    const attempt = await client(stand.url).deleteVersion(ARTIFACT_PATH, sampleBody(0))

    expect(attempt).toMatchObject({ kind: 'response', status: 200 })
    const [request] = stand.requests
    expect(request).toMatchObject({ method: 'POST', path: '/api/ml/v1/artifact-versions' })
    expect(request!.headers).toMatchObject({
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
      accept: 'application/json',
    })
    expect(JSON.parse(request!.body)).toEqual({ manifest: sampleManifest(0) })
  })

  test('sends a model version to the model-versions endpoint; the stand-in, like the API, refuses each kind at the other endpoint', async () => {
    const stand = await startStandIn({ token: TOKEN, existing: ['model-version:previews/churn@2', 'previews/churn@2'] })
    cleanups.push(() => stand.close())
    const controlPlane = client(stand.url)
    const MODEL_PATH = MANIFEST_KINDS['model-version'].endpoints['ml-v1']!
    const model = {
      name: 'churn',
      ml_repo: 'previews',
      version: 2,
      type: 'model-version',
      metadata: {},
      source: { type: 'local', file_or_folder: './m' },
    }
    const artifact = {
      name: 'churn',
      ml_repo: 'previews',
      version: 2,
      type: 'artifact-version',
      metadata: {},
      source: { type: 'truefoundry' },
    }
    const localArtifact = { ...artifact, type: undefined, source: { type: 'local', paths: [{ src: './m' }] } }
    const send = (path: string, manifest: object) => controlPlane.deleteVersion(path, JSON.stringify({ manifest }))

    expect(await send(ARTIFACT_PATH, model)).toMatchObject({ kind: 'response', status: 422 })
    expect(await send(MODEL_PATH, artifact)).toMatchObject({ kind: 'response', status: 422 })
    expect(await send(MODEL_PATH, localArtifact)).toMatchObject({ kind: 'response', status: 422 })
    expect(stand.existing).toEqual(new Set(['model-version:previews/churn@2', 'previews/churn@2']))
    expect(await send(MODEL_PATH, model)).toMatchObject({ kind: 'response', status: 200 })
    expect(stand.requests.at(-1)).toMatchObject({ method: 'POST', path: '/api/ml/v1/model-versions' })
    expect(stand.existing).toEqual(new Set(['previews/churn@2']))
    expect(await send(MODEL_PATH, model)).toMatchObject({ kind: 'response', status: 404 })
  })

  test('sends a manifest with text beyond ASCII whole: content-length counts bytes, not characters', async () => {
    const stand = await server({ faults: [respond(200, {})] })
    const manifest = { ...sampleManifest(0), description: 'Vorschau für PR #12 — 模型 🚀' }
    await client(stand.url).deleteVersion(ARTIFACT_PATH, JSON.stringify({ manifest }))
    const [request] = stand.requests
    expect(Number(request!.headers['content-length'])).toBe(Buffer.byteLength(request!.body))
    expect(JSON.parse(request!.body)).toEqual({ manifest })
  })

  test.each(['/tfy/control', '/tfy/control/'])('keeps a path prefix in control-plane-url (%s)', async (prefix) => {
    const stand = await server({ faults: [respond(200, {})] })
    await client(`${stand.url}${prefix}`).deleteVersion(ARTIFACT_PATH, sampleBody(0))
    expect(stand.requests[0]!.path).toBe('/tfy/control/api/ml/v1/artifact-versions')
  })

  test('the timeout covers a body that trickles in, not only the wait for headers', async () => {
    const stand = await server({ faults: [trickle(200, 1000, 20)] })
    const { attempt, ms } = await timed(client(stand.url, { timeoutMs: 300 }).deleteVersion(ARTIFACT_PATH, sampleBody(0)))
    expect(attempt).toEqual({ kind: 'error', reason: 'no complete response within 0.3 s (request-timeout)', cause: 'network', sent: true })
    expect(ms).toBeGreaterThanOrEqual(290)
    expect(ms).toBeLessThan(1000)
  })

  test('a server that never answers is given up on at the timeout', async () => {
    const stand = await server({ faults: [hang()] })
    const { attempt, ms } = await timed(client(stand.url, { timeoutMs: 250 }).deleteVersion(ARTIFACT_PATH, sampleBody(0)))
    expect(attempt).toMatchObject({ kind: 'error', reason: expect.stringContaining('request-timeout') })
    expect(ms).toBeLessThan(1000)
  })

  test('reads at most 64 KiB of a 50 MB body and drops the connection', async () => {
    const huge = hugeBody(500, 50 * 1024 * 1024)
    const stand = await server({ faults: [huge] })
    const { attempt, ms } = await timed(client(stand.url).deleteVersion(ARTIFACT_PATH, sampleBody(0)))

    expect(attempt).toMatchObject({ kind: 'response', status: 500 })
    expect(attempt.kind === 'response' && attempt.body.length).toBe(64 * 1024)
    expect(ms).toBeLessThan(1000)
    // The connection that carried it is dropped (undici may open a fresh, idle one in its place);
    // what left the server sits in socket buffers, a few MB at most, not the whole body.
    await expect.poll(() => stand.inFlight).toBe(0)
    expect(huge.written).toBeLessThan(16 * 1024 * 1024)
  })

  test('does not follow a redirect: the other server receives nothing', async () => {
    const elsewhere = await server()
    const stand = await server({ faults: [redirect(`${elsewhere.url}/api/ml/v1/artifact-versions`)] })
    const attempt = await client(stand.url).deleteVersion(ARTIFACT_PATH, sampleBody(0))

    expect(attempt).toMatchObject({ kind: 'response', status: 307, headers: { location: `${elsewhere.url}/api/ml/v1/artifact-versions` } })
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(elsewhere.requests).toHaveLength(0)
    expect(await elsewhere.openConnections()).toBe(0)
  })

  test('a JSON body without the token is passed on as it came', async () => {
    const body = '{ "detail" : "Service\\/gateway unavailable" }'
    const stand = await server({ faults: [respond(503, body)] })
    const attempt = await client(stand.url).deleteVersion(ARTIFACT_PATH, sampleBody(0))
    expect(attempt).toMatchObject({ kind: 'response', body })
  })

  test('passes a non-JSON body through as text', async () => {
    const stand = await server({ faults: [respond(502, '<html><body>Bad Gateway</body></html>', { 'content-type': 'text/html' })] })
    const attempt = await client(stand.url).deleteVersion(ARTIFACT_PATH, sampleBody(0))
    expect(attempt).toMatchObject({ kind: 'response', status: 502, body: '<html><body>Bad Gateway</body></html>' })
  })

  test('a connection dropped before the response is a network error', async () => {
    const stand = await server({ faults: [resetBeforeHeaders()] })
    const attempt = await client(stand.url).deleteVersion(ARTIFACT_PATH, sampleBody(0))
    expect(attempt).toEqual({
      kind: 'error',
      reason: 'the connection closed before the response was complete (UND_ERR_SOCKET)',
      cause: 'network',
      sent: true,
    })
  })

  test('a connection dropped in the middle of the body is a network error, not a response', async () => {
    const stand = await server({ faults: [resetAfterHeaders(200)] })
    const attempt = await client(stand.url).deleteVersion(ARTIFACT_PATH, sampleBody(0))
    expect(attempt).toMatchObject({
      kind: 'error',
      reason: expect.stringMatching(
        /^the connection (was reset \(ECONNRESET\)|closed before the response was complete \(UND_ERR_SOCKET\))$/,
      ),
      cause: 'network',
      sent: true,
    })
  })

  test('a refused connection says to check the URL', async () => {
    const stand = await server()
    const url = stand.url
    await stand.close()
    const attempt = await client(url).deleteVersion(ARTIFACT_PATH, sampleBody(0))
    expect(attempt).toEqual({
      kind: 'error',
      reason: 'the connection was refused (ECONNREFUSED): is control-plane-url right?',
      cause: 'network',
      sent: false,
    })
  })

  test('an abort cuts a request in flight short and says it may have taken effect', async () => {
    const stand = await server({ faults: [hang()] })
    const abort = new AbortController()
    setTimeout(() => abort.abort(), 100)
    const { attempt, ms } = await timed(client(stand.url).deleteVersion(ARTIFACT_PATH, sampleBody(0), abort.signal))
    expect(attempt).toEqual({
      kind: 'error',
      reason: 'cancelled while the request was in flight; the version may or may not be deleted',
      cause: 'cancelled',
      sent: true,
    })
    expect(ms).toBeLessThan(1000)
  })

  test('an already aborted signal sends nothing', async () => {
    const stand = await server()
    const attempt = await client(stand.url).deleteVersion(ARTIFACT_PATH, sampleBody(0), AbortSignal.abort())
    expect(attempt).toEqual({ kind: 'error', reason: 'cancelled before the request was sent', cause: 'cancelled', sent: false })
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(stand.requests).toHaveLength(0)
  })

  test('close() ends the pooled keep-alive connections', async () => {
    const stand = await server({ faults: [respond(200, {}), respond(200, {})] })
    const controlPlane = client(stand.url)
    await Promise.all([controlPlane.deleteVersion(ARTIFACT_PATH, sampleBody(0)), controlPlane.deleteVersion(ARTIFACT_PATH, sampleBody(1))])
    expect(await stand.openConnections()).toBe(2)
    controlPlane.close()
    await expect.poll(() => stand.openConnections()).toBe(0)
  })

  test('probeEndpoint POSTs {} to the path given, with the token, and the stand-in answers 422 as the control plane does', async () => {
    const stand = await server()
    const controlPlane = client(`${stand.url}/prefix`)
    const attempt = await controlPlane.probeEndpoint('api/ml/v1/model-versions')
    expect(attempt).toMatchObject({ kind: 'response', status: 404 })
    expect(await controlPlane.probeEndpoint('api/ml/v1/artifact-versions')).toMatchObject({ kind: 'response', status: 404 })
    expect(stand.probes.map((probe) => [probe.path, probe.body, probe.headers.authorization])).toEqual([
      ['/prefix/api/ml/v1/model-versions', '{}', `Bearer ${TOKEN}`],
      ['/prefix/api/ml/v1/artifact-versions', '{}', `Bearer ${TOKEN}`],
    ])
    expect(await client(stand.url).probeEndpoint('api/ml/v1/artifact-versions')).toMatchObject({ kind: 'response', status: 422 })
    expect(stand.requests).toHaveLength(0)
  })

  test('endpointUrl never carries the user-info of control-plane-url, and none is sent', async () => {
    const stand = await server({ faults: [respond(200, {})] })
    const controlPlane = client(stand.url.replace('http://', 'http://user:p%40ss@'))
    expect(controlPlane.endpointUrl('api/ml/v1/artifact-versions')).toBe(`${stand.url}/api/ml/v1/artifact-versions`)
    await controlPlane.deleteVersion(ARTIFACT_PATH, sampleBody(0))
    expect(stand.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`)
  })
})

describe('list and deleteById', () => {
  const LIST = 'api/ml/v1/artifact-versions'

  test('list GETs the path with the query and the token, and sends no body', async () => {
    const stand = await server({ versions: [{ ml_repo: 'demo', name: 'churn', versions: [{ version: 1 }] }] })
    const attempt = await client(`${stand.url}/prefix`).list(
      LIST,
      new URLSearchParams({ ml_repo_id: 'repo-1', name: 'churn v2', limit: '100' }),
    )
    expect(attempt).toMatchObject({ kind: 'response', status: 404 })
    const [request] = stand.requests
    expect(request).toMatchObject({
      method: 'GET',
      path: '/prefix/api/ml/v1/artifact-versions?ml_repo_id=repo-1&name=churn+v2&limit=100',
      body: '',
    })
    expect(request!.headers).toMatchObject({ authorization: `Bearer ${TOKEN}`, accept: 'application/json' })
    expect(request!.headers['content-type']).toBeUndefined()
    const page = await client(stand.url).list(LIST, new URLSearchParams({ ml_repo_id: 'repo-1', name: 'churn' }))
    expect(page.kind === 'response' && JSON.parse(page.body)).toMatchObject({
      data: [{ fqn: 'artifact:tenant/demo/churn:1' }],
      pagination: { total: 1 },
    })
  })

  test('deleteById DELETEs the path without a body; the stand-in answers 404 to an id it does not know', async () => {
    const stand = await server({ versions: [{ ml_repo: 'demo', name: 'churn', versions: [{ version: 1, id: 'v-1' }] }] })
    const controlPlane = client(stand.url)
    expect(await controlPlane.deleteById(`${LIST}/v-1`)).toMatchObject({ kind: 'response', status: 200, body: '{}' })
    expect(await controlPlane.deleteById(`${LIST}/v-1`)).toMatchObject({ kind: 'response', status: 404 })
    expect(stand.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['DELETE', '/api/ml/v1/artifact-versions/v-1', ''],
      ['DELETE', '/api/ml/v1/artifact-versions/v-1', ''],
    ])
  })

  test('a page is read whole up to 8 MiB, not cut at 64 KiB', async () => {
    const body = JSON.stringify({ data: [{ padding: 'p'.repeat(5 * 1024 * 1024) }], pagination: { total: 1 } })
    const stand = await server({ faults: [respond(200, body)] })
    const attempt = await client(stand.url).list(LIST, new URLSearchParams())
    expect(attempt.kind === 'response' && attempt.body.length).toBe(body.length)
  })

  test.each([
    ['announced by its Content-Length', hugeBody(200, 50 * 1024 * 1024)],
    ['sent in chunks without a length', chunked(9 * 1024 * 1024)],
  ])('a page past 8 MiB %s is an error attempt, and the rest is not read', async (_name, fault) => {
    const stand = await server({ faults: [fault] })
    const { attempt, ms } = await timed(client(stand.url).list(LIST, new URLSearchParams()))
    expect(attempt).toEqual({
      kind: 'error',
      cause: 'too-large',
      sent: true,
      reason: 'the answer is larger than 8.0 MiB, the most the action reads of one',
    })
    expect(ms).toBeLessThan(2000)
    await expect.poll(() => stand.inFlight).toBe(0)
  })

  test('a bodiless request that hangs times out as one that was sent: a DELETE may have reached the server', async () => {
    const stand = await server({ faults: [hang(), hang()] })
    const controlPlane = client(stand.url, { timeoutMs: 200 })
    expect(await controlPlane.deleteById(`${LIST}/v-1`)).toEqual({
      kind: 'error',
      cause: 'network',
      sent: true,
      reason: 'no complete response within 0.2 s (request-timeout)',
    })
    const abort = new AbortController()
    setTimeout(() => abort.abort(), 50)
    expect(await controlPlane.list(LIST, new URLSearchParams(), abort.signal)).toEqual({
      kind: 'error',
      cause: 'cancelled',
      sent: true,
      reason: 'cancelled while the request was in flight',
    })
  })

  test('a redirect of a listing is not followed', async () => {
    const elsewhere = await server()
    const stand = await server({ faults: [redirect(`${elsewhere.url}/${LIST}`, 302)] })
    expect(await client(stand.url).list(LIST, new URLSearchParams())).toMatchObject({ kind: 'response', status: 302 })
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(elsewhere.requests).toHaveLength(0)
  })
})

/** A 200 of `bytes` bytes in chunks, without a Content-Length. */
function chunked(bytes: number): Fault {
  return async (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' })
    const chunk = Buffer.alloc(256 * 1024, 'x')
    for (let sent = 0; sent < bytes && !response.destroyed; sent += chunk.length) {
      if (!response.write(chunk)) await new Promise((resolve) => response.once('drain', resolve).once('close', resolve))
    }
    response.end()
  }
}

// The one redaction the client does: a body is cut at 64 KiB, and a token the cut falls across would
// lose the end that makes it recognisable, so nothing downstream could take it out.
describe('redaction of a body of any size, the token at any offset', () => {
  const CAP = 64 * 1024
  const token = 'k3y/with+base64/chars=='
  const forms: [string, string][] = [
    ['raw', token],
    ['JSON \\/', token.replaceAll('/', '\\/')],
    ['JSON \\u', [...token].map((char) => `\\u${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`).join('')],
    ['percent-encoded', encodeURIComponent(token)],
    ['percent-encoded, lower case', encodeURIComponent(token).toLowerCase()],
  ]

  test.each(forms)('written %s, the token shows nowhere, whether it lies before, across or after the cut', async (_name, form) => {
    const offsets = [
      CAP - form.length - 1,
      CAP - form.length,
      ...Array.from({ length: form.length }, (_, i) => CAP - form.length + 1 + i),
      CAP + 5,
    ]
    const stand = await server({
      token,
      faults: (index) => {
        const body = `${'x'.repeat(offsets[index]!)}${form}${'y'.repeat(CAP)}`
        return respond(500, body)
      },
    })
    const controlPlane = client(stand.url, { token })
    for (const offset of offsets) {
      const attempt = await controlPlane.deleteVersion(ARTIFACT_PATH, sampleBody(0))
      const body = attempt.kind === 'response' ? attempt.body : ''
      expect(body.length, `offset ${offset}`).toBeLessThanOrEqual(CAP)
      // Whatever is kept of the body: x's, then *** when the whole form was read, then y's; never a piece of the form.
      expect(body, `offset ${offset}`).toMatch(/^x*(\*\*\*y*)?$/)
      if (offset + form.length <= CAP) expect(body).toContain('***')
    }
  })

  test('a body much larger than the cap with the token escaped before the cut is redacted and the rest not read', async () => {
    const huge = `{"detail": "${token.replaceAll('/', '\\/')}", "padding": "${'p'.repeat(5 * 1024 * 1024)}"}`
    const stand = await server({ token, faults: [respond(500, huge)] })
    const attempt = await client(stand.url, { token }).deleteVersion(ARTIFACT_PATH, sampleBody(0))
    expect(attempt.kind === 'response' && attempt.body.startsWith('{"detail": "***", "padding": "ppp')).toBe(true)
    expect(attempt.kind === 'response' && attempt.body.length).toBeLessThanOrEqual(CAP)
  })
})

describe('certificates', () => {
  let ca: PrivateCa
  beforeAll(async () => {
    ca = await createPrivateCa()
  }, 30_000)
  afterAll(() => ca.remove())

  const cases: [string, () => Promise<{ key: string; cert: string }>, RegExp][] = [
    [
      'signed by a CA the client does not trust',
      () => ca.serverCertificate(['IP:127.0.0.1', 'DNS:localhost']),
      /not trusted \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/,
    ],
    ['self-signed', () => ca.selfSigned(['IP:127.0.0.1', 'DNS:localhost']), /not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT/],
    [
      'expired',
      () => ca.serverCertificate(['IP:127.0.0.1'], { expired: true }),
      /(outside its validity dates \(CERT_HAS_EXPIRED|not trusted \(UNABLE_TO)/,
    ],
  ]

  test.each(cases)('a certificate %s fails the first attempt, says why and how to trust a private CA', async (_name, make, cause) => {
    const tls = await make()
    const stand = await server({ tls })
    const attempt = await client(stand.url).deleteVersion(ARTIFACT_PATH, sampleBody(0))
    expect(attempt).toMatchObject({ kind: 'error', cause: 'certificate', sent: false })
    expect(attempt.kind === 'error' && attempt.reason).toMatch(cause)
    expect(attempt.kind === 'error' && attempt.reason).toContain("trust it with NODE_EXTRA_CA_CERTS=/path/to/ca.pem in the step's env")
    expect(stand.requests).toHaveLength(0)
  })
})
