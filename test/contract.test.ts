// The action against the API contract: for every manifest in the corpus
// (test/contract/corpus/), Prism, validating requests against the project's
// copy of the OpenAPI document, and the action's own checkManifest must reach
// the same verdict, except where the action is deliberately stricter; and the
// requests the action's delete client sends for spec-valid manifests must be
// ones Prism accepts.
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createControlPlane, type ControlPlane } from '../src/control-plane.ts'
import { checkManifest, describeProblem, isPlainObject, type Verdict } from '../src/validate.ts'
import { loadCorpus } from './support/corpus.ts'
import { startPrism, type Prism } from './support/prism.ts'

const OPENAPI = fileURLToPath(new URL('../src/schema/openapi.yaml', import.meta.url))
const DELETE_PATH = '/api/ml/v1/artifact-versions'
const REQUEST_TIMEOUT_MS = 10_000

const cases = loadCorpus()
const groups = [...new Set(cases.map((c) => c.group))]
const tally = { agreed: 0, stricterAsIntended: 0 }

let prism: Prism
let controlPlane: ControlPlane

beforeAll(async () => {
  prism = await startPrism(OPENAPI)
  controlPlane = createControlPlane({ url: new URL(prism.url), token: 'contract-test-token', timeoutMs: REQUEST_TIMEOUT_MS, concurrency: 4 })
}, 75_000)

afterAll(async () => {
  controlPlane?.close()
  await prism?.close()
  const valid = cases.filter((c) => c.spec_valid).length
  const stricter = cases.filter((c) => c.action_stricter).length
  console.log(
    `contract corpus: ${cases.length} cases (${valid} spec-valid, ${cases.length - valid} spec-invalid, ${stricter} action-stricter); ` +
      `Prism and the action agreed on ${tally.agreed} of ${cases.length - stricter}, ` +
      `and the action was stricter as intended on ${tally.stricterAsIntended} of ${stricter}`,
  )
})

interface PrismVerdict {
  accepted: boolean
  /** Why Prism refused, from its sl-violations header. */
  violations: string[]
}

function deleteRequest(body: unknown, headers: Record<string, string> = { authorization: 'Bearer x' }): Promise<Response> {
  return fetch(`${prism.url}${DELETE_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  })
}

async function askPrism(manifest: unknown): Promise<PrismVerdict> {
  const response = await deleteRequest({ manifest })
  const text = await response.text()
  if (response.ok) return { accepted: true, violations: [] }
  if (response.status !== 422) throw new Error(`Prism answered ${response.status}, neither 2xx nor 422: ${text}`)
  const violations = JSON.parse(response.headers.get('sl-violations') ?? '[]') as { message: string }[]
  return { accepted: false, violations: violations.map((violation) => violation.message) }
}

function describePrism(verdict: PrismVerdict): string {
  return verdict.accepted ? 'Prism accepts it' : `Prism refuses it: ${verdict.violations.join('; ')}`
}

function describeAction(verdict: Verdict): string {
  if (verdict.valid) return 'the action accepts it'
  return `the action refuses it: ${verdict.problems.map(describeProblem).join('; ')}`
}

describe('Prism as the contract', () => {
  it('refuses a conforming request without a Bearer token', async () => {
    const conforming = cases.find((c) => c.spec_valid)!
    const response = await deleteRequest({ manifest: conforming.manifest }, {})
    await response.body?.cancel()
    expect(response.status).toBe(401)
  })
})

for (const group of groups) {
  describe.concurrent(`corpus ${group}`, () => {
    it.for(cases.filter((c) => c.group === group))('$id', async (c, { expect }) => {
      const prismVerdict = await askPrism(c.manifest)
      const actionVerdict = checkManifest(c.manifest)
      const both = `${describePrism(prismVerdict)}; ${describeAction(actionVerdict)}`

      expect(prismVerdict.accepted, `the corpus labels it spec_valid: ${c.spec_valid}, but ${both}`).toBe(c.spec_valid)
      if (!c.action_stricter) {
        expect(actionVerdict.valid, both).toBe(prismVerdict.accepted)
        tally.agreed++
        return
      }
      const manifest = isPlainObject(c.manifest) ? c.manifest : {}
      expect('version' in manifest || 'version_alias' in manifest, 'action_stricter marks a manifest naming neither version nor version_alias').toBe(false)
      expect(actionVerdict.valid, both).toBe(false)
      const withVersion = checkManifest({ ...manifest, version: 1 })
      expect(withVersion.valid, `refused for another reason than the missing version: ${describeAction(withVersion)}`).toBe(true)
      tally.stricterAsIntended++
    })
  })
}

describe.concurrent("the action's delete client", () => {
  // action_stricter cases included: the action never sends them, but the spec
  // accepts them, so the client's request for them must conform too.
  it.for(cases.filter((c) => c.spec_valid))('sends an accepted request for $id', async (c, { expect }) => {
    const attempt = await controlPlane.deleteVersion(JSON.stringify({ manifest: c.manifest }))
    expect(attempt).toMatchObject({ kind: 'response', status: 200 })
  })

  it('sends a request Prism refuses for a spec-invalid manifest', async ({ expect }) => {
    const invalid = cases.find((c) => !c.spec_valid)!
    const attempt = await controlPlane.deleteVersion(JSON.stringify({ manifest: invalid.manifest }))
    expect(attempt).toMatchObject({ kind: 'response', status: 422 })
  })
})
