// The runner cancels a sweep with SIGINT, and kills it 7.5 s later: whatever
// the sweep was doing then (listing, checking a heavy batch, deleting,
// reporting), the log table, the summary, the outputs and a whole results
// file are written before that. The built action, 300 pull requests, a
// manifest of about 150 KB.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import type { Result } from '../../src/results/result.ts'
import { bigManifest } from '../../fakes/big-manifest.ts'
import { BUILT_ACTION } from './support/bundle.ts'
import { runAction } from '../../fakes/run-action.ts'
import { startStandIn } from '../../fakes/stand-in-control-plane.ts'
import { closedPullRequest, startStandInGitHub } from '../../fakes/stand-in-github.ts'

const TFY_TOKEN = 'tfy-cancel-secret-5c1e'
const GITHUB_TOKEN = 'ghs_cancelSecret0123456789'
const PULL_REQUESTS = 300
/** The runner's SIGTERM comes 7.5 s after its SIGINT. */
const RUNNER_GRACE_MS = 7500

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
})

/** When to send SIGINT: the first log line that matches, and how many of them to let pass. */
interface Moment {
  line: RegExp
  nth: number
  githubLatencyMs: number
}

const MOMENTS: [string, Moment][] = [
  ['listing the second page', { line: /^Deleting \d+ versions of 100 pull requests\.$/, nth: 1, githubLatencyMs: 3000 }],
  ['checking the heaviest batch, while the first is deleted', { line: /^::group::Pull request #/, nth: 150, githubLatencyMs: 0 }],
  ['deleting the last batch', { line: /^Deleting \d+ versions of 100 pull requests\.$/, nth: 3, githubLatencyMs: 0 }],
  ['writing the report', { line: /^Status /, nth: 1, githubLatencyMs: 0 }],
]

async function cancelledSweep(moment: Moment) {
  const now = new Date()
  const pullRequests = Array.from({ length: PULL_REQUESTS }, (_, i) => closedPullRequest(PULL_REQUESTS - i, now, (6 * i) / PULL_REQUESTS))
  // Every page after the first waits `githubLatencyMs`.
  const gitHub = await startStandInGitHub({
    token: GITHUB_TOKEN,
    owner: 'acme',
    repo: 'models',
    pullRequests,
    answers: (index) => (index > 0 && moment.githubLatencyMs > 0 ? async () => void (await delay(moment.githubLatencyMs)) : undefined),
  })
  const controlPlane = await startStandIn({
    token: TFY_TOKEN,
    existing: pullRequests.map(({ number }) => `previews/churn-model@v0-pr${number}`),
    async script() {
      await delay(15)
    },
  })
  const workspace = await mkdtemp(path.join(tmpdir(), 'sweep-cancel-'))
  const runnerTemp = await mkdtemp(path.join(tmpdir(), 'sweep-cancel-temp-'))
  cleanups.push(
    () => gitHub.close(),
    () => controlPlane.close(),
    () => rm(workspace, { recursive: true, force: true }),
    () => rm(runnerTemp, { recursive: true, force: true }),
  )
  await writeFile(path.join(workspace, 'preview.yaml'), bigManifest(150 * 1024))

  let signalledAt: number | null = null
  const run = await runAction({
    entry: BUILT_ACTION,
    workspace,
    inputs: {
      'manifest-path': '*.yaml',
      'control-plane-url': controlPlane.url,
      token: TFY_TOKEN,
      'github-token': GITHUB_TOKEN,
      'substitute-env': 'true',
      'closed-within-days': '7',
      concurrency: '4',
    },
    env: { GITHUB_REPOSITORY: 'acme/models', GITHUB_API_URL: gitHub.url, RUNNER_TEMP: runnerTemp },
    onStart(child) {
      let seen = 0
      let partial = ''
      child.stdout!.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString('utf8')).split('\n')
        partial = lines.pop()!
        for (const line of lines) {
          if (signalledAt !== null || !moment.line.test(line) || ++seen < moment.nth) continue
          signalledAt = performance.now()
          child.kill('SIGINT')
        }
      })
    },
  })
  return { run, signalledAt, controlPlane, exitedAt: performance.now() }
}

describe('a sweep cancelled by SIGINT', () => {
  it.each(MOMENTS)(
    'while %s writes the table, the summary, the outputs and a whole results file within the runner’s 7.5 s',
    async (_when, moment) => {
      const started = performance.now()
      const { run, signalledAt, controlPlane } = await cancelledSweep(moment)
      expect(signalledAt, run.stdout.slice(-2000)).not.toBeNull()
      expect(run.signal).toBeNull()
      // The process ended on its own, in time; runAction's own wait is a few ms after.
      expect(started + run.durationMs - signalledAt!).toBeLessThan(RUNNER_GRACE_MS)

      const file = run.outputs['results-file']
      expect(file, JSON.stringify(run.outputs)).toBeTruthy()
      const rows = JSON.parse(await readFile(file!, 'utf8')) as Result[]
      const deleted = rows.filter((row) => row.status === 'deleted')
      // Every version the control plane deleted has its row, and no row claims more.
      expect(deleted.length).toBe(controlPlane.requests.length - rows.filter((row) => row.status === 'failed').length)
      expect(new Set(rows.map((row) => row.version_alias)).size).toBe(rows.length)
      expect(run.outputs.deleted).toBe(String(deleted.length))
      expect(run.summary).toContain(`${deleted.length} deleted`)
      expect(run.stdout).toMatch(/^Status /m)
      // No request was sent twice: nothing timed out while the loop was busy.
      expect(new Set(controlPlane.requests.map((request) => request.manifest?.version_alias)).size).toBe(controlPlane.requests.length)
      expect(rows.filter((row) => /retr/.test(row.message))).toEqual([])
    },
  )
})
