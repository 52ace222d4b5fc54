// run() with a recording stand-in for @actions/core, a temp workspace and the
// stand-in control plane: the story of one run, phase by phase.
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { Writable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { createControlPlane } from '../../src/deletion/control-plane.ts'
import { backlog } from '../../src/runner/log-stream.ts'
import { TABLE_PIECE_CHARS } from '../../src/report/report.ts'
import { run, type Core, type Dependencies } from '../../src/run.ts'
import type { Result } from '../../src/results/result.ts'
import { startStandIn, type StandIn } from '../../fakes/stand-in-control-plane.ts'
import { scratchDir } from '../support/scratch.ts'

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
    // A message of several lines is several lines of the log, as the runner reads it.
    info: (message) => void recorded.lines.push(...message.split('\n')),
    warning: (message) => void recorded.lines.push(`warning: ${message}`),
    error: (message) => void recorded.lines.push(`error: ${message}`),
    notice: (message) => void recorded.lines.push(`notice: ${message}`),
    group: async (name, fn) => {
      recorded.lines.push(`group: ${name}`)
      return fn()
    },
    setOutput: (name, value) => void (recorded.outputs[name] = value),
    setFailed: (message) => void (recorded.failed = message),
    summary: { addRaw: (text) => ({ write: () => Promise.resolve(void (recorded.summary += text)) }) },
  }
}

async function workspaceWith(files: Record<string, string>): Promise<string> {
  const workspace = await scratchDir('main-test-')
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
    runContext: () => Promise.resolve({ repository: 'acme/models', pullRequest: 12, runUrl: null, serverUrl: null }),
    backoff: { baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 50 },
    ...extra,
  }
}

/** Runs, and reads back every row the run kept. */
async function rowsOf(dependencies: Dependencies): Promise<Result[]> {
  return [...(await run(dependencies)).rows()]
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
    expect(await rowsOf(deps(core, await workspaceWith({})))).toEqual([])
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
    const files = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [`m/${String(i).padStart(2, '0')}.yaml`, manifest(`model-${i}`, 1)]),
    )
    const core = recordingCore({ 'manifest-path': 'm/*.yaml', 'control-plane-url': standIn.url, token: TOKEN, concurrency: '1' })
    const results = await rowsOf(deps(core, await workspaceWith(files), { progressIntervalMs: 0 }))
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
    const results = await rowsOf(deps(core, await workspaceWith({ 'a.yaml': manifest('gone', 4) })))
    expect(results[0]).toMatchObject({ status: 'failed', http_status: 404 })
    expect(core.recorded.failed).toBeNull()
    expect(core.recorded.outputs.failed).toBe(1)
    expect(core.recorded.lines.some((line) => line.startsWith('warning: 1 manifest failed or was invalid (fail-on-error is false)'))).toBe(
      true,
    )
  })

  it('writes the log table no faster than the log is read, so a long table does not pile up in memory', async () => {
    const files = { 'many.yaml': Array.from({ length: 2000 }, (_, index) => manifest(`model-${index}`, 1)).join('---\n') }
    // A log read slowly, a line a turn of the event loop, as a busy runner might.
    const log = new Writable({ highWaterMark: 4096, write: (_chunk, _encoding, done) => void setImmediate(done) })
    let most = 0
    const core = recordingCore({ 'manifest-path': '*.yaml', 'dry-run': 'true' })
    core.info = (message) => {
      core.recorded.lines.push(...message.split('\n'))
      log.write(`${message}\n`)
      most = Math.max(most, log.writableLength)
    }
    await run(deps(core, await workspaceWith(files), { logBacklog: () => backlog(log as NodeJS.WriteStream) }))
    expect(core.recorded.lines.filter((line) => line.startsWith('🔍 dry run'))).toHaveLength(2000)
    // The buffer's mark, and the one piece of the table that crossed it (its last line may run past the piece's size).
    expect(most).toBeLessThan(4096 + TABLE_PIECE_CHARS + 1024)
  })

  it('sends nothing once cancelled, marks every version skipped and fails the step', async () => {
    standIn = await startStandIn({ token: TOKEN })
    const cancel = new AbortController()
    cancel.abort()
    const core = recordingCore({ 'manifest-path': '*.yaml', 'control-plane-url': standIn.url, token: TOKEN })
    const results = await rowsOf(
      deps(core, await workspaceWith({ 'a.yaml': manifest('one', 1), 'b.yaml': manifest('two', 2) }), { cancel: cancel.signal }),
    )
    expect(standIn.requests).toHaveLength(0)
    expect(results.map((result) => [result.status, result.message])).toEqual([
      ['skipped', 'not sent: cancelled'],
      ['skipped', 'not sent: cancelled'],
    ])
    expect(core.recorded.failed).toMatch(/^The cleanup was cancelled: 0 deleted/)
    expect(core.recorded.summary).toContain('not sent: cancelled')
  })

  describe('model versions', () => {
    function model(name: string, version: number, extra = ''): string {
      return `name: ${name}\nml_repo: previews\nversion: ${version}\ntype: model-version\nmetadata: {}\nsource:\n  type: local\n  file_or_folder: ./model\n${extra}`
    }
    const live = (url: string, extra: Record<string, string> = {}) =>
      recordingCore({ 'manifest-path': '*.yaml', 'control-plane-url': url, token: TOKEN, ...extra })

    it('deletes an artifact version and a model version of one name and number as two versions, each at its endpoint, after checking both endpoints', async () => {
      standIn = await startStandIn({ token: TOKEN, existing: ['previews/churn@3', 'model-version:previews/churn@3'] })
      const core = live(standIn.url)
      const results = await rowsOf(
        deps(core, await workspaceWith({ 'a.yaml': manifest('churn', 3), 'm.yaml': model('churn', 3, 'framework: { type: sklearn }\n') })),
      )
      expect(results.map((result) => [result.type, result.status])).toEqual([
        ['artifact-version', 'deleted'],
        ['model-version', 'deleted'],
      ])
      expect(standIn.requests.map((request) => request.path).sort()).toEqual(['/api/ml/v1/artifact-versions', '/api/ml/v1/model-versions'])
      expect(standIn.probes.map((probe) => probe.path)).toEqual(['/api/ml/v1/artifact-versions', '/api/ml/v1/model-versions'])
      expect(Math.max(...standIn.probes.map((probe) => probe.arrivedAt))).toBeLessThanOrEqual(
        Math.min(...standIn.requests.map((request) => request.arrivedAt)),
      )
      expect(core.recorded.lines).toContain('group: Delete 2 versions')
      expect(core.recorded.lines.some((line) => /^✅ deleted\s+model version\s+previews\s+churn\s+3\s/.test(line))).toBe(true)
      expect(core.recorded.summary).toContain('<td>model version</td>')
      expect((JSON.parse(String(core.recorded.outputs.results)) as Result[])[1]).toMatchObject({
        type: 'model-version',
        name: 'churn',
        version: 3,
      })
    })

    it('checks only the endpoints the run uses', async () => {
      standIn = await startStandIn({ token: TOKEN, existing: ['model-version:previews/m@1'] })
      await run(deps(live(standIn.url), await workspaceWith({ 'm.yaml': model('m', 1) })))
      expect(standIn.probes.map((probe) => probe.path)).toEqual(['/api/ml/v1/model-versions'])
    })

    it('deletes nothing, artifacts included, when the model endpoint is not served, and says which endpoint', async () => {
      standIn = await startStandIn({
        token: TOKEN,
        existing: ['previews/a@1', 'model-version:previews/m@1'],
        probe(request, response) {
          if (request.path !== '/api/ml/v1/model-versions') return
          response.writeHead(404, { 'content-type': 'application/json' })
          response.end('{"detail":"Not Found"}')
          return 'handled'
        },
      })
      const core = live(standIn.url)
      const results = await rowsOf(deps(core, await workspaceWith({ 'a.yaml': manifest('a', 1), 'm.yaml': model('m', 1) })))
      expect(standIn.requests).toHaveLength(0)
      expect(results.map((result) => result.status)).toEqual(['skipped', 'skipped'])
      expect(core.recorded.failed).toContain(`${standIn.url}/api/ml/v1/model-versions does not serve the model-versions endpoint`)
    })

    it('treats a model as the control plane answers it: 404 as not found, a 503 retried, a 422 invalid, echoing the token redacted', async () => {
      standIn = await startStandIn({
        token: TOKEN,
        existing: ['model-version:previews/busy@1'],
        script(request, response, index) {
          if (request.manifest?.name === 'busy' && index === standIn!.requests.findIndex((r) => r.manifest?.name === 'busy')) {
            response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' })
            response.end('{"detail":"busy"}')
            return 'handled'
          }
          if (request.manifest?.name === 'echo') {
            response.writeHead(422, { 'content-type': 'application/json' })
            response.end(
              JSON.stringify({ detail: [{ loc: ['header'], msg: `bad ${request.headers.authorization}`, type: 'value_error' }] }),
            )
            return 'handled'
          }
        },
      })
      const core = live(standIn.url)
      const files = { 'a.yaml': model('gone', 1), 'b.yaml': model('busy', 1), 'c.yaml': model('echo', 1) }
      const results = await rowsOf(deps(core, await workspaceWith(files)))
      expect(results.map((result) => [result.name, result.status, result.attempts])).toEqual([
        ['gone', 'not-found', 1],
        ['busy', 'deleted', 2],
        ['echo', 'invalid', 1],
      ])
      expect(results[2]!.message).toContain('bad Bearer ***')
      expect([...core.recorded.lines, core.recorded.summary, String(core.recorded.outputs.results)].join('\n')).not.toContain(TOKEN)
    })

    it('in a dry run, sends nothing and marks each model it would delete', async () => {
      const core = recordingCore({ 'manifest-path': '*.yaml', 'dry-run': 'true' })
      const results = await rowsOf(deps(core, await workspaceWith({ 'm.yaml': model('m', 1), 'a.yaml': manifest('m', 1) })))
      expect(results.map((result) => [result.type, result.status])).toEqual([
        ['artifact-version', 'dry-run'],
        ['model-version', 'dry-run'],
      ])
      expect(core.recorded.failed).toBeNull()
    })

    it('sends no model once cancelled', async () => {
      standIn = await startStandIn({ token: TOKEN, existing: ['model-version:previews/m@1'] })
      const cancel = new AbortController()
      cancel.abort()
      const results = await rowsOf(deps(live(standIn.url), await workspaceWith({ 'm.yaml': model('m', 1) }), { cancel: cancel.signal }))
      expect(standIn.requests).toHaveLength(0)
      expect(results[0]).toMatchObject({ type: 'model-version', status: 'skipped', message: 'not sent: cancelled' })
    })

    it('refuses a manifest without type that carries a model field, at the field, and sends nothing at all', async () => {
      standIn = await startStandIn({ token: TOKEN, existing: ['previews/a@1'] })
      const annotations: string[] = []
      const base = live(standIn.url)
      const core: Core & { recorded: Recorded } = {
        ...base,
        error: (message, properties) =>
          void annotations.push(`${properties?.title} ${properties?.file}:${properties?.startLine}: ${message}`),
        warning: (message, properties) =>
          void annotations.push(`${properties?.title} ${properties?.file}:${properties?.startLine}: ${message}`),
      }
      const untyped = 'name: m\nml_repo: previews\nversion: 1\nmetadata: {}\nsource: { type: truefoundry }\nframework:\n  type: sklearn\n'
      const typo = model('t', 1, 'framwork: { type: sklearn }\n')
      const results = await rowsOf(deps(core, await workspaceWith({ 'a.yaml': manifest('a', 1), 'm.yaml': untyped, 't.yaml': typo })))
      expect(standIn.requests).toHaveLength(0)
      expect(results.map((result) => [result.type, result.status])).toEqual([
        ['artifact-version', 'skipped'],
        [null, 'invalid'],
        ['model-version', 'skipped'],
      ])
      expect(annotations).toContain(
        'Invalid manifest m.yaml:6: framework: has no "type" but has "framework", a field of a model version only: add "type: model-version" to delete a model version (without "type", a manifest is an artifact version) (line 6)',
      )
      expect(annotations).toContain(
        'Unknown manifest field t.yaml:9: Unknown field "framwork": did you mean "framework"? The control plane does not use it.',
      )
    })
  })

  describe('whatever stops the run, every request sent is in every channel', () => {
    /** A control plane whose `failOn`-th request throws, as a defect would. */
    function crashingOn(failOn: number): Dependencies['connect'] {
      return (options) => {
        const real = createControlPlane(options)
        let sent = 0
        return {
          ...real,
          deleteVersion: (path, body, signal) =>
            ++sent === failOn ? Promise.reject(new Error('a defect')) : real.deleteVersion(path, body, signal),
        }
      }
    }

    it('a throw after some deletes: the deleted rows, the unknown one and the unsent ones, in the table, summary and outputs', async () => {
      standIn = await startStandIn({ token: TOKEN, existing: Array.from({ length: 5 }, (_, i) => `previews/model-${i}@1`) })
      const files = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`m/${i}.yaml`, manifest(`model-${i}`, 1)]))
      const core = recordingCore({ 'manifest-path': 'm/*.yaml', 'control-plane-url': standIn.url, token: TOKEN, concurrency: '1' })
      const results = await rowsOf(deps(core, await workspaceWith(files), { connect: crashingOn(3) }))

      expect(results.map((result) => result.status)).toEqual(['deleted', 'deleted', 'failed', 'skipped', 'skipped'])
      expect(results[2]!.message).toBe(
        "unknown: the run stopped on an unexpected error before this version's delete was answered; it may or may not be deleted",
      )
      expect(results[3]!.message).toBe('not sent: the run stopped on an unexpected error')
      expect(standIn.requests).toHaveLength(2)
      const outputs = JSON.parse(String(core.recorded.outputs.results)) as Result[]
      expect(outputs.map((result) => result.status)).toEqual(['deleted', 'deleted', 'failed', 'skipped', 'skipped'])
      expect(core.recorded.outputs.deleted).toBe(2)
      expect(core.recorded.summary).toContain('2 deleted')
      expect(core.recorded.lines.filter((line) => line.includes('model-1') && line.includes('deleted'))).toHaveLength(1)
      expect(core.recorded.failed).toMatch(/^The cleanup stopped on an unexpected error: Error: a defect\n/)
      expect(core.recorded.failed).toMatch(/So far: 2 deleted, 0 not found, 1 failed, 0 invalid, 2 skipped\.$/)
      // The failure is a sentence of its own, ended before the tally, whatever text it ends with.
      expect(core.recorded.failed).toMatch(/[.!?] So far: /)
    })

    it('with requests in flight when one throws: nothing new starts, and those in flight settle before the report', async () => {
      standIn = await startStandIn({ token: TOKEN, existing: Array.from({ length: 12 }, (_, i) => `previews/model-${i}@1`) })
      const files = Object.fromEntries(
        Array.from({ length: 12 }, (_, i) => [`m/${String(i).padStart(2, '0')}.yaml`, manifest(`model-${i}`, 1)]),
      )
      const core = recordingCore({ 'manifest-path': 'm/*.yaml', 'control-plane-url': standIn.url, token: TOKEN, concurrency: '4' })
      const results = await rowsOf(deps(core, await workspaceWith(files), { connect: crashingOn(2) }))
      await new Promise((resolve) => setTimeout(resolve, 100))
      const deleted = results.filter((result) => result.status === 'deleted').length
      // Every request that reached the server is in the results as deleted; none arrived after the report.
      expect(standIn.requests).toHaveLength(deleted)
      expect(results.filter((result) => result.status === 'failed')).toHaveLength(1)
      expect(deleted + results.filter((result) => result.status === 'skipped').length).toBe(11)
    })

    it.each([
      [
        'outputs',
        {
          setOutput: () => {
            throw new Error('EACCES: GITHUB_OUTPUT')
          },
        },
      ],
      ['job summary', { summary: { addRaw: () => ({ write: () => Promise.reject(new Error('EACCES: GITHUB_STEP_SUMMARY')) }) } }],
      [
        'notice',
        {
          notice: () => {
            throw new Error('EPIPE')
          },
        },
      ],
    ] as const)('the %s failing takes none of the other channels with it', async (channel, broken) => {
      const base = recordingCore({ 'manifest-path': '*.yaml', 'dry-run': 'true' })
      const core: Core & { recorded: typeof base.recorded } = { ...base, ...broken }
      await run(deps(core, await workspaceWith({ 'a.yaml': manifest('one', 1) })))
      const { lines, outputs, summary, failed } = core.recorded
      expect(lines.some((line) => line.startsWith(`warning: The ${channel} could not be written: `))).toBe(true)
      expect(lines.some((line) => /^🔍 dry run\s+artifact version\s+previews\s+one/.test(line))).toBe(true)
      if (channel !== 'outputs') expect(outputs.results).toBeDefined()
      if (channel !== 'job summary') expect(summary).toContain('would be deleted')
      if (channel !== 'notice')
        expect(lines).toContain('notice: 0 deleted, 0 not found, 0 failed, 0 invalid, 0 skipped, 1 would be deleted (dry run)')
      if (channel === 'outputs') expect(failed).toMatch(/^The step's outputs could not be written/)
      else expect(failed).toBeNull()
    })
  })

  it('prints no log line that the runner would read as a workflow command, whatever the files and manifests hold', async () => {
    const hostile = ['::warning title=x::a.yaml', '##[error]b.yaml', '  ::set-output name=x::c.yaml', '::add-mask::d.yaml']
    const files: Record<string, string> = Object.fromEntries(hostile.map((name, i) => [name, manifest(`model-${i}`, 1)]))
    files['e.yaml'] = 'name: "\n::error::injected"\nml_repo: "x\r\n##[group]y"\nversion: 1\nmetadata: {}\nsource: {type: truefoundry}\n'
    const core = recordingCore({ 'manifest-path': '*.yaml\n  ::*.yaml\n##*.yaml', 'dry-run': 'true' })
    const results = await rowsOf(deps(core, await workspaceWith(files)))
    expect(results).toHaveLength(5)
    const info = core.recorded.lines.filter((line) => !/^(warning|error|notice|group): /.test(line))
    expect(info.some((line) => line.includes('::warning title=x::a.yaml'))).toBe(true)
    for (const line of info) expect(line, line).not.toMatch(/^\s*(::|##\[)/)
    for (const line of info) expect(line, line).not.toMatch(/[\r\n]/)
  })

  it('prints at most 9 annotations of each kind in a run, the last counting the rest, so the runner still shows the verdict', async () => {
    const broken = Array.from(
      { length: 40 },
      (_, i) => `name: bad name ${i}\nml_repo: previews\nversion: 1\nverison: 1\nmetadata: {}\nsource: {type: truefoundry}\n`,
    )
    const files = { 'a.yaml': broken.slice(0, 20).join('---\n'), 'b.yaml': broken.slice(20).join('---\n') }
    const core = recordingCore({ 'manifest-path': '*.yaml', 'dry-run': 'true' })
    const results = await rowsOf(deps(core, await workspaceWith(files)))
    expect(results.filter((result) => result.status === 'invalid')).toHaveLength(40)
    const errors = core.recorded.lines.filter((line) => line.startsWith('error: '))
    const warnings = core.recorded.lines.filter((line) => line.startsWith('warning: '))
    expect(errors).toHaveLength(9)
    expect(errors.at(-1)).toBe(
      'error: 32 more errors like the ones above are not shown as annotations (a step shows 10 of each kind); the table in the log lists every manifest.',
    )
    expect(warnings).toHaveLength(9)
    expect(warnings.at(-1)).toMatch(/^warning: 32 more warnings like the ones above/)
    expect(core.recorded.failed).toMatch(/^40 manifests failed or were invalid/)
  })
})
