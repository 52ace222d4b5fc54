import type { Job } from '../results/plan.ts'
import type { Outcome } from '../results/result.ts'
import { StepFailure } from '../runner/step-failure.ts'
import { DEFAULT_BACKOFF, type Backoff } from './backoff.ts'
import { createControlPlane, type ControlPlane, type ControlPlaneOptions } from './control-plane.ts'
import { checkEndpoint, type EndpointCheck } from './endpoint-check.ts'
import { runDeletions } from './send.ts'
import { DeletionPool } from './slots.ts'

export interface DeletionStageOptions {
  controlPlane: { url: URL; token: string }
  requestTimeoutMs: number
  concurrency: number
  maxAttempts: number
  missingOk: boolean
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
  close(): void
}

/**
 * Opens the deletion stage. Nothing is sent until the first jobs come; then
 * each endpoint they go to (and only those) is checked, once, before its
 * first delete. A stop that concerns every request (a rejected token, a
 * failed endpoint check) holds for later batches too: they are skipped, never sent.
 */
export function openDeletions(options: DeletionStageOptions, deps: DeletionStageDeps, events: DeletionEvents): Deleter {
  const { core } = deps
  const now = deps.now ?? Date.now
  const random = deps.random ?? Math.random
  const deletion = { ...options, backoff: deps.backoff ?? DEFAULT_BACKOFF, cancel: deps.cancel, abortInFlight: deps.abortInFlight }
  const progressEvery = deps.progressIntervalMs ?? 10_000
  let controlPlane: ControlPlane | null = null
  /** Each endpoint's check, by path: started by the first jobs that go there, awaited by every batch, so it runs once however the batches overlap. */
  const endpointChecks = new Map<string, Promise<EndpointCheck>>()
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

  const skipAll = (jobs: Job[], reason: string) => {
    for (const job of jobs) events.settled(job, { status: 'skipped', attempts: 0, http_status: null, message: `not sent: ${reason}` })
  }

  /** The checks of the endpoints these jobs go to, each started once, in order, when first needed. */
  function checkEndpoints(client: ControlPlane, jobs: Job[]): Promise<EndpointCheck>[] {
    const paths = [...new Set(jobs.map((job) => job.path))]
    const fresh = paths.filter((path) => !endpointChecks.has(path))
    if (fresh.length > 0) {
      const endpoints = fresh.map((path) => client.endpointUrl(path))
      const via = client.proxy ? ` through the proxy ${client.proxy}` : ''
      const verb = endpointChecks.size === 0 ? 'Sending to' : 'Also sending to'
      core.info(`${verb} ${endpoints.join(' and ')}${via}, ${options.concurrency} at a time, up to ${options.maxAttempts} attempts each.`)
      const policy = { ...deletion, signal: deps.cancel, random, now }
      let previous: Promise<EndpointCheck> = Promise.resolve({ kind: 'served' })
      for (const [index, path] of fresh.entries()) {
        // One after the other: a refusal of the first spares the others a request.
        const check = previous.then((before) =>
          before.kind === 'served'
            ? checkEndpoint((signal) => client.probeEndpoint(path, signal), { url: endpoints[index]!, path }, policy)
            : before,
        )
        endpointChecks.set(path, check)
        previous = check
      }
    }
    return paths.map((path) => endpointChecks.get(path)!)
  }

  function settled(job: Job, outcome: Outcome): void {
    events.settled(job, outcome)
    progress.settled++
    if (outcome.status === 'deleted' || outcome.status === 'not-found') progress.deleted++
    if (outcome.status === 'failed') progress.failed++
    if (now() - progress.last >= progressEvery && progress.settled < progress.total) {
      progress.last = now()
      core.info(`deleted ${progress.deleted}/${progress.total}, ${progress.failed} failed`)
    }
  }

  async function deleteJobs(jobs: Job[]): Promise<void> {
    if (jobs.length === 0) return
    if (stoppedBy !== null) return skipAll(jobs, stoppedBy)
    const client = connect()
    for (const check of await Promise.all(checkEndpoints(client, jobs))) {
      if (check.kind === 'cancelled') return skipAll(jobs, 'cancelled')
      if (check.kind === 'refused') {
        // The first batch to hear it fails the step; a batch waiting on the same check is skipped.
        const first = stoppedBy === null
        stoppedBy = 'the endpoint check failed (see the error above)'
        skipAll(jobs, stoppedBy)
        if (first) throw new StepFailure(check.message)
        return
      }
    }
    progress.total += jobs.length
    const send = (job: Job, signal: AbortSignal) => client.deleteVersion(job.path, job.body, signal)
    const onStop = (reason: string) => void (stoppedBy = reason)
    await runDeletions(jobs, deletion, { send, now, random, onStop, onSending: (job) => events.sending(job), onSettled: settled }, pool)
  }

  return { delete: deleteJobs, close: () => controlPlane?.close() }
}
