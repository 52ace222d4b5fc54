// run() with a recording stand-in for @actions/core, a temp workspace and the
// stand-in control plane: the story of one run, phase by phase.
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { run, type Core, type Dependencies } from '../src/main.ts'
import { startStandIn, type StandIn } from './support/stand-in-control-plane.ts'

const TOKEN = 'main-test-token-3a9d'

interface Recorded {
  lines: string[]
  outputs: Record<string, unknown>
  failed: string | null
  summary: string
  secrets: string[]
}

function recordingCore(inputs: Record<string, string>): Core & { recorded: Recorded } {
  const recorded: Recorded = { lines: [], outputs: {}, failed: null, summary: '', secrets: [] }
  return {
    recorded,
    getInput: (name) => inputs[name] ?? '',
    setSecret: (secret) => void recorded.secrets.push(secret),
    info: (message) => void recorded.lines.push(message),
    warning: (message) => void recorded.lines.push(`warning: ${message}`),
    error: (message) => void recorded.lines.push(`error: ${message}`),
    notice: (message) => void recorded.lines.push(`notice: ${message}`),
    group: async (name, fn) => {
      recorded.lines.push(`group: ${name}`)
      return fn()
    },
    setOutput: (name, value) => void (recorded.outputs[name] = value),
    setFailed: (message) => void (recorded.failed = message),
    summary: { addRaw: (text) => ({ write: async () => void (recorded.summary += text) }) },
  }
}

async function workspaceWith(files: Record<string, string>): Promise<string> {
  const workspace = await mkdtemp(path.join(tmpdir(), 'main-test-'))
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(workspace, name)), { recursive: true })
    await writeFile(path.join(workspace, name), content)
  }
  return workspace
}

function manifest(name: string, version: number): string {
  return `name: ${name}\nml_repo: previews\nversion: ${version}\nmetadata: {}\nsource:\n  type: truefoundry\n`
}

function deps(core: Core, workspace: string, extra: Partial<Dependencies> = {}): Dependencies {
  return {
    core,
    env: {},
    workspace,
    cancel: new AbortController().signal,
    abortInFlight: new AbortController().signal,
    runContext: async () => ({ repository: 'acme/models', pullRequest: 12, runUrl: null }),
    backoff: { baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 50 },
    ...extra,
  }
}

let standIn: StandIn | undefined
afterEach(async () => {
  await standIn?.close()
  standIn = undefined
})

describe('run', () => {
  it.each([
    ['warn', 'warning: No files were found with the provided path: missing/*.yaml.', null],
    ['error', null, 'No files were found with the provided path: missing/*.yaml.'],
    ['ignore', 'No files were found with the provided path: missing/*.yaml.', null],
  ])('with no matching file and if-no-files-found %s, says so and sets empty outputs', async (mode, line, failure) => {
    const core = recordingCore({ 'manifest-path': 'missing/*.yaml', 'dry-run': 'true', 'if-no-files-found': mode })
    expect(await run(deps(core, await workspaceWith({})))).toEqual([])
    if (line) expect(core.recorded.lines.some((text) => text.startsWith(line))).toBe(true)
    if (failure) expect(core.recorded.failed).toContain(failure)
    else expect(core.recorded.failed).toBeNull()
    expect(core.recorded.outputs).toEqual({ deleted: 0, failed: 0, results: '[]' })
  })

  it('registers the token as a secret before it can be logged', async () => {
    const core = recordingCore({ 'manifest-path': '*.yaml', 'control-plane-url': 'http://127.0.0.1:9', token: TOKEN, concurrency: 'many' })
    await run(deps(core, await workspaceWith({})))
    expect(core.recorded.secrets).toEqual([TOKEN])
    expect(core.recorded.failed).toContain('Input "concurrency"')
  })

  it('logs progress on a long run and ends with the totals', async () => {
    standIn = await startStandIn({ token: TOKEN, existing: Array.from({ length: 30 }, (_, i) => `previews/model-${i}@1`) })
    const files = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`m/${String(i).padStart(2, '0')}.yaml`, manifest(`model-${i}`, 1)]))
    const core = recordingCore({ 'manifest-path': 'm/*.yaml', 'control-plane-url': standIn.url, token: TOKEN, concurrency: '1' })
    const results = await run(deps(core, await workspaceWith(files), { progressIntervalMs: 0 }))
    expect(results.every((result) => result.status === 'deleted')).toBe(true)
    expect(core.recorded.lines).toContain('deleted 1/30, 0 failed')
    expect(core.recorded.lines).toContain('notice: 30 deleted, 0 not found, 0 failed, 0 invalid, 0 skipped')
    expect(core.recorded.outputs.deleted).toBe(30)
    expect(core.recorded.summary).toContain('pull request #12 in acme/models')
    expect(core.recorded.failed).toBeNull()
  })

  it('with fail-on-error false, reports failures as a warning and does not fail', async () => {
    standIn = await startStandIn({ token: TOKEN })
    const core = recordingCore({
      'manifest-path': '*.yaml',
      'control-plane-url': standIn.url,
      token: TOKEN,
      'missing-ok': 'false',
      'fail-on-error': 'false',
    })
    const results = await run(deps(core, await workspaceWith({ 'a.yaml': manifest('gone', 4) })))
    expect(results[0]).toMatchObject({ status: 'failed', http_status: 404 })
    expect(core.recorded.failed).toBeNull()
    expect(core.recorded.outputs.failed).toBe(1)
    expect(core.recorded.lines.some((line) => line.startsWith('warning: 1 manifest failed or was invalid (fail-on-error is false)'))).toBe(true)
  })

  it('warns when the results output is larger than the runner lets a step read, and only then', async () => {
    const files = { 'many.yaml': Array.from({ length: 20 }, (_, index) => manifest(`model-${index}`, 1)).join('---\n') }
    const size = async (outputLimitBytes: number) => {
      const core = recordingCore({ 'manifest-path': '*.yaml', 'dry-run': 'true' })
      await run(deps(core, await workspaceWith(files), { outputLimitBytes }))
      return { json: String(core.recorded.outputs.results), warnings: core.recorded.lines.filter((line) => line.startsWith('warning: The results output')) }
    }
    const { json } = await size(Infinity)
    const bytes = Buffer.byteLength(json)
    expect((await size(bytes)).warnings).toEqual([])
    const over = await size(bytes - 1)
    expect(over.json).toBe(json)
    expect(over.warnings).toEqual([
      `warning: The results output is ${Math.ceil(bytes / 1024)} KiB, more than the ${(bytes - 1) / 1e6} MB GitHub allows an output: a step that reads it may fail. The log above lists every manifest.`,
    ])
  })

  it('sends nothing once cancelled, marks every version skipped and fails the step', async () => {
    standIn = await startStandIn({ token: TOKEN })
    const cancel = new AbortController()
    cancel.abort()
    const core = recordingCore({ 'manifest-path': '*.yaml', 'control-plane-url': standIn.url, token: TOKEN })
    const results = await run(deps(core, await workspaceWith({ 'a.yaml': manifest('one', 1), 'b.yaml': manifest('two', 2) }), { cancel: cancel.signal }))
    expect(standIn.requests).toHaveLength(0)
    expect(results.map((result) => [result.status, result.message])).toEqual([
      ['skipped', 'not sent: cancelled'],
      ['skipped', 'not sent: cancelled'],
    ])
    expect(core.recorded.failed).toMatch(/^The cleanup was cancelled: 0 deleted/)
    expect(core.recorded.summary).toContain('not sent: cancelled')
  })
})
