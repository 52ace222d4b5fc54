// The retention requests against the API contract: the list-versions
// reference (test/contract/truefoundry-list-versions.openapi.yaml, the copy of
// the reference document), served by Prism. The action lists a rule's versions
// and deletes them by id against the stand-in control plane, on each
// generation, through a client that records every request it sends; each is
// then sent again, as it was, to Prism, which must accept it.
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createControlPlane } from '../../../src/deletion/control-plane.ts'
import { discoverListing } from '../../../src/retention/generation-discovery.ts'
import { listRuleVersions, versionPath, type Generation, type ListedKind, type ListingClient } from '../../../src/retention/listing.ts'
import { startStandIn, type StandIn } from '../../../fakes/stand-in-control-plane.ts'
import { startPrism, type Prism } from '../../support/prism.ts'

const DOCUMENT = fileURLToPath(new URL('../../contract/truefoundry-list-versions.openapi.yaml', import.meta.url))
const TOKEN = 'tfy-contract-listing-3a9e'
const KINDS: ListedKind[] = ['artifact-version', 'model-version', 'chat_prompt']
const NEVER = new AbortController().signal
const POLICY = {
  maxAttempts: 1,
  backoff: { baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
  signal: NEVER,
  abortInFlight: NEVER,
  random: () => 0,
  now: Date.now,
}

let prism: Prism
let standIn: StandIn
beforeAll(async () => {
  ;[prism, standIn] = await Promise.all([
    startPrism(DOCUMENT),
    startStandIn({
      token: TOKEN,
      serves: 'both',
      versions: KINDS.map((type) => ({
        type,
        ml_repo: 'demo-previews',
        name: 'churn',
        versions: Array.from({ length: 150 }, (_, i) => ({ version: i + 1, alias: `v${i + 1}`, created_at: '2026-01-01T00:00:00Z' })),
      })),
    }),
  ])
}, 90_000)
afterAll(async () => {
  await Promise.all([prism?.close(), standIn?.close()])
})

/** The requests the action sends for one generation: discovery, each kind's listing to its end, and a delete by id of each kind. */
async function requestsSent(generation: Generation): Promise<{ method: 'GET' | 'DELETE'; path: string; query: string }[]> {
  const real = createControlPlane({ url: new URL(standIn.url), token: TOKEN, timeoutMs: 10_000, concurrency: 2 })
  const sent: { method: 'GET' | 'DELETE'; path: string; query: string }[] = []
  const client: ListingClient = {
    list(path, query, signal) {
      sent.push({ method: 'GET', path, query: query.toString() })
      return real.list(path, query, signal)
    },
    endpointUrl: (path) => real.endpointUrl(path),
  }
  try {
    expect(await discoverListing(client, generation, 'demo-previews', POLICY)).toEqual({ generation })
    for (const type of KINDS) {
      const ids: string[] = []
      const listing = await listRuleVersions(
        client,
        generation,
        { type, ml_repo: 'demo-previews', name: 'churn' },
        (v) => ids.push(v.id),
        POLICY,
      )
      // The listing on ml-v1 deleted one version of each kind before svc-v1's.
      expect(listing).toMatchObject({ kind: 'listed', count: generation === 'ml-v1' ? 150 : 149 })
      const path = versionPath(generation, type, ids[0]!)
      sent.push({ method: 'DELETE', path, query: '' })
      expect(await real.deleteById(path)).toMatchObject({ kind: 'response', status: 200 })
    }
  } finally {
    real.close()
  }
  return sent
}

/**
 * Sends a request again, as it was, to Prism: its status, and why Prism
 * refused the request, from its sl-violations header. What Prism says of its
 * own made-up answer (a 500 whose violations are the response body's) is not
 * about the request, and left out.
 */
async function askPrism(request: { method: string; path: string; query: string }): Promise<{ status: number; violations: string[] }> {
  const url = new URL(`${request.path}${request.query ? `?${request.query}` : ''}`, `${prism.url}/`)
  const response = await fetch(url, { method: request.method, headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json' } })
  await response.arrayBuffer()
  const violations = JSON.parse(response.headers.get('sl-violations') ?? '[]') as { message: string }[]
  const aboutRequest = violations.map((violation) => violation.message).filter((message) => !message.startsWith('Response'))
  return { status: response.status < 500 ? response.status : 200, violations: aboutRequest }
}

describe.each(['ml-v1', 'svc-v1'] as const)('the listing and deletes by id on %s', (generation) => {
  it('are requests the reference accepts, every one', async () => {
    const sent = await requestsSent(generation)
    // Discovery, then for each kind its ML repo and two pages of versions, and a delete.
    expect(sent.filter((request) => request.method === 'GET')).toHaveLength(1 + KINDS.length * 3)
    for (const request of sent) {
      const answer = await askPrism(request)
      expect({ request, ...answer }).toEqual({ request, status: 200, violations: [] })
    }
  })
})

describe('Prism, as the judge here', () => {
  it('refuses a request the reference does not accept', async () => {
    const answer = await askPrism({ method: 'GET', path: 'api/svc/v1/model-versions', query: 'limit=abc' })
    expect(answer.status).not.toBe(200)
    expect(answer.violations.length).toBeGreaterThan(0)
  })
})
