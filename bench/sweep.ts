// The sweep row: the built action sweeping many closed pull requests, three
// manifests each, against the stand-in GitHub API (in its own process) and
// the stand-in control plane, each answering after a fixed latency. Timed
// against the latency floor of the two together; and the action's peak
// resident set at several numbers of pull requests, which must stay flat.
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface, type Interface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import { setTimeout as delay } from 'node:timers/promises'
import { DIST_ENTRY, runAction } from '../fakes/run-action.ts'
import { startStandIn, versionKey } from '../fakes/stand-in-control-plane.ts'
import { measuredBytes, median, ms, type Figure } from './measure.ts'
import { ML_REPO } from './workspace.ts'

const TFY_TOKEN = 'bench-token'
const GITHUB_TOKEN = 'ghs_benchSweepToken'
const OWNER = 'acme'
const REPO = 'models'
const CONCURRENCY = 8
/** GitHub's page size, as the action asks for it. */
const PER_PAGE = 100
/** Each pull request's description, standing in for the size of GitHub's list items (about 20 KB each, with their two repository objects). */
const PADDING_BYTES = 16 * 1024
/** The three manifests of every pull request, one file each, named by its number. */
const MANIFEST_NAMES = ['churn-model', 'churn-features', 'churn-report'] as const

export interface SweepSettings {
  pullRequests: number
  githubLatencyMs: number
  controlPlaneLatencyMs: number
  runs: number
  /** Numbers of pull requests whose peak resident set is compared, smallest first; the servers answer at once. */
  memorySizes: number[]
}

interface SweepRun {
  ms: number
  pages: number
  deletes: number
  probes: number
  memory: Memory | null
}

/** What bench/peak-memory.mjs writes. */
interface Memory {
  peakRssBytes: number
  heldBytes: number
  heldBeforeReportBytes: number
}

/** A workspace of three manifest files, each naming its version by the pull request's number. */
async function makeSweepWorkspace(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-sweep-'))
  await mkdir(path.join(dir, 'previews'))
  for (const name of MANIFEST_NAMES) {
    const text = [
      `name: ${name}`,
      `ml_repo: ${ML_REPO}`,
      'version_alias: v0-pr${PR_NUMBER}',
      'description: preview of ${PR_HEAD_REF} at ${PR_HEAD_SHA}',
      'metadata: {pull_request: "${PR_NUMBER}"}',
      'source: {type: truefoundry}',
      '',
    ].join('\n')
    await writeFile(path.join(dir, 'previews', `${name}.yaml`), text)
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) }
}

const keysOf = (pullRequests: number) =>
  Array.from({ length: pullRequests }, (_, i) => MANIFEST_NAMES.map((name) => `${ML_REPO}/${name}@v0-pr${i + 1}`)).flat()

interface GitHubProcess {
  url: string
  pagesServed(): Promise<number>
  close(): Promise<void>
}

/** The stand-in GitHub API in its own process (bench/github-process.ts). */
async function startGitHubProcess(root: string, pullRequests: number, latencyMs: number): Promise<GitHubProcess> {
  const child: ChildProcessByStdio<Writable, Readable, null> = spawn(
    process.execPath,
    [path.join(root, 'bench/github-process.ts'), GITHUB_TOKEN, OWNER, REPO, String(pullRequests), String(latencyMs), String(PADDING_BYTES)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  )
  const lines: Interface = createInterface({ input: child.stdout })
  const iterator = lines[Symbol.asyncIterator]()
  const nextLine = async () => {
    const { value, done } = await iterator.next()
    if (done) throw new Error('the stand-in GitHub process ended early')
    return value
  }
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
  const url = await nextLine()
  return {
    url,
    async pagesServed() {
      child.stdin.write('pages\n')
      return Number(await nextLine())
    },
    async close() {
      child.stdin.end()
      await exited
    },
  }
}

/**
 * One sweep of the built action. The control plane answers each delete and
 * the endpoint check after `latencyMs`: 200 the first time a version is
 * deleted, 404 after (the bench answers, so the stand-in's schema check per
 * request does not count against the action). With `measureMemory`, the
 * bundle runs under bench/peak-memory.mjs, which reports its peak resident set.
 */
async function sweepOnce(
  root: string,
  workspace: string,
  pullRequests: number,
  latency: { github: number; controlPlane: number },
  measureMemory: boolean,
): Promise<SweepRun> {
  const waiting = new Set(keysOf(pullRequests))
  const expected = waiting.size
  const controlPlane = await startStandIn({
    token: TFY_TOKEN,
    async probe() {
      if (latency.controlPlane > 0) await delay(latency.controlPlane)
    },
    async script(request, response) {
      const key = request.manifest ? versionKey(request.manifest) : ''
      if (latency.controlPlane > 0) await delay(latency.controlPlane)
      response.writeHead(waiting.delete(key) ? 200 : 404, { 'content-type': 'application/json' })
      response.end('{}')
      return 'handled' as const
    },
  })
  const gitHub = await startGitHubProcess(root, pullRequests, latency.github)
  const peakFile = path.join(workspace, '..', `${path.basename(workspace)}-peak.json`)
  try {
    const run = await runAction({
      entry: measureMemory ? path.join(root, 'bench/peak-memory.mjs') : DIST_ENTRY,
      workspace,
      inputs: {
        'manifest-path': 'previews/*.yaml',
        'control-plane-url': controlPlane.url,
        token: TFY_TOKEN,
        'github-token': GITHUB_TOKEN,
        'substitute-env': 'true',
        'closed-within-days': '7',
        concurrency: String(CONCURRENCY),
      },
      env: {
        GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
        GITHUB_API_URL: gitHub.url,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_RUN_ID: '1',
        ...(measureMemory ? { BENCH_BUNDLE: DIST_ENTRY, BENCH_PEAK_FILE: peakFile, NODE_OPTIONS: '--expose-gc' } : {}),
      },
    })
    if (run.exitCode !== 0) throw new Error(`the sweep exited with ${run.exitCode}:\n${run.stdout.slice(-4000)}${run.stderr}`)
    if (waiting.size > 0) throw new Error(`${waiting.size} of ${expected} versions were not deleted`)
    const memory = measureMemory ? (JSON.parse(await readFile(peakFile, 'utf8')) as Memory) : null
    return {
      ms: run.durationMs,
      pages: await gitHub.pagesServed(),
      deletes: controlPlane.requests.length,
      probes: controlPlane.probes.length,
      memory,
    }
  } finally {
    await Promise.all([gitHub.close(), controlPlane.close(), rm(peakFile, { force: true })])
  }
}

/**
 * The latency floor: GitHub's pages one after another (each names the next),
 * then the deletes `concurrency` at a time, after the endpoint check. No
 * client could finish sooner, however fast it is.
 */
export function sweepFloorMs(pages: number, deletes: number, latency: { github: number; controlPlane: number }): number {
  return pages * latency.github + Math.ceil(deletes / CONCURRENCY) * latency.controlPlane + latency.controlPlane
}

export async function sweepFigures(root: string, settings: SweepSettings, progress: (text: string) => void): Promise<Figure[]> {
  const workspace = await makeSweepWorkspace()
  try {
    const latency = { github: settings.githubLatencyMs, controlPlane: settings.controlPlaneLatencyMs }
    const timed: SweepRun[] = []
    for (let i = 0; i < settings.runs; i++) {
      progress(`sweep: run ${i + 1} of ${settings.runs}, ${settings.pullRequests} pull requests`)
      timed.push(await sweepOnce(root, workspace.dir, settings.pullRequests, latency, false))
    }
    // Every page, then page 1 again: the pass from the top that finds what was updated meanwhile.
    const pages = Math.ceil(settings.pullRequests / PER_PAGE) + 1
    const deletes = settings.pullRequests * MANIFEST_NAMES.length
    for (const run of timed) {
      if (run.pages !== pages || run.deletes !== deletes || run.probes !== 1) {
        throw new Error(
          `a sweep read ${run.pages} pages, sent ${run.deletes} deletes and ${run.probes} endpoint checks; the floor counts ${pages}, ${deletes} and 1`,
        )
      }
    }
    const floor = sweepFloorMs(pages, deletes, latency)
    const measured = median(timed.map((run) => run.ms))

    const peaks: Memory[] = []
    for (const size of settings.memorySizes) {
      progress(`sweep: peak resident set at ${size} pull requests, servers answering at once`)
      peaks.push((await sweepOnce(root, workspace.dir, size, { github: 0, controlPlane: 0 }, true)).memory!)
    }
    const smallest = settings.memorySizes[0]!
    const live = peaks.map((peak) => peak.heldBytes)
    const growth = live[live.length - 1]! / live[0]!
    return [
      {
        figure: `sweep (${settings.pullRequests} pull requests × ${MANIFEST_NAMES.length} manifests, GitHub ${latency.github} ms a page, control plane ${latency.controlPlane} ms, concurrency ${CONCURRENCY})`,
        measured: ms(measured),
        floor: `${ms(floor)} (pages·${latency.github} + ceil(deletes/c)·${latency.controlPlane} + check)`,
        ratio: measured / floor,
        target: '≤ 1.1×',
        pass: measured / floor <= 1.1,
      },
      ...settings.memorySizes.map((size, i) => ({
        figure: `  sweep heap held, at most, ${size} pull requests`,
        measured: measuredBytes(live[i]!),
        floor: i === 0 ? '—' : `${measuredBytes(live[0]!)} (${smallest} pull requests)`,
        ratio: i === 0 ? null : live[i]! / live[0]!,
        target: i === live.length - 1 ? '≤ 1.25× (flat)' : '—',
        pass: i === live.length - 1 ? growth <= 1.25 : null,
      })),
      ...settings.memorySizes.map((size, i) => ({
        figure: `  sweep heap held before the report, ${size} pull requests`,
        measured: measuredBytes(peaks[i]!.heldBeforeReportBytes),
        floor: i === 0 ? '—' : `${measuredBytes(peaks[0]!.heldBeforeReportBytes)} (${smallest} pull requests)`,
        ratio: i === 0 ? null : peaks[i]!.heldBeforeReportBytes / peaks[0]!.heldBeforeReportBytes,
        target: 'report',
        pass: null,
      })),
      ...settings.memorySizes.map((size, i) => ({
        figure: `  sweep peak resident set, ${size} pull requests`,
        measured: measuredBytes(peaks[i]!.peakRssBytes),
        floor: i === 0 ? '—' : `${measuredBytes(peaks[0]!.peakRssBytes)} (${smallest} pull requests)`,
        ratio: i === 0 ? null : peaks[i]!.peakRssBytes / peaks[0]!.peakRssBytes,
        target: 'report',
        pass: null,
      })),
    ]
  } finally {
    await workspace.remove()
  }
}
