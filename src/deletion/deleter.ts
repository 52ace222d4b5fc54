import type { Job } from '../results/plan.ts'
import { isFailure, type Outcome } from '../results/result.ts'
import { StepFailure } from '../runner/step-failure.ts'
import { DEFAULT_BACKOFF, type Backoff } from './backoff.ts'
import { createControlPlane, type ControlPlane, type ControlPlaneOptions } from './control-plane.ts'
import { openDiscovery, type Api, type Discovery, type Route } from './discovery.ts'
import { checkEndpoint } from './endpoint-check.ts'
import { runDeletions } from './send.ts'
import { DeletionPool } from './slots.ts'

type Routed = Extract<Route, { kind: 'routed' }>

export interface DeletionStageOptions {
  controlPlane: { url: URL; token: string }
  requestTimeoutMs: number
  concurrency: number
  maxAttempts: number
  missingOk: boolean
  /** Which generation's endpoints deletes go to; `auto` asks (discovery.ts). */
  api: Api
}

export interface DeletionStageDeps {
  core: { info(message: string): void }
  /** Aborted when the runner cancels the job: nothing new is sent. */
  cancel: AbortSignal
  /** Aborted when requests in flight must be cut short as well. */
  abortInFlight: AbortSignal
  connect?: (options: ControlPlaneOptions) => ControlPlane
  backoff?: Backoff
  now?: () => number
  random?: () => number
  /** How often a long deletion phase logs its progress. */
  progressIntervalMs?: number
}

/** What the stage tells as each version's fate unfolds. */
export interface DeletionEvents {
  /** Before each attempt is sent. */
  sending(job: Job): void
  /** Once a version is settled: answered, given up on, or skipped. */
  settled(job: Job, outcome: Outcome): void
}

/** The deletion stage, open for a run: one control plane client, each endpoint checked once, for every batch of jobs. */
export interface Deleter {
  /** Sends the jobs, telling each attempt and outcome as it happens. */
  delete(jobs: Job[]): Promise<void>
  /** The endpoints deletes went to (below control-plane-url), each with the kinds sent there, in the order found. */
  endpoints(): { path: string; types: string[] }[]
  close(): void
}

/**
 * Opens the deletion stage. Nothing is sent until the first jobs come; then
 * the endpoint of each kind they are of (and only those) is found before its
 * first delete, each endpoint checked once (discovery.ts). A stop that
 * concerns every request (a rejected token, a failed endpoint check) holds for
 * later batches too: they are skipped, never sent.
 */
export function openDeletions(options: DeletionStageOptions, deps: DeletionStageDeps, events: DeletionEvents): Deleter {
  const { core } = deps
  const now = deps.now ?? Date.now
  const random = deps.random ?? Math.random
  const deletion = { ...options, backoff: deps.backoff ?? DEFAULT_BACKOFF, cancel: deps.cancel, abortInFlight: deps.abortInFlight }
  const progressEvery = deps.progressIntervalMs ?? 10_000
  let controlPlane: ControlPlane | null = null
  let discovery: Discovery | null = null
  /** The routes deletes went to, in the order first used, and the endpoints the log has named. */
  const used: Routed[] = []
  const announcedPaths = new Set<string>()
  /** Deletes by id, by the endpoint they go to (`…/model-versions/{id}`): the kinds sent there, in the order first used. */
  const byId = new Map<string, string[]>()
  /** One pool of slots for every batch: a batch's requests take the slots the one before frees, and a stop holds for all. */
  const pool = new DeletionPool(options.concurrency)
  /** Why nothing more may be sent, once something says so. */
  let stoppedBy: string | null = null
  const progress = { last: now(), settled: 0, deleted: 0, failed: 0, total: 0 }

  const connect = (): ControlPlane =>
    (controlPlane ??= (deps.connect ?? createControlPlane)({
      url: options.controlPlane.url,
      token: options.controlPlane.token,
      timeoutMs: options.requestTimeoutMs,
      concurrency: options.concurrency,
    }))

  /** Each kind's endpoint, found once for the run, however the batches overlap. */
  const discover = (client: ControlPlane): Discovery => {
    const policy = { ...deletion, signal: deps.cancel, random, now }
    return (discovery ??= openDiscovery(
      options.api,
      ({ path, generation }) =>
        checkEndpoint((signal) => client.probeEndpoint(path, signal), { url: client.endpointUrl(path), path, generation }, policy),
      (path) => client.endpointUrl(path),
    ))
  }

  const skipAll = (jobs: Job[], reason: string) => {
    for (const job of jobs) events.settled(job, { status: 'skipped', attempts: 0, http_status: null, message: `not sent: ${reason}` })
  }

  /** Names in the log where each kind newly routed goes, then the endpoints not named before. */
  function announce(client: ControlPlane, routes: Routed[]): void {
    for (const route of routes) {
      if (used.includes(route)) continue
      used.push(route)
      const unserved = route.unserved.length > 0 ? `, as ${route.unserved.join(' and ')} is not served` : ''
      core.info(`${route.type} manifests go to ${client.endpointUrl(route.path)}${unserved}.`)
    }
    const paths = [...new Set(routes.map((route) => route.path))].filter((path) => !announcedPaths.has(path))
    if (paths.length === 0) return
    const via = client.proxy ? ` through the proxy ${client.proxy}` : ''
    const verb = announcedPaths.size === 0 ? 'Sending to' : 'Also sending to'
    core.info(
      `${verb} ${paths.map((path) => client.endpointUrl(path)).join(' and ')}${via}, ${options.concurrency} at a time, up to ${options.maxAttempts} attempts each.`,
    )
    for (const path of paths) announcedPaths.add(path)
  }

  function settled(job: Job, outcome: Outcome): void {
    events.settled(job, outcome)
    progress.settled++
    if (outcome.status === 'deleted' || outcome.status === 'not-found') progress.deleted++
    if (isFailure(outcome.status)) progress.failed++
    if (now() - progress.last >= progressEvery && progress.settled < progress.total) {
      progress.last = now()
      core.info(`deleted ${progress.deleted}/${progress.total}, ${progress.failed} failed`)
    }
  }

  /** Names in the log the endpoints of deletes by id not named before: the listing found their generation, so none is checked. */
  function announceById(client: ControlPlane, jobs: Job[]): void {
    for (const job of jobs) {
      if (!('byId' in job)) continue
      const endpoint = `${job.byId.path.slice(0, job.byId.path.lastIndexOf('/'))}/{id}`
      const types = byId.get(endpoint)
      if (types?.includes(job.type)) continue
      if (!types) {
        const via = client.proxy ? ` through the proxy ${client.proxy}` : ''
        core.info(
          `Deleting by id: DELETE ${templateUrl(client, endpoint)}${via}, ${options.concurrency} at a time, up to ${options.maxAttempts} attempts each.`,
        )
      }
      byId.set(endpoint, [...(types ?? []), job.type])
    }
  }

  async function deleteJobs(jobs: Job[]): Promise<void> {
    if (jobs.length === 0) return
    if (stoppedBy !== null) return skipAll(jobs, stoppedBy)
    const client = connect()
    // A delete by id goes where the listing that found it was served; a delete by manifest, where its kind is routed.
    const types = [...new Set(jobs.flatMap((job) => ('body' in job ? [job.type] : [])))]
    const routes = types.length === 0 ? [] : await discover(client).route(types)
    for (const route of routes) {
      if (route.kind === 'cancelled') return skipAll(jobs, 'cancelled')
      if (route.kind === 'refused') {
        // The first batch to hear it fails the step; a batch waiting on the same check is skipped.
        const first = stoppedBy === null
        stoppedBy = 'the endpoint check failed (see the error above)'
        skipAll(jobs, stoppedBy)
        if (first) throw new StepFailure(route.message)
        return
      }
    }
    const routed = routes as Routed[]
    announce(client, routed)
    announceById(client, jobs)
    const routeOf = new Map(routed.map((route) => [route.type, route]))
    progress.total += jobs.length
    const send = (job: Job, signal: AbortSignal) =>
      'byId' in job ? client.deleteById(job.byId.path, signal) : client.deleteVersion(routeOf.get(job.type)!.path, job.body, signal)
    const generation = (job: Job) => ('byId' in job ? job.byId.generation : routeOf.get(job.type)!.generation)
    const onStop = (reason: string) => void (stoppedBy = reason)
    const sending = (job: Job) => events.sending(job)
    await runDeletions(jobs, deletion, { send, generation, now, random, onStop, onSending: sending, onSettled: settled }, pool)
  }

  function endpoints(): { path: string; types: string[] }[] {
    const byPath = new Map<string, string[]>()
    for (const route of used) byPath.set(route.path, [...(byPath.get(route.path) ?? []), route.type])
    return [...byPath, ...byId].map(([path, types]) => ({ path, types }))
  }

  return { delete: deleteJobs, endpoints, close: () => controlPlane?.close() }
}

/** The URL of an endpoint path below control-plane-url, a by-id one's `{id}` shown as written, not percent-encoded. */
export function templateUrl(client: Pick<ControlPlane, 'endpointUrl'>, path: string): string {
  return client.endpointUrl(path).replace('%7Bid%7D', '{id}')
}
