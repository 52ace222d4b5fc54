// The built action (test/e2e/support/bundle.ts: built from this source), run as the runner runs it, against the
// fault server: what a user sees in the log, outputs and summary.
import type { ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import type { Result, Status } from '../../src/results/result.ts'
import { after, hang, redirect, respond, startFaultServer, type Fault, type FaultPlan, type FaultServer } from '../../fakes/fault-server.ts'
import { BUILT_ACTION } from './support/bundle.ts'
import { runAction, type ActionRun } from '../../fakes/run-action.ts'
import { sampleManifest } from '../support/sample-manifests.ts'

/** With / and + as base64 keys have: servers escape and encode those. */
const TOKEN = 'tfy-secret/3b9f0d2c+71e4/action=='
/** The runner sends SIGTERM this long after SIGINT when the step is still running. */
const RUNNER_SIGTERM_AFTER_MS = 7500

/** Servers and workspaces that end with the test; the tests run concurrently, so each keeps its own. */
function harness(onTestFinished: (cleanup: () => Promise<void>) => void) {
  return {
    server: async (faults?: FaultPlan, count = 0): Promise<FaultServer> => {
      const keys = Array.from({ length: count }, (_, i) => `previews/model-${i}@${i + 1}`)
      const started = await startFaultServer({ token: TOKEN, existing: keys, faults })
      onTestFinished(() => started.close())
      return started
    },
    /** A workspace holding `files` (relative path → contents). */
    workspace: async (files: Record<string, string>): Promise<string> => {
      const root = await mkdtemp(path.join(tmpdir(), 'action-faults-'))
      onTestFinished(() => rm(root, { recursive: true, force: true }))
      for (const [name, contents] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(root, name)), { recursive: true })
        await writeFile(path.join(root, name), contents)
      }
      return root
    },
  }
}

/** `count` valid manifests, one per file under manifests/. */
function manifestFiles(count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`manifests/model-${i}.yaml`, JSON.stringify(sampleManifest(i))]))
}

function run(url: string, root: string, inputs: Record<string, string> = {}, onStart?: (child: ChildProcess) => void): Promise<ActionRun> {
  return runAction({
    entry: BUILT_ACTION,
    workspace: root,
    inputs: { 'manifest-path': 'manifests/**/*.yaml', 'control-plane-url': url, token: TOKEN, ...inputs },
    ...(onStart ? { onStart } : {}),
  })
}

function results(run: ActionRun): Result[] {
  return JSON.parse(run.outputs.results ?? '[]') as Result[]
}

describe('the token never leaves the process, whatever the server echoes', () => {
  const bearer = (request: { headers: { authorization?: string } }) => request.headers.authorization ?? ''
  const token = (request: { headers: { authorization?: string } }) => bearer(request).replace(/^Bearer /, '')
  const scenarios: [string, Fault, Status?][] = [
    ['a 500 echoing the Authorization header', respond(500, (request) => ({ detail: `bad header: ${bearer(request)}` }))],
    ['a 401 echoing it', respond(401, (request) => ({ detail: `invalid API key ${token(request)}` }))],
    [
      'a 422 echoing it in a detail msg',
      respond(422, (request) => ({ detail: [{ loc: ['header', 'authorization'], msg: `not a key: ${token(request)}` }] })),
      'invalid',
    ],
    ['a redirect with it in the Location URL', redirect((request) => `https://login.example/?next=x&token=${token(request)}`)],
    ['a plain-text 400 echoing every header', respond(400, (request) => JSON.stringify(request.headers, null, 2))],
    [
      'a 500 echoing it JSON-escaped, / as \\/',
      respond(500, (request) => `{"detail": "bad header ${bearer(request).replaceAll('/', '\\/')}"}`),
    ],
    [
      'a redirect with it percent-encoded in the Location URL',
      redirect((request) => `https://login.example/?token=${encodeURIComponent(token(request))}`),
    ],
  ]

  test.concurrent.for(scenarios)('%s', async ([, fault, status = 'failed'], { onTestFinished }) => {
    const { server, workspace } = harness(onTestFinished)
    const stand = await server(() => fault)
    const root = await workspace(manifestFiles(2))
    const action = await run(stand.url, root, { 'max-attempts': '1' })

    // The server did see the token, and was answered with something carrying it.
    expect(stand.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`)
    const rows = results(action)
    expect(rows[0]!.status).toBe(status)
    expect(rows[0]!.message).toContain('***')

    // The one line that holds the token is the command that tells the runner to mask it, before anything else is printed.
    const lines = action.stdout.split('\n')
    expect(lines.filter((line) => line.includes(TOKEN))).toEqual([`::add-mask::${TOKEN}`])
    expect(lines[0]).toBe(`::add-mask::${TOKEN}`)
    expect(action.stderr).not.toContain(TOKEN)
    expect(Object.values(action.outputs).join('\n')).not.toContain(TOKEN)
    expect(action.summary).not.toContain(TOKEN)
    expect(`${action.stdout}${Object.values(action.outputs).join('')}${action.summary}`).not.toContain(encodeURIComponent(TOKEN))
    expect(action.exitCode).toBe(1)
  })

  test('the token from TFY_API_KEY is masked the same way', async ({ onTestFinished }) => {
    const { server, workspace } = harness(onTestFinished)
    const stand = await server(() => respond(500, (request) => ({ detail: `bad header: ${bearer(request)}` })))
    const root = await workspace(manifestFiles(1))
    const action = await runAction({
      entry: BUILT_ACTION,
      workspace: root,
      inputs: { 'manifest-path': 'manifests/*.yaml', 'control-plane-url': stand.url, 'max-attempts': '1' },
      env: { TFY_API_KEY: TOKEN },
    })
    expect(stand.requests).toHaveLength(1)
    expect(action.stdout.split('\n').filter((line) => line.includes(TOKEN))).toEqual([`::add-mask::${TOKEN}`])
    expect(`${action.stderr}${Object.values(action.outputs).join('')}${action.summary}`).not.toContain(TOKEN)
  })
})

describe('cancellation, as the runner does it: SIGINT, then SIGTERM 7.5 s later', () => {
  /** Sends SIGINT once `ready` holds, and SIGTERM 7.5 s after when the action is still running. */
  function cancelWhen(ready: () => boolean, sigtermAfterMs = RUNNER_SIGTERM_AFTER_MS) {
    const sent = { sigintAt: 0, sigtermSent: false }
    const onStart = (child: ChildProcess) => {
      const poll = setInterval(() => {
        if (!ready()) return
        clearInterval(poll)
        sent.sigintAt = performance.timeOrigin + performance.now()
        child.kill('SIGINT')
        const sigterm = setTimeout(() => {
          sent.sigtermSent = true
          child.kill('SIGTERM')
        }, sigtermAfterMs)
        child.once('close', () => clearTimeout(sigterm))
      }, 5)
      child.once('close', () => clearInterval(poll))
    }
    return { sent, onStart }
  }

  test.concurrent('a slow server: those in flight finish, the rest are skipped, the step fails', async ({ onTestFinished }) => {
    const { server, workspace } = harness(onTestFinished)
    const stand = await server(() => after(2000, respond(200, {})))
    const root = await workspace(manifestFiles(20))
    const { sent, onStart } = cancelWhen(() => stand.requests.length >= 4)
    const action = await run(stand.url, root, { concurrency: '4' }, onStart)
    const exitedAt = performance.timeOrigin + performance.now()

    expect(action.exitCode).toBe(1)
    expect(sent.sigtermSent).toBe(false)
    expect(exitedAt - sent.sigintAt).toBeLessThan(RUNNER_SIGTERM_AFTER_MS)
    // Nothing new started after SIGINT.
    expect(stand.requests).toHaveLength(4)
    expect(stand.requests.every((request) => request.arrivedAt < sent.sigintAt)).toBe(true)

    const rows = results(action)
    expect(rows.filter((row) => row.status === 'deleted')).toHaveLength(4)
    const skipped = rows.filter((row) => row.status === 'skipped')
    expect(skipped).toHaveLength(16)
    expect(skipped.every((row) => row.message === 'not sent: cancelled')).toBe(true)
    expect(action.outputs).toMatchObject({ deleted: '4', failed: '0' })
    expect(action.summary).toContain('4 deleted, 0 not found, 0 failed, 0 invalid, 16 skipped')
    expect(action.stdout).toContain('::error::The cleanup was cancelled: 4 deleted, 0 not found, 0 failed, 0 invalid, 16 skipped.')
  })

  test.concurrent(
    'a server that never answers: requests in flight are cut short after the grace, before SIGTERM',
    async ({ onTestFinished }) => {
      const { server, workspace } = harness(onTestFinished)
      const stand = await server(() => hang())
      const root = await workspace(manifestFiles(6))
      const { sent, onStart } = cancelWhen(() => stand.requests.length >= 2)
      const action = await run(stand.url, root, { concurrency: '2' }, onStart)
      const exitedAt = performance.timeOrigin + performance.now()

      expect(action.exitCode).toBe(1)
      expect(sent.sigtermSent).toBe(false)
      expect(exitedAt - sent.sigintAt).toBeGreaterThan(3000)
      expect(exitedAt - sent.sigintAt).toBeLessThan(RUNNER_SIGTERM_AFTER_MS)
      expect(stand.requests).toHaveLength(2)
      expect(results(action).map((row) => [row.status, row.message])).toEqual([
        ['failed', 'cancelled while the request was in flight; the version may or may not be deleted'],
        ['failed', 'cancelled while the request was in flight; the version may or may not be deleted'],
        ['skipped', 'not sent: cancelled'],
        ['skipped', 'not sent: cancelled'],
        ['skipped', 'not sent: cancelled'],
        ['skipped', 'not sent: cancelled'],
      ])
      expect(action.outputs).toMatchObject({ deleted: '0', failed: '2' })
      expect(action.summary).toContain('0 deleted, 0 not found, 2 failed, 0 invalid, 4 skipped')
    },
  )

  test.concurrent('SIGTERM cuts requests in flight short at once', async ({ onTestFinished }) => {
    const { server, workspace } = harness(onTestFinished)
    const stand = await server(() => hang())
    const root = await workspace(manifestFiles(3))
    const { sent, onStart } = cancelWhen(() => stand.requests.length >= 1, 200)
    const action = await run(stand.url, root, { concurrency: '1' }, onStart)
    const exitedAt = performance.timeOrigin + performance.now()

    expect(sent.sigtermSent).toBe(true)
    expect(exitedAt - sent.sigintAt).toBeLessThan(2000)
    expect(action.exitCode).toBe(1)
    expect(results(action).map((row) => row.status)).toEqual(['failed', 'skipped', 'skipped'])
    expect(action.summary).toContain('1 failed')
  })
})

describe('what is sent', () => {
  test('only manifests the globs match, each version once', async ({ onTestFinished }) => {
    const { server, workspace } = harness(onTestFinished)
    const stand = await server(undefined, 5)
    const root = await workspace({
      ...manifestFiles(4),
      'manifests/copy-of-model-0.yaml': JSON.stringify(sampleManifest(0)),
      'other/model-4.yaml': JSON.stringify(sampleManifest(4)),
      'manifests/model-3.yaml.bak': JSON.stringify(sampleManifest(3)),
    })
    const action = await run(stand.url, root, { 'manifest-path': 'manifests/**/*.yaml\n!manifests/model-2.yaml' })

    expect(stand.requests.map((request) => request.manifest!.name).sort()).toEqual(['model-0', 'model-1', 'model-3'])
    expect(results(action).map((row) => [row.file, row.status, row.message])).toEqual([
      ['manifests/copy-of-model-0.yaml', 'deleted', 'deleted'],
      ['manifests/model-0.yaml', 'skipped', 'duplicate of manifests/copy-of-model-0.yaml:1'],
      ['manifests/model-1.yaml', 'deleted', 'deleted'],
      ['manifests/model-3.yaml', 'deleted', 'deleted'],
    ])
    expect(action.exitCode).toBe(0)
  })

  test('nothing more after the token is rejected', async ({ onTestFinished }) => {
    const { server, workspace } = harness(onTestFinished)
    const stand = await server(() => respond(401, { detail: 'Invalid API key' }), 5)
    const root = await workspace(manifestFiles(5))
    const action = await run(stand.url, root, { concurrency: '1' })

    expect(stand.requests).toHaveLength(1)
    expect(results(action).map((row) => [row.status, row.message])).toEqual([
      ['failed', expect.stringContaining('the token was rejected (HTTP 401: Invalid API key); check the token input or TFY_API_KEY')],
      ...Array<[string, string]>(4).fill(['skipped', 'not sent: the token was rejected (HTTP 401)']),
    ])
    expect(action.exitCode).toBe(1)
  })

  test.for([
    ['the endpoint URL itself', '/api/ml/v1/artifact-versions'],
    ['a path that does not exist', '/tfy'],
  ] as const)(
    'nothing when control-plane-url is %s: the endpoint check fails the step before any delete, naming the URLs tried',
    async ([, suffix], { onTestFinished }) => {
      const { server, workspace } = harness(onTestFinished)
      const stand = await server(undefined, 3)
      const root = await workspace(manifestFiles(3))
      const action = await run(`${stand.url}${suffix}`, root)

      expect(action.exitCode).toBe(1)
      expect(stand.requests).toHaveLength(0)
      const tried = `${stand.url}${suffix}/api/ml/v1/artifact-versions`
      // api auto: the per-kind endpoint, then the generic one; the log sends nowhere.
      expect(stand.probes.map((probe) => probe.path)).toEqual([`${suffix}/api/ml/v1/artifact-versions`, `${suffix}/api/svc/v1/delete`])
      expect(action.stdout).not.toContain('Sending to')
      expect(action.stdout).toContain(
        `nor does ${stand.url}${suffix}/api/svc/v1/delete serve the generic delete endpoint (it was answered HTTP 404`,
      )
      expect(action.stdout).toMatch(/The api setting is auto, which asks both generations/)
      expect(action.stdout).toMatch(
        new RegExp(
          `^::error::${tried.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} does not serve the artifact-versions endpoint: .*HTTP 404.*nothing was deleted\\. Check control-plane-url \\(or TFY_HOST\\)`,
          'm',
        ),
      )
      expect(results(action).map((row) => [row.status, row.message])).toEqual(
        Array(3).fill(['skipped', 'not sent: the endpoint check failed (see the error above)']),
      )
    },
  )

  test('nothing when the token cannot be sent in a header, and a message saying why', async ({ onTestFinished }) => {
    const { server, workspace } = harness(onTestFinished)
    const stand = await server(undefined, 1)
    const root = await workspace(manifestFiles(1))
    const action = await run(stand.url, root, { token: `${TOKEN}\n${TOKEN}`, 'request-timeout': '2' })

    expect(stand.requests).toHaveLength(0)
    expect(action.exitCode).toBe(1)
    expect(action.stdout).toContain('::error::Input "token" (or TFY_API_KEY) holds a line break')
    expect(action.stderr).toBe('')
    expect(action.durationMs).toBeLessThan(5000)
  })

  test('nothing at all when any manifest is invalid', async ({ onTestFinished }) => {
    const { server, workspace } = harness(onTestFinished)
    const stand = await server(undefined, 3)
    const root = await workspace({ ...manifestFiles(3), 'manifests/broken.yaml': 'name: model-9\nml_repo: previews\nversion: 0\n' })
    const action = await run(stand.url, root)

    expect(stand.requests).toHaveLength(0)
    expect(action.exitCode).toBe(1)
    expect(action.outputs).toMatchObject({ deleted: '0', failed: '1' })
    const rows = results(action)
    expect(rows.find((row) => row.file === 'manifests/broken.yaml')).toMatchObject({ status: 'invalid' })
    expect(rows.filter((row) => row.status === 'skipped')).toHaveLength(3)
  })

  test('nothing at all when a manifest links out of the workspace', async ({ onTestFinished }) => {
    const { server, workspace } = harness(onTestFinished)
    const stand = await server(undefined, 2)
    const root = await workspace(manifestFiles(1))
    const outside = await workspace({ 'secret.yaml': JSON.stringify(sampleManifest(1)) })
    await symlink(path.join(outside, 'secret.yaml'), path.join(root, 'manifests', 'link.yaml'))
    const action = await run(stand.url, root)

    expect(stand.requests).toHaveLength(0)
    expect(results(action).find((row) => row.file === 'manifests/link.yaml')).toMatchObject({
      status: 'invalid',
      message: expect.stringContaining('outside the workspace'),
    })
  })
})
