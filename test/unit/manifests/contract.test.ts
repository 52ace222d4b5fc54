// The action against the API contract, for each kind of manifest: Prism, one
// per kind serving that kind's copy of its OpenAPI document
// (src/schema/<kind>.openapi.yaml), judges every manifest of the kind's corpus
// (test/contract/corpus/<kind>/). Each manifest goes through the action as a
// file of its own (parsed, then checked by check-file.ts), and
//   - Prism's verdict is the corpus label: Prism is sent the action's own body
//     where the action takes the manifest as its kind, else the manifest as
//     written (the action builds no body for a manifest it refuses);
//   - the action's verdict is Prism's wherever the action judges the manifest
//     as the corpus's kind, except where it is deliberately stricter (no
//     version nor version_alias);
//   - whatever the action accepts, the endpoint its `type` names
//     (its per-kind endpoint, or the generic one for a kind that has none) accepts the body the action would send;
//   - and so does the generic POST /api/svc/v1/delete, which api svc-v1 (or
//     auto, where the per-kind one is not served) sends every kind to;
//   - the requests the action's delete client sends with those bodies are ones
//     Prism accepts.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { createControlPlane, type ControlPlane } from '../../../src/deletion/control-plane.ts'
import { checkFile } from '../../../src/manifests/check-file.ts'
import { KIND_NAMES, MANIFEST_KINDS, type ManifestKind } from '../../../src/manifests/kinds.ts'
import { parseManifestFile } from '../../../src/manifests/parse.ts'
import type { CheckedManifest } from '../../../src/results/plan.ts'
import { timeSlice } from '../../../src/runner/time-slice.ts'
import { loadCorpus } from '../../support/corpus.ts'
import { startPrism, type Prism } from '../../support/prism.ts'

/** Where Prism serves a kind's reference document: its per-kind endpoint, or the generic one for a kind that has none. */
function endpointOf(kind: ManifestKind): string {
  return MANIFEST_KINDS[kind].endpoints['ml-v1'] ?? MANIFEST_KINDS[kind].endpoints['svc-v1']
}

/** The kind whose document is the generic delete's: data-dir's document is that endpoint's reference document verbatim. */
const GENERIC: ManifestKind = 'data-dir'

const REQUEST_TIMEOUT_MS = 10_000

const documentOf = (kind: ManifestKind) => fileURLToPath(new URL(`../../../src/schema/${kind}.openapi.yaml`, import.meta.url))

/**
 * The status Prism refuses a request with: 422 where the document declares it
 * (the /api/ml/v1 documents, as FastAPI answers), else 400 (the generic
 * delete's, data-dir's document, declares an HttpError 400).
 */
const REFUSED_WITH = Object.fromEntries(
  KIND_NAMES.map((kind) => {
    const { paths } = parse(readFileSync(documentOf(kind), 'utf8')) as { paths: Record<string, { post: { responses: object } }> }
    return [kind, Object.values(paths).some((item) => '422' in item.post.responses) ? 422 : 400]
  }),
) as Record<ManifestKind, number>

const cases = loadCorpus()
const groups = [...new Set(cases.map((c) => c.group))]
const tally = Object.fromEntries(KIND_NAMES.map((kind) => [kind, { agreed: 0, stricterAsIntended: 0, otherKind: 0 }])) as Record<
  ManifestKind,
  { agreed: number; stricterAsIntended: number; otherKind: number }
>
let routedAndAccepted = 0
let genericAccepted = 0

// One Prism serves every kind's document, each at its own endpoint.
let prism: Prism
let controlPlane: ControlPlane

beforeAll(async () => {
  prism = await startPrism(KIND_NAMES.map(documentOf))
  controlPlane = createControlPlane({
    url: new URL(prism.url),
    token: 'contract-test-token',
    timeoutMs: REQUEST_TIMEOUT_MS,
    concurrency: 4,
  })
}, 120_000)

afterAll(async () => {
  controlPlane?.close()
  await prism?.close()
  for (const kind of KIND_NAMES) {
    const ofKind = cases.filter((c) => c.kind === kind)
    const valid = ofKind.filter((c) => c.spec_valid).length
    const stricter = ofKind.filter((c) => c.action_stricter).length
    const { agreed, stricterAsIntended, otherKind } = tally[kind]
    console.log(
      `contract corpus ${kind}: ${ofKind.length} cases (${valid} spec-valid, ${ofKind.length - valid} spec-invalid, ${stricter} action-stricter); ` +
        `Prism and the action agreed on ${agreed} of ${ofKind.length - stricter - otherKind} (${otherKind} the action takes as another kind, or refuses for not saying which), ` +
        `and the action was stricter as intended on ${stricterAsIntended} of ${stricter}`,
    )
  }
  console.log(`every manifest the action accepts (${routedAndAccepted}) was accepted by the endpoint its type sends it to`)
  console.log(`and by the generic ${MANIFEST_KINDS[GENERIC].endpoints['svc-v1']} (${genericAccepted})`)
})

interface PrismVerdict {
  accepted: boolean
  /** Why Prism refused, from its sl-violations header. */
  violations: string[]
}

/** What the action makes of a manifest written as a .json file of its own: its row, with the body production POSTs when it is valid. */
async function actionRow(manifest: unknown): Promise<CheckedManifest> {
  const relative = 'corpus.json'
  const bytes = new TextEncoder().encode(JSON.stringify(manifest))
  const parsed = await parseManifestFile(bytes, relative, { substituteEnv: false }, timeSlice())
  const [checked, ...more] = checkFile({ absolute: '', relative, refusal: null }, parsed, { env: {}, namedByNumber: false })
  if (!checked || more.length > 0) throw new Error(`a corpus manifest is one document, not ${more.length + (checked ? 1 : 0)}`)
  return checked.manifest
}

/** The corpus manifest as written, sent as is: only for what the action builds no body for. */
const asWritten = (manifest: unknown) => JSON.stringify({ manifest })

function deleteRequest(
  kind: ManifestKind,
  body: string,
  headers: Record<string, string> = { authorization: 'Bearer x' },
): Promise<Response> {
  return fetch(`${prism.url}/${endpointOf(kind)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  })
}

async function askPrism(kind: ManifestKind, body: string): Promise<PrismVerdict> {
  const response = await deleteRequest(kind, body)
  const text = await response.text()
  if (response.ok) return { accepted: true, violations: [] }
  if (response.status !== REFUSED_WITH[kind])
    throw new Error(`Prism (${kind}) answered ${response.status}, neither 2xx nor ${REFUSED_WITH[kind]}: ${text}`)
  const violations = JSON.parse(response.headers.get('sl-violations') ?? '[]') as { message: string }[]
  return { accepted: false, violations: violations.map((violation) => violation.message) }
}

function describePrism(kind: ManifestKind, verdict: PrismVerdict): string {
  return verdict.accepted ? `Prism (${kind}) accepts it` : `Prism (${kind}) refuses it: ${verdict.violations.join('; ')}`
}

function describeAction(row: CheckedManifest): string {
  if (row.valid) return `the action accepts it as a ${row.type}`
  return `the action refuses it: ${row.message}`
}

describe('Prism as the contract', () => {
  it.for(KIND_NAMES)('refuses a conforming %s request without a Bearer token', async (kind, { expect }) => {
    const conforming = await actionRow(cases.find((c) => c.kind === kind && c.spec_valid && !c.action_stricter)!.manifest)
    if (!conforming.valid) throw new Error(describeAction(conforming))
    const response = await deleteRequest(kind, conforming.body, {})
    await response.body?.cancel()
    expect(response.status).toBe(401)
  })
})

for (const group of groups) {
  describe.concurrent(`corpus ${group}`, () => {
    it.for(cases.filter((c) => c.group === group))('$id', async (c, { expect }) => {
      const row = await actionRow(c.manifest)
      const asItsKind = row.valid && row.type === c.kind
      const prismVerdict = await askPrism(c.kind, asItsKind ? row.body : asWritten(c.manifest))
      const both = `${describePrism(c.kind, prismVerdict)}; ${describeAction(row)}`

      expect(prismVerdict.accepted, `the corpus labels it spec_valid: ${c.spec_valid}, but ${both}`).toBe(c.spec_valid)

      // What the action does with it: its `type` picks the endpoint, and that endpoint must accept what the action sends.
      if (row.valid) {
        const there = asItsKind ? prismVerdict : await askPrism(row.type, row.body)
        expect(there.accepted, `the action would send it to the ${row.type} endpoint, but ${describePrism(row.type, there)}`).toBe(true)
        routedAndAccepted++
        const generic = row.type === GENERIC ? there : await askPrism(GENERIC, row.body)
        expect(generic.accepted, `api svc-v1 would send it to the generic endpoint, but ${describePrism(GENERIC, generic)}`).toBe(true)
        genericAccepted++
      }
      if (row.type !== null && row.type !== c.kind) {
        // Judged as the kind its `type` names, not as this corpus's: the endpoint it goes to has had its say above.
        tally[c.kind].otherKind++
        return
      }
      if (row.type === null && !row.valid && prismVerdict.accepted && !c.action_stricter) {
        // Without "type" but with a field of another kind, the action refuses rather than guess which kind it is.
        expect(row.message, both).toMatch(/has no "type" but has .* add "type: /)
        tally[c.kind].otherKind++
        return
      }

      if (!c.action_stricter) {
        expect(row.valid, both).toBe(prismVerdict.accepted)
        tally[c.kind].agreed++
        return
      }
      const manifest = typeof c.manifest === 'object' && c.manifest !== null && !Array.isArray(c.manifest) ? c.manifest : {}
      expect(
        'version' in manifest || 'version_alias' in manifest,
        'action_stricter marks a manifest naming neither version nor version_alias',
      ).toBe(false)
      expect(row.valid, both).toBe(false)
      const withVersion = await actionRow({ ...manifest, version: 1 })
      expect(withVersion.valid, `refused for another reason than the missing version: ${describeAction(withVersion)}`).toBe(true)
      tally[c.kind].stricterAsIntended++
    })
  })
}

describe.concurrent("the action's delete client", () => {
  // Every spec-valid case the action accepts: it builds no body for the others (action_stricter, or of no plain kind).
  it.for(cases.filter((c) => c.spec_valid))('sends an accepted request for $id', async (c, { expect }) => {
    const row = await actionRow(c.manifest)
    if (!row.valid) {
      expect(c.action_stricter || /has no "type" but has/.test(row.message), describeAction(row)).toBe(true)
      return
    }
    const attempt = await controlPlane.deleteVersion(endpointOf(row.type), row.body)
    expect(attempt).toMatchObject({ kind: 'response', status: 200 })
  })

  // The action builds no body for an invalid manifest: this one is written as is, to see the client pass the refusal on.
  it.for(KIND_NAMES)('sends a request Prism refuses for a spec-invalid %s manifest', async (kind, { expect }) => {
    const invalid = cases.find((c) => c.kind === kind && !c.spec_valid)!
    const attempt = await controlPlane.deleteVersion(endpointOf(kind), asWritten(invalid.manifest))
    expect(attempt).toMatchObject({ kind: 'response', status: REFUSED_WITH[kind] })
  })
})
