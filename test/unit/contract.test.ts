// The action against the API contract, for each kind of manifest: Prism, one
// per kind serving that kind's copy of its OpenAPI document
// (src/schema/<kind>.openapi.yaml), judges every manifest of the kind's corpus
// (test/contract/corpus/<kind>/), and
//   - Prism's verdict is the corpus label;
//   - the action's verdict for that kind (checkManifestAs) is Prism's, except
//     where the action is deliberately stricter (no version nor version_alias);
//   - whatever the action accepts, for any case of any corpus, the endpoint it
//     sends it to (by its `type`) accepts too, and a case that names its own
//     kind gets the same verdict from the action's routing as from its kind;
//   - the requests the action's delete client sends for spec-valid manifests
//     are ones Prism accepts.
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { createControlPlane, type ControlPlane } from '../../src/deletion/control-plane.ts'
import { KIND_NAMES, MANIFEST_KINDS, type ManifestKind } from '../../src/manifests/kinds.ts'
import { checkManifest, checkManifestAs, describeProblem, isPlainObject, type Verdict } from '../../src/manifests/validate.ts'
import { loadCorpus } from '../support/corpus.ts'
import { startPrism, type Prism } from '../support/prism.ts'

const REQUEST_TIMEOUT_MS = 10_000

const cases = loadCorpus()
const groups = [...new Set(cases.map((c) => c.group))]
const tally = Object.fromEntries(KIND_NAMES.map((kind) => [kind, { agreed: 0, stricterAsIntended: 0 }])) as Record<
  ManifestKind,
  { agreed: number; stricterAsIntended: number }
>
let routedAndAccepted = 0

const prisms = {} as Record<ManifestKind, Prism>
let controlPlanes = {} as Record<ManifestKind, ControlPlane>

beforeAll(async () => {
  const started = await Promise.all(
    KIND_NAMES.map(
      async (kind) => [kind, await startPrism(fileURLToPath(new URL(`../../src/schema/${kind}.openapi.yaml`, import.meta.url)))] as const,
    ),
  )
  for (const [kind, prism] of started) prisms[kind] = prism
  controlPlanes = Object.fromEntries(
    KIND_NAMES.map((kind) => [
      kind,
      createControlPlane({ url: new URL(prisms[kind].url), token: 'contract-test-token', timeoutMs: REQUEST_TIMEOUT_MS, concurrency: 4 }),
    ]),
  ) as Record<ManifestKind, ControlPlane>
}, 120_000)

afterAll(async () => {
  for (const controlPlane of Object.values(controlPlanes)) controlPlane.close()
  await Promise.all(Object.values(prisms).map((prism) => prism.close()))
  for (const kind of KIND_NAMES) {
    const ofKind = cases.filter((c) => c.kind === kind)
    const valid = ofKind.filter((c) => c.spec_valid).length
    const stricter = ofKind.filter((c) => c.action_stricter).length
    console.log(
      `contract corpus ${kind}: ${ofKind.length} cases (${valid} spec-valid, ${ofKind.length - valid} spec-invalid, ${stricter} action-stricter); ` +
        `Prism and the action agreed on ${tally[kind].agreed} of ${ofKind.length - stricter}, ` +
        `and the action was stricter as intended on ${tally[kind].stricterAsIntended} of ${stricter}`,
    )
  }
  console.log(`every manifest the action accepts (${routedAndAccepted}) was accepted by the endpoint its type sends it to`)
})

interface PrismVerdict {
  accepted: boolean
  /** Why Prism refused, from its sl-violations header. */
  violations: string[]
}

function deleteRequest(
  kind: ManifestKind,
  body: unknown,
  headers: Record<string, string> = { authorization: 'Bearer x' },
): Promise<Response> {
  return fetch(`${prisms[kind].url}/${MANIFEST_KINDS[kind].path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  })
}

async function askPrism(kind: ManifestKind, manifest: unknown): Promise<PrismVerdict> {
  const response = await deleteRequest(kind, { manifest })
  const text = await response.text()
  if (response.ok) return { accepted: true, violations: [] }
  if (response.status !== 422) throw new Error(`Prism (${kind}) answered ${response.status}, neither 2xx nor 422: ${text}`)
  const violations = JSON.parse(response.headers.get('sl-violations') ?? '[]') as { message: string }[]
  return { accepted: false, violations: violations.map((violation) => violation.message) }
}

function describePrism(kind: ManifestKind, verdict: PrismVerdict): string {
  return verdict.accepted ? `Prism (${kind}) accepts it` : `Prism (${kind}) refuses it: ${verdict.violations.join('; ')}`
}

function describeAction(verdict: Verdict): string {
  if (verdict.valid) return `the action accepts it as a ${verdict.type}`
  return `the action refuses it: ${verdict.problems.map(describeProblem).join('; ')}`
}

describe('Prism as the contract', () => {
  it.for(KIND_NAMES)('refuses a conforming %s request without a Bearer token', async (kind, { expect }) => {
    const conforming = cases.find((c) => c.kind === kind && c.spec_valid)!
    const response = await deleteRequest(kind, { manifest: conforming.manifest }, {})
    await response.body?.cancel()
    expect(response.status).toBe(401)
  })
})

for (const group of groups) {
  describe.concurrent(`corpus ${group}`, () => {
    it.for(cases.filter((c) => c.group === group))('$id', async (c, { expect }) => {
      const prismVerdict = await askPrism(c.kind, c.manifest)
      const actionVerdict = checkManifestAs(MANIFEST_KINDS[c.kind], c.manifest)
      const both = `${describePrism(c.kind, prismVerdict)}; ${describeAction(actionVerdict)}`

      expect(prismVerdict.accepted, `the corpus labels it spec_valid: ${c.spec_valid}, but ${both}`).toBe(c.spec_valid)

      // What the action does with it: its `type` picks the endpoint, and that endpoint must accept what the action sends.
      const routed = checkManifest(c.manifest)
      if (routed.valid) {
        const there = routed.type === c.kind ? prismVerdict : await askPrism(routed.type, c.manifest)
        expect(there.accepted, `the action would send it to the ${routed.type} endpoint, but ${describePrism(routed.type, there)}`).toBe(
          true,
        )
        routedAndAccepted++
      }
      if (isPlainObject(c.manifest) && c.manifest.type === c.kind) {
        expect(describeAction(routed), 'it names its kind, so the routing must judge it as its kind does').toBe(
          describeAction(actionVerdict),
        )
      }

      if (!c.action_stricter) {
        expect(actionVerdict.valid, both).toBe(prismVerdict.accepted)
        tally[c.kind].agreed++
        return
      }
      const manifest = isPlainObject(c.manifest) ? c.manifest : {}
      expect(
        'version' in manifest || 'version_alias' in manifest,
        'action_stricter marks a manifest naming neither version nor version_alias',
      ).toBe(false)
      expect(actionVerdict.valid, both).toBe(false)
      const withVersion = checkManifestAs(MANIFEST_KINDS[c.kind], { ...manifest, version: 1 })
      expect(withVersion.valid, `refused for another reason than the missing version: ${describeAction(withVersion)}`).toBe(true)
      tally[c.kind].stricterAsIntended++
    })
  })
}

describe.concurrent("the action's delete client", () => {
  // action_stricter cases included: the action never sends them, but the spec
  // accepts them, so the client's request for them must conform too.
  it.for(cases.filter((c) => c.spec_valid))('sends an accepted request for $id', async (c, { expect }) => {
    const attempt = await controlPlanes[c.kind].deleteVersion(MANIFEST_KINDS[c.kind].path, JSON.stringify({ manifest: c.manifest }))
    expect(attempt).toMatchObject({ kind: 'response', status: 200 })
  })

  it.for(KIND_NAMES)('sends a request Prism refuses for a spec-invalid %s manifest', async (kind, { expect }) => {
    const invalid = cases.find((c) => c.kind === kind && !c.spec_valid)!
    const attempt = await controlPlanes[kind].deleteVersion(MANIFEST_KINDS[kind].path, JSON.stringify({ manifest: invalid.manifest }))
    expect(attempt).toMatchObject({ kind: 'response', status: 422 })
  })
})
