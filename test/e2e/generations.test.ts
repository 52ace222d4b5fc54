// The built action against control planes of each API generation: one serving
// only the per-kind endpoints the docs show, one serving only the generic
// POST /api/svc/v1/delete, one serving both, and one serving neither; with the
// api input left to auto and set to each generation.
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
const GENERIC = '/api/svc/v1/delete'

/** An artifact version without `type` (the default kind) and a model version with it. */
const FILES = {
  'artifact.yaml': 'name: churn\nml_repo: previews\nversion: 3\nmetadata: {}\nsource:\n  type: truefoundry\n',
  'model.yaml':
    'type: model-version\nname: churn\nml_repo: previews\nversion: 3\nmetadata: {}\nsource:\n  type: local\n  file_or_folder: ./model\n',
}
const EXISTING = ['previews/churn@3', 'model-version:previews/churn@3']
/** The bytes validation gives each manifest: what must be sent, whichever endpoint it goes to. */
const VALIDATED = Object.values(FILES).map((text) => {
  const verdict = checkManifest(parse(text))
  if (!verdict.valid) throw new Error('the test manifests are valid')
  return verdict.body
})

let standIn: StandIn | undefined
afterEach(async () => {
  await standIn?.close()
  standIn = undefined
})

/** Runs the action on the two manifests against a control plane serving `serves`, with api as given ('unset': the input not given). */
async function workspaceWithManifests(): Promise<string> {
  const workspace = await scratchDir('generations-')
  for (const [name, text] of Object.entries(FILES)) await writeFile(path.join(workspace, name), text)
  return workspace
}

async function cleanup(serves: StandInOptions['serves'] | 'neither', api = 'unset') {
  standIn = await startStandIn({
    token: TOKEN,
    existing: EXISTING,
    ...(serves === 'neither' ? { serves: 'ml-v1', probe: notFound } : { serves }),
  })
  const run = await runAction({
    entry: BUILT_ACTION,
    workspace: await workspaceWithManifests(),
    inputs: { 'manifest-path': '*.yaml', 'control-plane-url': standIn.url, token: TOKEN, ...(api === 'unset' ? {} : { api }) },
  })
  const requests = standIn.requests.map((request) => [request.path, request.body])
  const probes = standIn.probes.map((probe) => probe.path)
  const statuses = (JSON.parse(run.outputs.results!) as { type: string; status: string }[]).map((row) => [row.type, row.status])
  return { run, requests, probes, statuses }
}

const notFound: StandInOptions['probe'] = (_request, response) => {
  response.writeHead(404, { 'content-type': 'application/json' })
  response.end('{"detail":"Not Found"}')
  return 'handled'
}

const DELETED = [
  ['artifact-version', 'deleted'],
  ['model-version', 'deleted'],
]
const SKIPPED = Array(2).fill([expect.any(String), 'skipped'])

describe('the built action and the API generations', () => {
  it.for([
    ['both', 'unset'],
    ['both', 'auto'],
    ['both', 'ml-v1'],
    ['ml-v1', 'unset'],
    ['ml-v1', 'ml-v1'],
  ] as const)('a control plane serving %s, api %s: the per-kind endpoints, the generic one never called', async ([serves, api]) => {
    const { run, requests, probes, statuses } = await cleanup(serves, api)
    expect(run.exitCode, run.stdout).toBe(0)
    expect(statuses).toEqual(DELETED)
    expect(probes).toEqual([ARTIFACTS, MODELS])
    expect(requests.sort()).toEqual([
      [ARTIFACTS, VALIDATED[0]],
      [MODELS, VALIDATED[1]],
    ])
    expect(run.stdout).toContain(`artifact-version manifests go to ${standIn!.url}${ARTIFACTS}.`)
    expect(run.stdout).toContain(`Sending to ${standIn!.url}${ARTIFACTS} and ${standIn!.url}${MODELS}, 4 at a time`)
    expect(run.summary).toContain(
      '<p>Sent to <code>api/ml/v1/artifact-versions</code> (artifact-version), <code>api/ml/v1/model-versions</code> (model-version)</p>',
    )
  })

  it.for([
    ['svc-v1', 'unset'],
    ['svc-v1', 'auto'],
    ['svc-v1', 'svc-v1'],
    ['both', 'svc-v1'],
  ] as const)(
    'a control plane serving %s, api %s: everything to POST /api/svc/v1/delete, each body with its type, checked once',
    async ([serves, api]) => {
      const { run, requests, probes, statuses } = await cleanup(serves, api)
      expect(run.exitCode, run.stdout).toBe(0)
      expect(statuses).toEqual(DELETED)
      const asked = api === 'svc-v1' ? [GENERIC] : [ARTIFACTS, GENERIC, MODELS]
      expect(probes).toEqual(asked)
      expect(requests.sort()).toEqual([
        [GENERIC, VALIDATED[0]],
        [GENERIC, VALIDATED[1]],
      ])
      for (const [, body] of requests) expect(JSON.parse(body!)).toMatchObject({ manifest: { type: expect.any(String) } })
      expect(run.stdout).toContain(`Sending to ${standIn!.url}${GENERIC}, 4 at a time`)
      if (api !== 'svc-v1') {
        expect(run.stdout).toContain(`model-version manifests go to ${standIn!.url}${GENERIC}, as ${standIn!.url}${MODELS} is not served.`)
      }
      expect(run.summary).toContain('<p>Sent to <code>api/svc/v1/delete</code> (artifact-version, model-version)</p>')
    },
  )

  it('sends the bytes validated, the same on either generation: the default kind with "type":"artifact-version" written out', async () => {
    const perKind = (await cleanup('ml-v1')).requests.sort()
    await standIn!.close()
    const generic = (await cleanup('svc-v1')).requests.sort()
    expect(perKind.map(([, body]) => body)).toEqual(generic.map(([, body]) => body))
    expect(perKind.map(([, body]) => body)).toEqual(VALIDATED)
    expect(VALIDATED[0]).toBe(
      '{"manifest":{"type":"artifact-version","name":"churn","ml_repo":"previews","version":3,"metadata":{},"source":{"type":"truefoundry"}}}',
    )
  })

  it.for([
    ['ml-v1', 'svc-v1', GENERIC],
    ['svc-v1', 'ml-v1', ARTIFACTS],
  ] as const)(
    'a control plane serving %s, api %s: only that endpoint is asked, and the step fails before any delete, naming it and api',
    async ([serves, api, asked]) => {
      const { run, requests, probes, statuses } = await cleanup(serves, api)
      expect(run.exitCode).toBe(1)
      expect(requests).toEqual([])
      expect(probes).toEqual([asked])
      expect(statuses).toEqual(SKIPPED)
      expect(run.stdout).toMatch(
        new RegExp(
          `^::error::${escape(`${standIn!.url}${asked}`)} does not serve the .* endpoint: .*HTTP 404.*The api setting is ${api}, which asks only this endpoint`,
          'm',
        ),
      )
    },
  )

  it('a control plane serving neither: the step fails before any delete, naming both URLs tried, control-plane-url and api', async () => {
    const { run, requests, probes, statuses } = await cleanup('neither')
    expect(run.exitCode).toBe(1)
    expect(requests).toEqual([])
    expect(probes).toEqual([ARTIFACTS, GENERIC])
    expect(statuses).toEqual(SKIPPED)
    const error = run.stdout.split('\n').find((line) => line.startsWith('::error::'))
    expect(error).toContain(`${standIn!.url}${ARTIFACTS} does not serve the artifact-versions endpoint`)
    expect(error).toContain(`nor does ${standIn!.url}${GENERIC} serve the generic delete endpoint`)
    expect(error).toContain('Check control-plane-url (or TFY_HOST)')
    expect(error).toContain('The api setting is auto')
    expect(run.summary).not.toContain('Sent to')
  })
})

describe('the command line and the API generations', () => {
  it('takes --api with the same words: svc-v1 sends only to POST /api/svc/v1/delete; a bad word names the flag', async () => {
    standIn = await startStandIn({ token: TOKEN, existing: EXISTING, serves: 'both' })
    const workspace = await workspaceWithManifests()
    const run = await runCli(['--api', 'svc-v1', '--json', '*.yaml'], workspace, { TFY_HOST: standIn.url, TFY_API_KEY: TOKEN })
    expect(run.code, run.stderr).toBe(0)
    expect((JSON.parse(run.stdout) as { status: string }[]).map((row) => row.status)).toEqual(['deleted', 'deleted'])
    expect(standIn.probes.map((probe) => probe.path)).toEqual([GENERIC])
    expect(standIn.requests.map((request) => request.path)).toEqual([GENERIC, GENERIC])
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
