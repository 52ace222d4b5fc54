import { setTimeout as delay } from 'node:timers/promises'
import { createControlPlane, type Attempt, type ControlPlane, type ControlPlaneOptions } from './control-plane.ts'
import type { ControlPlaneInputs } from '../inputs/get-inputs.ts'
import type { Ledger } from '../results/ledger.ts'
import type { Job } from '../results/plan.ts'
import type { Outcome } from '../results/result.ts'
import {
  DEFAULT_BACKOFF,
  judgeAttempt,
  judgeEndpoint,
  mayHaveTakenEffect,
  retryDelay,
  type Backoff,
  type EndpointContext,
  type Judgement,
} from './judgement.ts'
import type { Core } from '../runner/guarded-core.ts'
import { StepFailure } from '../runner/step-failure.ts'

const UNEXPECTED_STOP = 'the run stopped on an unexpected error'

export interface DeletionOptions {
  concurrency: number
  maxAttempts: number
  missingOk: boolean
  backoff: Backoff
  /** Aborted when the run is cancelled: nothing new starts. */
  cancel: AbortSignal
  /** Aborted when requests in flight must be cut short too. */
  abortInFlight: AbortSignal
}

export interface DeletionDeps {
  /** Sends one job's request: its body, the exact JSON text validated, to its path. */
  send(job: Job, signal: AbortSignal): Promise<Attempt>
  now: () => number
  random: () => number
  /** Resolves after `ms`, or early when `signal` aborts. */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>
  /** Told before each attempt is sent. */
  onSending?(job: Job): void
  /** Told after each version settles. */
  onSettled?(job: Job, outcome: Outcome): void
  /** Told when nothing more may be sent, and why: a rejected token, or an unexpected error. */
  onStop?(reason: string): void
}

/**
 * Sends every job, at most `concurrency` at a time. A request waiting out its
 * backoff gives its slot to another; a retry goes before requests not yet
 * started. A rejected token stops everything: the next request would carry it too.
 */
export async function runDeletions(
  jobs: Job[],
  options: DeletionOptions,
  deps: DeletionDeps,
  pool = new DeletionPool(options.concurrency),
): Promise<Map<number, Outcome>> {
  const { slots } = pool
  const stopAll = (reason: string) => pool.stop(reason)
  /** A stop that holds for every later request of the run, not only this call's. */
  const stopRun = (reason: string) => {
    deps.onStop?.(reason)
    stopAll(reason)
  }
  const onCancel = () => stopAll('cancelled')
  if (options.cancel.aborted) onCancel()
  else options.cancel.addEventListener('abort', onCancel, { once: true })
  const wait = deps.wait ?? waitOrAbort

  async function deleteOne(job: Job): Promise<Outcome> {
    let attempts = 0
    let lastRetryable: Extract<Judgement, { kind: 'retryable' }> | null = null
    let earlierMayHaveWorked = false
    for (;;) {
      if (!(await slots.acquire(attempts > 0))) return stopped(attempts, lastRetryable)
      attempts++
      let judgement: Judgement
      try {
        deps.onSending?.(job)
        const attempt = await deps.send(job, options.abortInFlight)
        judgement = judgeAttempt(attempt, { missingOk: options.missingOk, afterRetryableFailure: earlierMayHaveWorked, now: deps.now() })
        // Before the slot is freed: freed first, it would go to the next request, which would carry the rejected token too.
        if (judgement.kind === 'token-rejected') stopRun(`the token was rejected (HTTP ${judgement.http_status})`)
      } catch (error) {
        // A defect (send never rejects): stopped before the slot is freed, like a rejected token.
        stopRun(UNEXPECTED_STOP)
        throw error
      } finally {
        slots.release()
      }
      switch (judgement.kind) {
        case 'deleted': {
          const retried =
            lastRetryable && judgement.http_status !== 404
              ? ` after ${attempts - 1} ${attempts === 2 ? 'retry' : 'retries'} (last: ${lastRetryable.message})`
              : ''
          return { status: 'deleted', attempts, http_status: judgement.http_status, message: `${judgement.message}${retried}` }
        }
        case 'not-found':
          return { status: 'not-found', attempts, http_status: 404, message: judgement.message }
        case 'failed':
          return { status: 'failed', attempts, http_status: judgement.http_status, message: judgement.message }
        case 'token-rejected':
          return { status: 'failed', attempts, http_status: judgement.http_status, message: judgement.message }
        case 'retryable':
          if (attempts >= options.maxAttempts) {
            return {
              status: 'failed',
              attempts,
              http_status: judgement.http_status,
              message: `${judgement.message} (gave up after ${attempts} ${attempts === 1 ? 'attempt' : 'attempts'})`,
            }
          }
          lastRetryable = judgement
          earlierMayHaveWorked ||= mayHaveTakenEffect(judgement)
          await wait(retryDelay(attempts, judgement.retryAfterMs, deps.random, options.backoff), pool.signal)
      }
    }
  }

  function stopped(attempts: number, last: Extract<Judgement, { kind: 'retryable' }> | null): Outcome {
    if (attempts === 0 || !last) return { status: 'skipped', attempts: 0, http_status: null, message: `not sent: ${pool.reason}` }
    return { status: 'failed', attempts, http_status: last.http_status, message: `${last.message}; not retried: ${pool.reason}` }
  }

  // An error thrown for one version (a defect: send never rejects) stops every
  // other before it is passed on, so nothing is sent after the run has ended.
  const errors: unknown[] = []
  try {
    const outcomes = await Promise.all(
      jobs.map(async (job) => {
        try {
          const outcome = await deleteOne(job)
          deps.onSettled?.(job, outcome)
          return [job.index, outcome] as const
        } catch (error) {
          errors.push(error)
          stopRun(UNEXPECTED_STOP)
          return null
        }
      }),
    )
    if (errors.length > 0) throw errors[0]
    return new Map(outcomes.filter((entry) => entry !== null))
  } finally {
    options.cancel.removeEventListener('abort', onCancel)
  }
}

export type EndpointCheck = { kind: 'served' } | { kind: 'cancelled' } | { kind: 'refused'; message: string }

/**
 * Establishes, before the first delete, that control-plane-url serves the
 * endpoint: `probe` sends a request that deletes nothing, judged by
 * judgeEndpoint, and retried as deletes are when nothing came back or the
 * server asked for a retry.
 */
export async function checkEndpoint(
  probe: (signal: AbortSignal) => Promise<Attempt>,
  endpoint: Omit<EndpointContext, 'now'>,
  options: Pick<DeletionOptions, 'maxAttempts' | 'backoff' | 'cancel' | 'abortInFlight'>,
  deps: Pick<DeletionDeps, 'now' | 'random' | 'wait'>,
): Promise<EndpointCheck> {
  const wait = deps.wait ?? waitOrAbort
  for (let attempts = 1; ; attempts++) {
    if (options.cancel.aborted) return { kind: 'cancelled' }
    const judgement = judgeEndpoint(await probe(options.abortInFlight), { ...endpoint, now: deps.now() })
    if (judgement.kind === 'served') return { kind: 'served' }
    if (options.cancel.aborted) return { kind: 'cancelled' }
    if (judgement.kind === 'refused') return { kind: 'refused', message: judgement.message }
    if (attempts >= options.maxAttempts) {
      return {
        kind: 'refused',
        message: `${endpoint.url} could not be reached: ${judgement.message} (gave up after ${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}); nothing was deleted`,
      }
    }
    await wait(retryDelay(attempts, judgement.retryAfterMs, deps.random, options.backoff), options.cancel)
  }
}

function waitOrAbort(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined)
}

export interface DeletionStageOptions {
  controlPlane: ControlPlaneInputs
  requestTimeoutMs: number
  concurrency: number
  maxAttempts: number
  missingOk: boolean
}

export interface DeletionStageDeps {
  core: Pick<Core, 'info'>
  cancel: AbortSignal
  abortInFlight: AbortSignal
  connect?: (options: ControlPlaneOptions) => ControlPlane
  backoff?: Backoff
  now?: () => number
  random?: () => number
  /** How often a long deletion phase logs its progress. */
  progressIntervalMs?: number
}

/** The deletion stage, open for a run: one control plane client, each endpoint checked once, for every batch of jobs. */
export interface Deleter {
  /** Sends the jobs, writing each attempt and outcome to the ledger as it happens. */
  delete(jobs: Job[]): Promise<void>
  close(): void
}

/**
 * Opens the deletion stage. Nothing is sent until the first jobs come; then
 * each endpoint they go to (and only those) is checked, once, before its
 * first delete. A stop that concerns every request (a rejected token, a
 * failed endpoint check) holds for later batches too: they are skipped, never sent.
 */
export function openDeletions(options: DeletionStageOptions, deps: DeletionStageDeps, ledger: Ledger): Deleter {
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
    for (const job of jobs) ledger.settled(job, { status: 'skipped', attempts: 0, http_status: null, message: `not sent: ${reason}` })
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
      let previous: Promise<EndpointCheck> = Promise.resolve({ kind: 'served' })
      for (const [index, path] of fresh.entries()) {
        // One after the other: a refusal of the first spares the others a request.
        const check = previous.then((before) =>
          before.kind === 'served'
            ? checkEndpoint((signal) => client.checkEndpoint(path, signal), { url: endpoints[index]!, path }, deletion, { now, random })
            : before,
        )
        endpointChecks.set(path, check)
        previous = check
      }
    }
    return paths.map((path) => endpointChecks.get(path)!)
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
    await runDeletions(
      jobs,
      deletion,
      {
        send: (job, signal) => client.deleteVersion(job.path, job.body, signal),
        now,
        random,
        onStop: (reason) => (stoppedBy = reason),
        onSending: (job) => ledger.sending(job),
        onSettled(job, outcome) {
          ledger.settled(job, outcome)
          progress.settled++
          if (outcome.status === 'deleted' || outcome.status === 'not-found') progress.deleted++
          if (outcome.status === 'failed') progress.failed++
          if (now() - progress.last >= progressEvery && progress.settled < progress.total) {
            progress.last = now()
            core.info(`deleted ${progress.deleted}/${progress.total}, ${progress.failed} failed`)
          }
        },
      },
      pool,
    )
  }

  return { delete: deleteJobs, close: () => controlPlane?.close() }
}

/**
 * What the runDeletions calls of one run share: `concurrency` slots, so that a
 * batch's requests take the slots the batch before frees as soon as it frees
 * them, and one stop, which holds for every call, running or to come.
 */
export class DeletionPool {
  readonly slots: Slots
  private readonly stopped = new AbortController()
  /** Why nothing more may be sent; empty until something says so. */
  reason = ''

  constructor(concurrency: number) {
    this.slots = new Slots(concurrency)
  }

  /** Aborted at the stop: ends the waits between attempts. */
  get signal(): AbortSignal {
    return this.stopped.signal
  }

  stop(reason: string): void {
    if (this.stopped.signal.aborted) return
    this.reason = reason
    this.stopped.abort()
    this.slots.close()
  }
}

/** A counting semaphore whose waiters with priority go first; closing it turns every waiter away. */
export class Slots {
  private free: number
  private closed = false
  private readonly priorityWaiting: ((ok: boolean) => void)[] = []
  private readonly normalWaiting: ((ok: boolean) => void)[] = []
  private normalHead = 0

  constructor(size: number) {
    this.free = size
  }

  acquire(priority: boolean): Promise<boolean> {
    if (this.closed) return Promise.resolve(false)
    if (this.free > 0) {
      this.free--
      return Promise.resolve(true)
    }
    return new Promise((grant) => (priority ? this.priorityWaiting : this.normalWaiting).push(grant))
  }

  release(): void {
    const next = this.priorityWaiting.shift() ?? this.nextNormal()
    if (next && !this.closed) next(true)
    else this.free++
  }

  close(): void {
    this.closed = true
    for (const grant of this.priorityWaiting.splice(0)) grant(false)
    for (const grant of this.normalWaiting.splice(this.normalHead)) grant(false)
    this.normalHead = 0
    this.normalWaiting.length = 0
  }

  /** O(1) dequeue for the long queue of requests not yet started. */
  private nextNormal(): ((ok: boolean) => void) | undefined {
    if (this.normalHead >= this.normalWaiting.length) return undefined
    const next = this.normalWaiting[this.normalHead]
    this.normalWaiting[this.normalHead++] = undefined as never
    if (this.normalHead > 1024 && this.normalHead * 2 > this.normalWaiting.length) {
      this.normalWaiting.splice(0, this.normalHead)
      this.normalHead = 0
    }
    return next
  }
}
