// The deletion phase of the built action against the stand-in control plane:
// throughput at 50 ms a response, cost per request when it answers at once,
// and what 20% transient 503s cost. Every phase is timed on the server, from
// the first request's arrival to the last response's end, so process
// start-up and validation are not in it.
import { execFile } from 'node:child_process'
import path from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { promisify } from 'node:util'
import { DIST_ENTRY, runAction } from '../fakes/run-action.ts'
import { startStandIn, versionKey } from '../fakes/stand-in-control-plane.ts'
import { KIND_NAMES, MANIFEST_KINDS, type ApiGeneration } from '../src/manifests/kinds.ts'
import { alternate, median, ms, pairedRatio, type Figure } from './measure.ts'
import { MANIFEST_PATTERN, type Workspace } from './workspace.ts'

const TOKEN = 'bench-token'
const CONCURRENCY = 8

export interface NetworkSettings {
  manifests: number
  /** How long the server takes to answer in the throughput and retry runs. */
  latencyMs: number
  /** Share of attempts answered 503 in the retry run. */
  faultRate: number
}

interface Phase {
  ms: number
  requests: number
  faults: number
  /** Attempts of the unluckiest version: the run waits out its whole backoff chain. */
  mostAttempts: number
}

interface ServerBehaviour {
  latencyMs: number
  faultRate: number
  /** The generation the stand-in serves (per-kind endpoints by default): a delete elsewhere is answered 404. */
  serves?: ApiGeneration
}

/** The paths a stand-in serving `generation` deletes at. */
function servedPaths(generation: ApiGeneration): Set<string> {
  return new Set(KIND_NAMES.flatMap((kind) => MANIFEST_KINDS[kind].endpoints[generation] ?? []).map((path) => `/${path}`))
}

/**
 * Starts a stand-in, calls `drive` with its URL, and times what the server saw.
 * The bench answers every request itself, so the stand-in's per-request
 * validation does not count against the client: each version answers 200 once.
 */
async function timePhase(keys: string[], behaviour: ServerBehaviour, drive: (url: string) => Promise<void>): Promise<Phase> {
  const waiting = new Set(keys)
  const attempts = new Map<string, number>()
  let first = 0
  let last = 0
  let faults = 0
  const serves = behaviour.serves ?? 'ml-v1'
  const served = servedPaths(serves)
  const standIn = await startStandIn({
    token: TOKEN,
    serves,
    async script(request, response) {
      first ||= performance.now()
      response.once('finish', () => (last = performance.now()))
      // A delete to an endpoint this stand-in does not serve gets its own answer, 404: its version stays undeleted, and the phase fails.
      if (!served.has(request.path)) return
      const key = request.manifest ? versionKey(request.manifest) : ''
      const attempt = (attempts.get(key) ?? 0) + 1
      attempts.set(key, attempt)
      if (behaviour.latencyMs > 0) await delay(behaviour.latencyMs)
      const fault = isFault(`${key}#${attempt}`, behaviour.faultRate)
      if (fault) faults++
      const status = fault ? 503 : waiting.delete(key) ? 200 : 404
      response.writeHead(status, { 'content-type': 'application/json' })
      response.end(fault ? '{"detail":"Service temporarily unavailable"}' : '{}')
      return 'handled' as const
    },
  })
  try {
    await drive(standIn.url)
    if (waiting.size > 0) throw new Error(`${waiting.size} versions were not deleted`)
    return { ms: last - first, requests: standIn.requests.length, faults, mostAttempts: Math.max(0, ...attempts.values()) }
  } finally {
    await standIn.close()
  }
}

/**
 * Deterministic: the same attempt of the same version fails in every run.
 * FNV-1a of the text, mixed by murmur3's finalizer so texts that differ in
 * their last character (the attempt number) fall far apart.
 */
function isFault(text: string, rate: number): boolean {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b)
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35)
  hash ^= hash >>> 16
  return (hash >>> 0) / 2 ** 32 < rate
}

function actionDriver(workspace: Workspace) {
  return async (url: string) => {
    const run = await runAction({
      entry: DIST_ENTRY,
      workspace: workspace.dir,
      inputs: { 'manifest-path': MANIFEST_PATTERN, 'control-plane-url': url, token: TOKEN, concurrency: String(CONCURRENCY) },
    })
    if (run.exitCode !== 0) throw new Error(`the action exited with ${run.exitCode}:\n${run.stdout.slice(-4000)}${run.stderr}`)
  }
}

function floorDriver(root: string, kind: 'http' | 'fetch', requests: number) {
  return async (url: string) => {
    const client = path.join(root, 'bench/floor-client.ts')
    await promisify(execFile)(process.execPath, [client, kind, url, TOKEN, String(requests), String(CONCURRENCY)])
  }
}

/**
 * Throughput (answers after a delay) and retry cost (the same with 503s),
 * interleaved with a bare node:http client against the same server, which
 * shows what the server's timers and the machine add to the ideal.
 */
export async function throughputAndRetryFigures(
  root: string,
  workspace: Workspace,
  settings: NetworkSettings,
  repetitions: number,
): Promise<Figure[]> {
  const drive = actionDriver(workspace)
  const delayed = { latencyMs: settings.latencyMs, faultRate: 0 }
  const phases: Record<'clean' | 'faulty', Phase[]> = { clean: [], faulty: [] }
  const samples = await alternate(repetitions, {
    clean: async () => record(phases.clean, await timePhase(workspace.keys, delayed, drive)),
    bare: async () => (await timePhase(workspace.keys, delayed, floorDriver(root, 'http', settings.manifests))).ms,
    faulty: async () => record(phases.faulty, await timePhase(workspace.keys, { ...delayed, faultRate: settings.faultRate }, drive)),
  })
  const ideal = Math.ceil(settings.manifests / CONCURRENCY) * settings.latencyMs
  const clean = median(phases.clean.map((phase) => phase.ms))
  const bare = median(samples.bare)
  const faulty = median(phases.faulty.map((phase) => phase.ms))
  const retried = phases.faulty[0]!
  return [
    {
      figure: `throughput (${settings.manifests} × ${settings.latencyMs} ms, concurrency ${CONCURRENCY})`,
      measured: ms(clean),
      floor: `${ms(ideal)} (ceil(n/c)·latency)`,
      ratio: clean / ideal,
      target: '≤ 1.05×',
      pass: clean / ideal <= 1.05,
    },
    {
      figure: '  the same with bare node:http, for scale',
      measured: ms(bare),
      floor: `${ms(ideal)} (ceil(n/c)·latency)`,
      ratio: bare / ideal,
      target: '—',
      pass: null,
    },
    {
      figure: `retry cost (${Math.round(settings.faultRate * 100)}% 503s: ${retried.faults} of ${retried.requests} attempts; one version took ${retried.mostAttempts})`,
      measured: ms(faulty),
      floor: `${ms(clean)} (no faults)`,
      ratio: pairedRatio(samples.faulty, samples.clean),
      target: 'report; small',
      pass: null,
    },
  ]
}

/**
 * Cost per request on both generations: the action against a stand-in serving
 * only the per-kind endpoints and against one serving only the generic
 * delete (the same requests, found by discovery with api auto; the check's
 * probes come before the first delete, outside the timed phase), a bare
 * node:http keep-alive client and fetch, all against a server that answers at once.
 */
export async function costPerRequestFigures(
  root: string,
  workspace: Workspace,
  settings: NetworkSettings,
  repetitions: number,
): Promise<Figure[]> {
  const perRequest = async (drive: (url: string) => Promise<void>, serves: ApiGeneration = 'ml-v1') => {
    const phase = await timePhase(workspace.keys, { latencyMs: 0, faultRate: 0, serves }, drive)
    return phase.ms / phase.requests
  }
  const samples = await alternate(repetitions, {
    perKind: () => perRequest(actionDriver(workspace), 'ml-v1'),
    generic: () => perRequest(actionDriver(workspace), 'svc-v1'),
    http: () => perRequest(floorDriver(root, 'http', settings.manifests)),
    fetch: () => perRequest(floorDriver(root, 'fetch', settings.manifests)),
  })
  const bare = median(samples.http)
  const floor = `${ms(bare, 3)} (node:http keep-alive)`
  const row = (figure: string, measured: number[]): Figure => {
    const action = median(measured)
    return { figure, measured: ms(action, 3), floor, ratio: pairedRatio(measured, samples.http), target: '≤ 0.5 ms', pass: action <= 0.5 }
  }
  return [
    row(`cost per request, per-kind endpoints (${settings.manifests} at once, concurrency ${CONCURRENCY})`, samples.perKind),
    row(`cost per request, generic endpoint (the same ${settings.manifests})`, samples.generic),
    {
      figure: '  the same with fetch, for scale',
      measured: ms(median(samples.fetch), 3),
      floor,
      ratio: pairedRatio(samples.fetch, samples.http),
      target: '—',
      pass: null,
    },
  ]
}

function record(list: Phase[], phase: Phase): number {
  list.push(phase)
  return phase.ms
}
