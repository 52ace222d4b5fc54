import { describe, expect, it } from 'vitest'
import { candidatesFor, openDiscovery, type Api, type Candidate } from '../../../src/deletion/discovery.ts'
import type { EndpointCheck } from '../../../src/deletion/endpoint-check.ts'
import { MANIFEST_KINDS } from '../../../src/manifests/kinds.ts'

const BASE = 'https://tfy.example/'
const urlOf = (path: string) => `${BASE}${path}`
const NOT_FOUND = 'was answered HTTP 404: Not Found'

type Answers = Record<string, EndpointCheck['kind']>

/** A discovery whose checks answer as `answers` says for each path, recording each path asked. */
function discovery(api: Api, answers: Answers) {
  const asked: Candidate[] = []
  const check = (candidate: Candidate): Promise<EndpointCheck> => {
    asked.push(candidate)
    const kind = answers[candidate.path] ?? 'not-served'
    if (kind === 'served' || kind === 'cancelled') return Promise.resolve({ kind })
    if (kind === 'not-served') return Promise.resolve({ kind, answer: NOT_FOUND, message: `${urlOf(candidate.path)} does not serve it` })
    return Promise.resolve({ kind, message: `refused at ${candidate.path}` })
  }
  return { asked, discovery: openDiscovery(api, check, urlOf) }
}

const ARTIFACTS = 'api/ml/v1/artifact-versions'
const MODELS = 'api/ml/v1/model-versions'
const GENERIC = 'api/svc/v1/delete'

describe('endpoint discovery', () => {
  it('with api auto, uses the per-kind endpoint where it is served and never asks the generic one', async () => {
    const { asked, discovery: found } = discovery('auto', { [ARTIFACTS]: 'served', [MODELS]: 'served', [GENERIC]: 'served' })
    expect(await found.route(['artifact-version', 'model-version'])).toEqual([
      { kind: 'routed', type: 'artifact-version', path: ARTIFACTS, generation: 'ml-v1', unserved: [] },
      { kind: 'routed', type: 'model-version', path: MODELS, generation: 'ml-v1', unserved: [] },
    ])
    expect(asked).toEqual([
      { path: ARTIFACTS, generation: 'ml-v1' },
      { path: MODELS, generation: 'ml-v1' },
    ])
  })

  it('with api auto, goes to the generic endpoint where the per-kind one is not served, per kind, asking it once', async () => {
    const { asked, discovery: found } = discovery('auto', { [ARTIFACTS]: 'served', [GENERIC]: 'served' })
    expect(await found.route(['model-version', 'artifact-version'])).toEqual([
      { kind: 'routed', type: 'model-version', path: GENERIC, generation: 'svc-v1', unserved: [urlOf(MODELS)] },
      { kind: 'routed', type: 'artifact-version', path: ARTIFACTS, generation: 'ml-v1', unserved: [] },
    ])
    const { asked: onlyGeneric, discovery: svc } = discovery('auto', { [GENERIC]: 'served' })
    await svc.route(['artifact-version'])
    const later = await svc.route(['model-version', 'artifact-version'])
    expect(onlyGeneric.map((candidate) => candidate.path)).toEqual([ARTIFACTS, GENERIC, MODELS])
    expect(later.map((route) => route.kind === 'routed' && [route.type, route.path])).toEqual([
      ['model-version', GENERIC],
      ['artifact-version', GENERIC],
    ])
    expect(asked.map((candidate) => candidate.path)).toEqual([MODELS, GENERIC, ARTIFACTS])
  })

  it('with api auto and neither served: refused, naming both URLs, control-plane-url or TFY_HOST, and the api setting', async () => {
    const { discovery: found } = discovery('auto', {})
    const [route] = await found.route(['artifact-version'])
    expect(route).toEqual({
      kind: 'refused',
      message:
        `${urlOf(ARTIFACTS)} does not serve the artifact-versions endpoint: a POST without a manifest ${NOT_FOUND}; ` +
        `nor does ${urlOf(GENERIC)} serve the generic delete endpoint (it ${NOT_FOUND}); nothing was deleted. ` +
        "Check control-plane-url (or TFY_HOST): it is the control plane's base URL, such as https://your-org.truefoundry.cloud. " +
        'The api setting is auto, which asks both generations (ml-v1 or svc-v1 asks only one)',
    })
  })

  it('with api auto, asks no further after an answer that is not a 404 or 405 (a redirect, a rejected token), nor for the kinds after', async () => {
    const { asked, discovery: found } = discovery('auto', { [ARTIFACTS]: 'refused', [MODELS]: 'served', [GENERIC]: 'served' })
    expect(await found.route(['artifact-version', 'model-version'])).toEqual([
      { kind: 'refused', message: `refused at ${ARTIFACTS}` },
      { kind: 'refused', message: `refused at ${ARTIFACTS}` },
    ])
    expect(asked.map((candidate) => candidate.path)).toEqual([ARTIFACTS])
  })

  it('passes a cancellation through', async () => {
    const { discovery: found } = discovery('auto', { [ARTIFACTS]: 'cancelled' })
    expect(await found.route(['artifact-version'])).toEqual([{ kind: 'cancelled' }])
  })

  it.each([
    ['ml-v1', ARTIFACTS],
    ['svc-v1', GENERIC],
  ] as const)('with api %s, asks only that endpoint, and says so when it is not served', async (api, path) => {
    const { asked, discovery: found } = discovery(api, {})
    expect(await found.route(['artifact-version'])).toEqual([
      {
        kind: 'refused',
        message: `${urlOf(path)} does not serve it. The api setting is ${api}, which asks only this endpoint (auto asks both generations)`,
      },
    ])
    expect(asked).toEqual([{ path, generation: api }])
    const { discovery: served } = discovery(api, { [path]: 'served' })
    expect(await served.route(['artifact-version'])).toEqual([
      { kind: 'routed', type: 'artifact-version', path, generation: api, unserved: [] },
    ])
  })
})

describe('candidatesFor', () => {
  it("asks a kind's per-kind endpoint, then the generic one, with api auto; the one named otherwise", () => {
    const { endpoints } = MANIFEST_KINDS['model-version']
    expect(candidatesFor('model-version', endpoints, 'auto')).toEqual([
      { path: MODELS, generation: 'ml-v1' },
      { path: GENERIC, generation: 'svc-v1' },
    ])
    expect(candidatesFor('model-version', endpoints, 'svc-v1')).toEqual([{ path: GENERIC, generation: 'svc-v1' }])
  })

  it('refuses, before anything is asked, a kind without a per-kind endpoint when api is ml-v1, saying which api deletes it', () => {
    const genericOnly = { 'ml-v1': null, 'svc-v1': GENERIC }
    expect(candidatesFor('data-dir', genericOnly, 'ml-v1')).toEqual({
      refused:
        'The api setting is ml-v1, whose per-kind endpoints do not delete data-dir manifests: only the generic api/svc/v1/delete does, which api svc-v1 or auto uses; nothing was deleted',
    })
    expect(candidatesFor('data-dir', genericOnly, 'auto')).toEqual([{ path: GENERIC, generation: 'svc-v1' }])
  })

  it('with api auto, a kind with no per-kind endpoint (a data directory) asks only the generic one, and says why when it is not served', async () => {
    const { asked, discovery: found } = discovery('auto', { [ARTIFACTS]: 'served' })
    expect(await found.route(['data-dir'])).toEqual([
      {
        kind: 'refused',
        message: `${urlOf(GENERIC)} does not serve it. The api setting is auto, but data-dir manifests have no per-kind endpoint: only the generic one deletes them`,
      },
    ])
    expect(asked).toEqual([{ path: GENERIC, generation: 'svc-v1' }])
  })
})
