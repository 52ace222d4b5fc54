import { afterEach, describe, expect, test } from 'vitest'
import { createControlPlane } from '../../../src/deletion/control-plane.ts'
import type { Api } from '../../../src/deletion/discovery.ts'
import { discoverListing } from '../../../src/retention/generation-discovery.ts'
import type { ListingPolicy } from '../../../src/retention/pages.ts'
import { respond, startFaultServer, type FaultServer, type FaultServerOptions } from '../../../fakes/fault-server.ts'

const TOKEN = 'tfy-secret-71aa-discovery'
const cleanups: (() => unknown)[] = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function server(options: FaultServerOptions = {}): Promise<FaultServer> {
  const started = await startFaultServer({ token: TOKEN, repos: [{ name: 'demo-previews' }], ...options })
  cleanups.push(() => started.close())
  return started
}

const policy = (signal = new AbortController().signal): ListingPolicy => ({
  maxAttempts: 2,
  backoff: { baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 10 },
  random: () => 0.5,
  signal,
  abortInFlight: new AbortController().signal,
  now: Date.now,
})

async function discover(stand: FaultServer, api: Api, signal?: AbortSignal) {
  const controlPlane = createControlPlane({ url: new URL(stand.url), token: TOKEN, timeoutMs: 2000, concurrency: 1 })
  cleanups.push(() => controlPlane.close())
  return discoverListing(controlPlane, api, 'demo-previews', policy(signal))
}

const paths = (stand: FaultServer) => stand.requests.map((r) => `${r.method} ${r.path}`)

describe('discoverListing', () => {
  test.each<['ml-v1' | 'svc-v1' | 'both', Api, string, string[]]>([
    ['ml-v1', 'auto', 'ml-v1', ['GET /api/ml/v1/ml-repos?name=demo-previews&limit=1&offset=0']],
    ['both', 'auto', 'ml-v1', ['GET /api/ml/v1/ml-repos?name=demo-previews&limit=1&offset=0']],
    [
      'svc-v1',
      'auto',
      'svc-v1',
      ['GET /api/ml/v1/ml-repos?name=demo-previews&limit=1&offset=0', 'GET /api/svc/v1/ml-repos?name=demo-previews&limit=1&offset=0'],
    ],
    ['both', 'svc-v1', 'svc-v1', ['GET /api/svc/v1/ml-repos?name=demo-previews&limit=1&offset=0']],
  ])('a server serving %s, api %s: lists on %s', async (serves, api, generation, asked) => {
    const stand = await server({ serves })
    expect(await discover(stand, api)).toEqual({ generation })
    expect(paths(stand)).toEqual(asked)
  })

  test('neither generation served: refused, naming both URLs, control-plane-url or TFY_HOST, and api', async () => {
    const stand = await server({ faults: () => respond(404, { detail: 'Not Found' }) })
    const answer = await discover(stand, 'auto')
    expect(answer).toEqual({
      refused:
        `Neither ${stand.url}/api/ml/v1/ml-repos nor ${stand.url}/api/svc/v1/ml-repos lists ML repos (the first answered HTTP 404: Not Found, the second HTTP 404: Not Found); nothing was listed or deleted. ` +
        "Check control-plane-url (or TFY_HOST): it is the control plane's base URL, such as https://your-org.truefoundry.cloud. The api setting is auto, which asks both generations (ml-v1 or svc-v1 asks only one)",
    })
  })

  test('a pinned api asks only its own generation, and a 405 there refuses', async () => {
    const stand = await server({ serves: 'svc-v1', faults: [respond(405, { detail: 'Method Not Allowed' })] })
    const answer = await discover(stand, 'ml-v1')
    expect(answer).toEqual({
      refused: expect.stringMatching(
        /^http:\S+\/api\/ml\/v1\/ml-repos does not list ML repos \(it answered HTTP 405: Method Not Allowed\); nothing was listed or deleted\. Check control-plane-url \(or TFY_HOST\).*The api setting is ml-v1, which asks only this generation \(auto asks both\)$/,
      ),
    })
    expect(stand.requests).toHaveLength(1)
  })

  test('a rejected token on the first generation refuses at once, without the token, asking no other', async () => {
    const stand = await server({ faults: [respond(403, `forbidden: ${TOKEN}`)] })
    const answer = await discover(stand, 'auto')
    expect(answer).toEqual({ refused: expect.stringContaining('the token was rejected (HTTP 403: forbidden: ***)') })
    expect(JSON.stringify(answer)).not.toContain(TOKEN)
    expect(stand.requests).toHaveLength(1)
  })

  test('a 200 that is not a list refuses rather than guess', async () => {
    const stand = await server({ faults: [respond(200, '<html>app</html>')] })
    expect(await discover(stand, 'auto')).toEqual({
      refused: expect.stringContaining('is not a list with data and pagination.total: <html>app</html>'),
    })
  })

  test('a 503 is tried again; a cancelled run asks nothing', async () => {
    const stand = await server({ faults: [respond(503, 'busy')] })
    expect(await discover(stand, 'auto')).toEqual({ generation: 'ml-v1' })
    expect(stand.requests).toHaveLength(2)
    expect(await discover(stand, 'auto', AbortSignal.abort())).toEqual({ cancelled: true })
    expect(stand.requests).toHaveLength(2)
  })
})
