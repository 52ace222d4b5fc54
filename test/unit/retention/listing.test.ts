import { afterEach, describe, expect, test } from 'vitest'
import { createControlPlane, type ControlPlane } from '../../../src/deletion/control-plane.ts'
import { listRuleVersions, versionPath, type ListedVersion, type Listing, type RuleTarget } from '../../../src/retention/listing.ts'
import type { ListingPolicy } from '../../../src/retention/pages.ts'
import { hang, hugeBody, redirect, respond, startFaultServer, type FaultPlan, type FaultServer } from '../../../fakes/fault-server.ts'
import type { ListingOptions, VersionSeed } from '../../../fakes/stand-in-listing.ts'

const TOKEN = 'tfy-secret-9d2e-listing'
const RULE: RuleTarget = { type: 'artifact-version', ml_repo: 'demo-previews', name: 'churn' }
const cleanups: (() => unknown)[] = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const seeds = (count: number): VersionSeed[] =>
  Array.from({ length: count }, (_, i) => ({ version: count - i, created_at: '2026-11-02T10:00:00Z', alias: `v0-pr1-try${count - i}` }))

async function server(options: ListingOptions & { faults?: FaultPlan; serves?: 'ml-v1' | 'svc-v1' | 'both' } = {}): Promise<FaultServer> {
  const started = await startFaultServer({ token: TOKEN, versions: [{ ...RULE, versions: seeds(250) }], ...options })
  cleanups.push(() => started.close())
  return started
}

function client(url: string, timeoutMs = 2000): ControlPlane {
  const controlPlane = createControlPlane({ url: new URL(url), token: TOKEN, timeoutMs, concurrency: 2 })
  cleanups.push(() => controlPlane.close())
  return controlPlane
}

function policy(fields: Partial<ListingPolicy> = {}): ListingPolicy {
  return {
    maxAttempts: 3,
    backoff: { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5000 },
    random: () => 0.5,
    signal: new AbortController().signal,
    abortInFlight: new AbortController().signal,
    now: Date.now,
    ...fields,
  }
}

async function list(stand: FaultServer, rule: RuleTarget = RULE, fields: Partial<ListingPolicy> = {}, timeoutMs?: number) {
  const versions: ListedVersion[] = []
  const listing = await listRuleVersions(client(stand.url, timeoutMs), 'ml-v1', rule, (v) => versions.push(v), policy(fields))
  return { listing, versions }
}

const versionRequests = (stand: FaultServer) => stand.requests.filter((r) => r.path.includes('artifact-versions'))
const failedWith = (message: string | RegExp): Partial<Listing> => ({ kind: 'failed', message: expect.stringMatching(message) })

describe('listRuleVersions', () => {
  test('resolves the ML repo, then reads every page to the total, with no request past it', async () => {
    const stand = await server()
    const { listing, versions } = await list(stand)
    expect(listing).toEqual({ kind: 'listed', repoId: 'repo-1', count: 250, others: 0 })
    expect(versions).toHaveLength(250)
    expect(versions[0]).toEqual({
      id: 'artifact-version-1',
      fqn: 'artifact:tenant/demo-previews/churn:250',
      version: 250,
      alias: 'v0-pr1-try250',
      hasManifest: true,
      created_at: '2026-11-02T10:00:00Z',
    })
    expect(stand.requests.map((r) => r.path)).toEqual([
      '/api/ml/v1/ml-repos?name=demo-previews&limit=100&offset=0',
      '/api/ml/v1/artifact-versions?ml_repo_id=repo-1&name=churn&limit=100&offset=0',
      '/api/ml/v1/artifact-versions?ml_repo_id=repo-1&name=churn&limit=100&offset=100',
      '/api/ml/v1/artifact-versions?ml_repo_id=repo-1&name=churn&limit=100&offset=200',
    ])
    expect(stand.requests.every((r) => r.method === 'GET' && r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true)
  })

  test('follows offset by what each page held when the server gives fewer than asked', async () => {
    const stand = await server({ maxPageSize: 30 })
    const { listing } = await list(stand)
    expect(listing).toMatchObject({ kind: 'listed', count: 250 })
    expect(versionRequests(stand)).toHaveLength(9)
  })

  test.each<[string, ListingOptions, RegExp]>([
    ['a total that is one too many', { lie: (_r, a) => ({ ...a, total: 251 }) }, /page 4 is empty after 250 of the 251 items/],
    ['a total that is one too few', { lie: (_r, a) => ({ ...a, total: 249 }) }, /more items than their total \(250 by page 3, total 249\)/],
    [
      'a total that changes',
      { lie: (r, a) => ({ ...a, total: r.page === 3 ? 1001 : a.total }) },
      /the listing changed or disagrees with itself \(total 250 on page 1, 1001 on page 3\)/,
    ],
    ['an empty page early', { lie: (r, a) => (r.page === 2 ? { ...a, data: [] } : a) }, /page 2 is empty after 100 of the 250/],
    [
      'a version created between two pages',
      { beforePage: (r, store) => void (r.page === 2 && store.add(RULE, { version: 251 })) },
      /total 250 on page 1, 251 on page 2/,
    ],
    [
      'a version deleted between two pages',
      { beforePage: (r, store) => void (r.page === 3 && store.remove('artifact-version-1')) },
      /total 250 on page 1, 249 on page 3/,
    ],
    [
      'pages that never end',
      { lie: (r) => ({ data: Array.from({ length: 100 }, (_, i) => ({ id: `x${r.page}-${i}`, fqn: 'f' })), total: 2_000_000 }) },
      /claims 2000000 items, more than the 1000000 the action reads/,
    ],
    [
      'a server that ignores offset',
      { lie: (r, a) => ({ ...a, data: r.page === 2 ? a.data.slice(0, 0).concat(seedsPage()) : a.data }) },
      /page 2 repeats page 1/,
    ],
  ])('fails the rule on %s, naming its repo and name', async (_name, lies, message) => {
    const stand = await server(lies)
    const { listing } = await list(stand)
    expect(listing).toMatchObject(failedWith(message))
    expect((listing as { message: string }).message).toMatch(
      /^listing the artifact versions of churn in ML repo demo-previews( \(http:\S+\))?: /,
    )
  })

  test('an unknown ML repo, one only named alike, and two named exactly so each fail the rule', async () => {
    const stand = await server({ repos: [{ name: 'demo-previews-old' }, { name: 'twin', id: 't1' }, { name: 'twin', id: 't2' }] })
    expect((await list(stand, { ...RULE, ml_repo: 'nope' })).listing).toMatchObject(
      failedWith(/there is no ML repo named nope \(0 listed for that name/),
    )
    expect((await list(stand, { ...RULE, ml_repo: 'demo' })).listing).toMatchObject(
      failedWith(/no ML repo named demo \(2 listed for that name, none named exactly so\)/),
    )
    expect((await list(stand, { ...RULE, ml_repo: 'twin' })).listing).toMatchObject(
      failedWith(/2 ML repos are named twin \(ids t1, t2\), so the action cannot tell which one/),
    )
    expect((await list(stand)).listing).toMatchObject({ kind: 'listed', count: 250 })
  })

  test('an unknown name fails the rule; versions of other names the filter lets through are never offered', async () => {
    const stand = await server({
      versions: [
        { ...RULE, versions: seeds(3) },
        { ...RULE, name: 'churn-v2', versions: seeds(2) },
      ],
      lie: (_r, a) => ({ data: [...a.data, { id: 'other', fqn: 'artifact:tenant/demo-previews/churn-v2:1' }], total: a.total + 1 }),
    })
    const { listing, versions } = await list(stand)
    expect(listing).toEqual({ kind: 'listed', repoId: 'repo-1', count: 3, others: 1 })
    expect(versions.map((v) => v.id)).not.toContain('other')
    expect((await list(stand, { ...RULE, name: 'gone' })).listing).toMatchObject(
      failedWith(/there is no artifact named gone in ML repo demo-previews \(1 versions of other names listed, none of gone\)/),
    )
  })

  test('a 404 of the versions list says the name is unknown', async () => {
    const stand = await server({ faults: [undefined, respond(404, { statusCode: 404, message: 'Artifact not found' })] })
    expect((await list(stand)).listing).toMatchObject({
      ...failedWith(/: there is no artifact named churn in ML repo demo-previews \(http:\S+ answered HTTP 404: Artifact not found\)$/),
      http_status: 404,
    })
  })

  test('an item without an id fails the rule, naming the page and the item', async () => {
    const stand = await server({
      lie: (r, a) => (r.page === 2 ? { ...a, data: [...a.data.slice(0, 4), { fqn: 'x' }, ...a.data.slice(5)] } : a),
    })
    expect((await list(stand)).listing).toMatchObject(failedWith(/: item 5 of page 2 has no id$/))
  })

  test('a server that hangs is given up on at the timeout, each attempt', async () => {
    const stand = await server({ faults: (index) => (index === 1 || index === 2 ? hang() : undefined) })
    const started = performance.now()
    const { listing } = await list(stand, RULE, { maxAttempts: 2 }, 200)
    expect(listing).toMatchObject(
      failedWith(/page 1 \(offset 0\): no complete response within 0.2 s \(request-timeout\) \(gave up after 2 attempts\)$/),
    )
    expect(performance.now() - started).toBeLessThan(2000)
  })

  test('a redirect is not followed: the rule fails and the other server hears nothing', async () => {
    const elsewhere = await server()
    const stand = await server({ faults: [redirect(`${elsewhere.url}/api/ml/v1/ml-repos`)] })
    const { listing } = await list(stand)
    expect(listing).toMatchObject(failedWith(/redirected \(HTTP 307\) to .*; redirects are not followed/))
    expect(elsewhere.requests).toHaveLength(0)
    expect(stand.requests).toHaveLength(1)
  })

  test('a page past 8 MiB fails the rule at once, unread and not retried', async () => {
    const huge = hugeBody(200, 9 * 1024 * 1024)
    const stand = await server({ faults: [undefined, huge] })
    const { listing } = await list(stand)
    expect(listing).toMatchObject(failedWith(/page 1 \(offset 0\): the answer is larger than 8.0 MiB/))
    expect(versionRequests(stand)).toHaveLength(1)
  })

  test('a rejected token stops: one request, and the failure says so without the token', async () => {
    const stand = await server({ faults: [respond(401, { detail: `bad token ${TOKEN}` })] })
    const { listing } = await list(stand)
    expect(listing).toMatchObject({ kind: 'failed', http_status: 401, tokenRejected: true })
    expect((listing as { message: string }).message).toContain('the token was rejected (HTTP 401: bad token ***)')
    expect(JSON.stringify(listing)).not.toContain(TOKEN)
    expect(stand.requests).toHaveLength(1)
  })

  test('a 503 is tried again after its Retry-After, then the listing goes on', async () => {
    const stand = await server({ faults: [undefined, respond(503, 'busy', { 'retry-after': '1' })] })
    const { listing } = await list(stand)
    expect(listing).toMatchObject({ kind: 'listed', count: 250 })
    const [first, second] = versionRequests(stand)
    expect(second!.arrivedAt - first!.arrivedAt).toBeGreaterThanOrEqual(950)
    expect(second!.path).toBe(first!.path)
  })

  test('gives up after maxAttempts, with the last answer, which never shows the token', async () => {
    const stand = await server({ faults: (index) => (index >= 1 ? respond(500, { detail: `upstream saw ${TOKEN}` }) : undefined) })
    const { listing } = await list(stand, RULE, { maxAttempts: 3 })
    expect(listing).toMatchObject(failedWith(/page 1 \(offset 0\): HTTP 500: upstream saw \*\*\* \(gave up after 3 attempts\)$/))
    expect(JSON.stringify(listing)).not.toContain(TOKEN)
    expect(versionRequests(stand)).toHaveLength(3)
  })

  test('a cancelled run lists nothing more', async () => {
    const stand = await server()
    expect((await list(stand, RULE, { signal: AbortSignal.abort() })).listing).toEqual({ kind: 'cancelled' })
    expect(stand.requests).toHaveLength(0)
  })

  test('lists each kind on its own path, and on svc-v1', async () => {
    const stand = await server({ serves: 'svc-v1', versions: [{ ...RULE, type: 'chat_prompt', versions: seeds(2) }] })
    const versions: ListedVersion[] = []
    const prompt = { ...RULE, type: 'chat_prompt' } as const
    const listing = await listRuleVersions(client(stand.url), 'svc-v1', prompt, (v) => versions.push(v), policy())
    expect(listing).toMatchObject({ kind: 'listed', count: 2 })
    expect(stand.requests.at(-1)!.path).toMatch(/^\/api\/svc\/v1\/prompt-versions\?/)
    expect(versionPath('svc-v1', 'chat_prompt', versions[0]!.id)).toBe(`api/svc/v1/prompt-versions/${versions[0]!.id}`)
  })
})

/** The first page again, as a server that ignores offset answers page 2. */
function seedsPage(): unknown[] {
  return Array.from({ length: 100 }, (_, i) => ({ id: `artifact-version-${i + 1}`, fqn: `artifact:tenant/demo-previews/churn:${250 - i}` }))
}
