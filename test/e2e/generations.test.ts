// The built action against control planes of each API generation: one serving
// only the per-kind endpoints the docs show, one serving only the generic
// POST /api/svc/v1/delete, one serving both, and one serving neither; with the
// api input left unset, auto, and set to each generation; on one manifest of
// each kind (a data directory has only the generic endpoint), and with the
// kinds the action never deletes beside them.
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parse } from 'yaml'
import { afterEach, describe, expect, it } from 'vitest'
import { BUILT_ACTION } from './support/bundle.ts'
import { runCli } from './support/run-cli.ts'
import { runAction } from '../../fakes/run-action.ts'
import { startStandIn, type StandIn, type StandInOptions } from '../../fakes/stand-in-control-plane.ts'
import { checkManifest } from '../../src/manifests/schema-check.ts'
import { scratchDir } from '../support/scratch.ts'

const TOKEN = 'tfy-secret-generations-51d2'
const ARTIFACTS = '/api/ml/v1/artifact-versions'
const MODELS = '/api/ml/v1/model-versions'
const PROMPTS = '/api/ml/v1/prompt-versions'
const GENERIC = '/api/svc/v1/delete'

/** One manifest of each kind, the artifact version without `type` (the default kind). */
const FILES = {
  'artifact.yaml': 'name: churn\nml_repo: previews\nversion: 3\nmetadata: {}\nsource:\n  type: truefoundry\n',
  'model.yaml':
    'type: model-version\nname: churn\nml_repo: previews\nversion: 3\nmetadata: {}\nsource:\n  type: local\n  file_or_folder: ./model\n',
  'prompt.yaml':
    'type: chat_prompt\nname: reply\nml_repo: previews\nversion: 3\nmetadata: {}\nmessages:\n  - role: system\n    content: Answer briefly.\n',
  'sample.yaml':
    'type: data-dir\nname: churn-sample-pr7\nml_repo: previews\nmetadata: {}\nsource:\n  type: external\n  uri: s3://acme-ml/previews/churn-sample/pr-7/\n',
}
const KINDS = ['artifact-version', 'model-version', 'chat_prompt', 'data-dir'] as const
const PER_KIND = [ARTIFACTS, MODELS, PROMPTS]
const EXISTING = [
  'previews/churn@3',
  'model-version:previews/churn@3',
  'chat_prompt:previews/reply@3',
  'data-dir:previews/churn-sample-pr7',
]
/** The bytes validation gives each manifest: what must be sent, whichever endpoint it goes to. */
const VALIDATED = Object.values(FILES).map((text) => {
  const verdict = checkManifest(parse(text))
  if (!verdict.valid) throw new Error('the test manifests are valid')
  return verdict.body
})

/** Kinds the action never deletes, each written beside the valid manifests, with the words that say why. */
const REFUSED = {
  'repo.yaml': ['type: ml-repo\nname: previews\nstorage_integration_fqn: default\n', 'deleting an ML repo deletes everything in it'],
  'service.yaml': ['type: service\nname: churn-api\n', '`tfy delete -f` deletes deployments'],
} as const

let standIn: StandIn | undefined
afterEach(async () => {
  await standIn?.close()
  standIn = undefined
})

async function workspaceWithManifests(files: Record<string, string> = FILES): Promise<string> {
  const workspace = await scratchDir('generations-')
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(workspace, name), text)
  return workspace
}

type Serves = StandInOptions['serves'] | 'neither'
type ApiWord = 'unset' | 'auto' | 'ml-v1' | 'svc-v1'

/** Runs the action on `files` against a control plane serving `serves`, with api as given ('unset': the input not given). */
async function cleanup(serves: Serves, api: ApiWord = 'unset', files: Record<string, string> = FILES) {
  standIn = await startStandIn({
    token: TOKEN,
    existing: EXISTING,
    ...(serves === 'neither' ? { serves: 'ml-v1', probe: notFound } : { serves }),
  })
  const run = await runAction({
    entry: BUILT_ACTION,
    workspace: await workspaceWithManifests(files),
    inputs: { 'manifest-path': '*.yaml', 'control-plane-url': standIn.url, token: TOKEN, ...(api === 'unset' ? {} : { api }) },
  })
  const requests = standIn.requests.map((request) => [request.path, request.body])
  const probes = standIn.probes.map((probe) => probe.path)
  const statuses = (JSON.parse(run.outputs.results!) as { type: string; status: string }[]).map((row) => [row.type, row.status])
  const error = run.stdout.split('\n').find((line) => line.startsWith('::error::'))
  return { run, requests, probes, statuses, error }
}

const notFound: StandInOptions['probe'] = (_request, response) => {
  response.writeHead(404, { 'content-type': 'application/json' })
  response.end('{"detail":"Not Found"}')
  return 'handled'
}

const DELETED = KINDS.map((kind) => [kind, 'deleted'])
const SKIPPED = KINDS.map((): unknown[] => [expect.any(String), 'skipped'])
const ALL_GENERIC = KINDS.map(() => GENERIC)
const summaryOf = (sent: string[][]) =>
  `<p>Sent to ${sent.map(([endpoint, types]) => `<code>${endpoint!.slice(1)}</code> (${types})`).join(', ')}</p>`

describe('the built action and the API generations, with one manifest of each kind', () => {
  // Where each kind goes, in KINDS' order, and the endpoints asked, sorted.
  it.for([
    ['both', 'unset', [...PER_KIND, GENERIC], [...PER_KIND, GENERIC]],
    ['both', 'auto', [...PER_KIND, GENERIC], [...PER_KIND, GENERIC]],
    ['svc-v1', 'unset', ALL_GENERIC, [...PER_KIND, GENERIC]],
    ['svc-v1', 'auto', ALL_GENERIC, [...PER_KIND, GENERIC]],
    ['svc-v1', 'svc-v1', ALL_GENERIC, [GENERIC]],
    ['both', 'svc-v1', ALL_GENERIC, [GENERIC]],
  ] as const)(
    'a control plane serving %s, api %s: each kind to its endpoint, each endpoint checked once, the bytes validated sent',
    async ([serves, api, routes, asked]) => {
      const { run, requests, probes, statuses } = await cleanup(serves, api)
      expect(run.exitCode, run.stdout).toBe(0)
      expect(statuses).toEqual(DELETED)
      expect(probes.sort()).toEqual(asked)
      expect(requests.sort()).toEqual(routes.map((endpoint, i) => [endpoint, VALIDATED[i]]).sort())
      for (const [, body] of requests) expect(JSON.parse(body!)).toMatchObject({ manifest: { type: expect.any(String) } })
      for (const [i, kind] of KINDS.entries()) expect(run.stdout).toContain(`${kind} manifests go to ${standIn!.url}${routes[i]}`)
      const sent = [...new Set(routes)].map((endpoint) => [endpoint, KINDS.filter((_, i) => routes[i] === endpoint).join(', ')])
      expect(run.summary).toContain(summaryOf(sent))
      if (serves === 'svc-v1' && api !== 'svc-v1') {
        expect(run.stdout).toContain(`model-version manifests go to ${standIn!.url}${GENERIC}, as ${standIn!.url}${MODELS} is not served.`)
      }
    },
  )

  it('sends the bytes validated, the same on either generation: the default kind with "type":"artifact-version" written out', async () => {
    const bodies = async (serves: 'both' | 'svc-v1', api: ApiWord) => (await cleanup(serves, api)).requests.map(([, body]) => body).sort()
    const perKind = await bodies('both', 'auto')
    await standIn!.close()
    const generic = await bodies('svc-v1', 'svc-v1')
    expect(perKind).toEqual(generic)
    expect(perKind).toEqual([...VALIDATED].sort())
    expect(VALIDATED[0]).toBe(
      '{"manifest":{"type":"artifact-version","name":"churn","ml_repo":"previews","version":3,"metadata":{},"source":{"type":"truefoundry"}}}',
    )
  })

  // A data directory has no per-kind endpoint: where only the per-kind endpoints are in use, nothing at all is deleted.
  it.for([
    [
      'ml-v1',
      'unset',
      [GENERIC],
      'The api setting is auto, but data-dir manifests have no per-kind endpoint: only the generic one deletes them',
    ],
    [
      'ml-v1',
      'auto',
      [GENERIC],
      'The api setting is auto, but data-dir manifests have no per-kind endpoint: only the generic one deletes them',
    ],
    ['ml-v1', 'ml-v1', [], 'The api setting is ml-v1, whose per-kind endpoints do not delete data-dir manifests'],
    ['both', 'ml-v1', [], 'The api setting is ml-v1, whose per-kind endpoints do not delete data-dir manifests'],
    ['svc-v1', 'ml-v1', [], 'The api setting is ml-v1, whose per-kind endpoints do not delete data-dir manifests'],
    ['ml-v1', 'svc-v1', [GENERIC], 'The api setting is svc-v1, which asks only this endpoint'],
  ] as const)(
    'a control plane serving %s, api %s: the step fails before any delete, saying which endpoint or api is missing',
    async ([serves, api, asked, says]) => {
      const { run, requests, probes, statuses, error } = await cleanup(serves, api)
      expect(run.exitCode, run.stdout).toBe(1)
      expect(requests).toEqual([])
      expect(statuses).toEqual(SKIPPED)
      expect(probes.filter((probe) => !PER_KIND.includes(probe))).toEqual(asked)
      expect(error).toContain(says)
      if (api === 'ml-v1') expect(error).toContain('only the generic api/svc/v1/delete does, which api svc-v1 or auto uses')
      if (asked.length > 0) expect(error).toContain(`${standIn!.url}${GENERIC} does not serve the delete endpoint`)
      if (asked.length > 0) expect(error).toContain('Check control-plane-url (or TFY_HOST)')
      expect(run.summary).not.toContain('Sent to')
    },
  )

  it.for([
    ['svc-v1', 'ml-v1', ARTIFACTS],
    ['ml-v1', 'svc-v1', GENERIC],
  ] as const)(
    'a control plane serving %s, api %s, the artifact and model versions only: only that endpoint is asked, and the step fails before any delete, naming it and api',
    async ([serves, api, asked]) => {
      const { run, requests, probes, statuses } = await cleanup(serves, api, {
        'artifact.yaml': FILES['artifact.yaml'],
        'model.yaml': FILES['model.yaml'],
      })
      expect(run.exitCode).toBe(1)
      expect(requests).toEqual([])
      expect(probes).toEqual([asked])
      expect(statuses).toEqual(SKIPPED.slice(0, 2))
      expect(run.stdout).toMatch(
        new RegExp(
          `^::error::${escape(`${standIn!.url}${asked}`)} does not serve the .* endpoint: .*HTTP 404.*The api setting is ${api}, which asks only this endpoint`,
          'm',
        ),
      )
    },
  )

  it('a control plane serving neither: the step fails before any delete, naming both URLs tried, control-plane-url and api', async () => {
    const { run, requests, probes, statuses, error } = await cleanup('neither')
    expect(run.exitCode).toBe(1)
    expect(requests).toEqual([])
    expect(probes).toEqual([ARTIFACTS, GENERIC])
    expect(statuses).toEqual(SKIPPED)
    expect(error).toContain(`${standIn!.url}${ARTIFACTS} does not serve the artifact-versions endpoint`)
    expect(error).toContain(`nor does ${standIn!.url}${GENERIC} serve the generic delete endpoint`)
    expect(error).toContain('Check control-plane-url (or TFY_HOST)')
    expect(error).toContain('The api setting is auto')
    expect(run.summary).not.toContain('Sent to')
  })

  const everyPlane = (['ml-v1', 'svc-v1', 'both'] as const).flatMap((serves) =>
    (['unset', 'auto', 'ml-v1', 'svc-v1'] as const).map((api) => [serves, api] as const),
  )
  it.for(everyPlane)(
    'a control plane serving %s, api %s: an ml-repo and a service manifest beside the four kinds: nothing at all is sent, and the step fails saying why',
    async ([serves, api]) => {
      const files = { ...FILES, ...Object.fromEntries(Object.entries(REFUSED).map(([name, [text]]) => [name, text])) }
      const { run, requests, probes } = await cleanup(serves, api, files)
      expect(run.exitCode, run.stdout).toBe(1)
      expect(probes).toEqual([])
      expect(requests).toEqual([])
      for (const [name, [, says]] of Object.entries(REFUSED)) {
        expect(run.stdout).toMatch(new RegExp(`^::error title=Invalid manifest,file=${escape(name)},.*${escape(says)}`, 'm'))
      }
      expect(run.summary).not.toContain('Sent to')
    },
  )
})

describe('the command line and the API generations', () => {
  it('takes --api with the same words: svc-v1 sends every kind only to POST /api/svc/v1/delete; a bad word names the flag', async () => {
    standIn = await startStandIn({ token: TOKEN, existing: EXISTING, serves: 'both' })
    const workspace = await workspaceWithManifests()
    const run = await runCli(['--api', 'svc-v1', '--json', '*.yaml'], workspace, { TFY_HOST: standIn.url, TFY_API_KEY: TOKEN })
    expect(run.code, run.stderr).toBe(0)
    expect((JSON.parse(run.stdout) as { type: string; status: string }[]).map((row) => [row.type, row.status])).toEqual(DELETED)
    expect(standIn.probes.map((probe) => probe.path)).toEqual([GENERIC])
    expect(standIn.requests.map((request) => request.path)).toEqual(ALL_GENERIC)
    const wrong = await runCli(['--api', 'v2', '--dry-run', '*.yaml'], workspace)
    expect(wrong.code).toBe(1)
    expect(wrong.stdout).toContain('--api must be one of auto, ml-v1, svc-v1, got "v2".')
  })

  it("the stand-in's generic endpoint, like TrueFoundry's CLI, refuses a manifest without type (422): the action never sends one", async () => {
    standIn = await startStandIn({ token: TOKEN, existing: EXISTING, serves: 'svc-v1' })
    const untyped = JSON.stringify({ manifest: parse(FILES['artifact.yaml']) as unknown })
    const response = await fetch(`${standIn.url}${GENERIC}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: untyped,
    })
    expect(response.status).toBe(422)
    expect(VALIDATED[0]).not.toBe(untyped)
  })
})

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}
