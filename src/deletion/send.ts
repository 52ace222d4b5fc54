import type { Job } from '../results/plan.ts'
import type { Outcome } from '../results/result.ts'
import type { ApiGeneration } from '../manifests/kinds.ts'
import type { Attempt } from './post.ts'
import { gaveUpAfter, retrying, type Backoff, type Tried } from './backoff.ts'
import { judgeAttempt, mayHaveTakenEffect, type Judgement } from './judgement.ts'
import type { DeletionPool } from './slots.ts'

const UNEXPECTED_STOP = 'the run stopped on an unexpected error'

type Retryable = Extract<Judgement, { kind: 'retryable' }>

export interface DeletionOptions {
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
  /** The generation of the endpoint a job goes to: how its server refuses a manifest differs. */
  generation(job: Job): ApiGeneration
  now: () => number
  random: () => number
  /** Told before each attempt is sent. */
  onSending(job: Job): void
  /** Told once each version settles: its outcome. */
  onSettled(job: Job, outcome: Outcome): void
  /** Told when nothing more may be sent, and why: a rejected token, or an unexpected error. */
  onStop(reason: string): void
}

/**
 * Sends every job, at most the pool's `concurrency` at a time, and tells
 * onSettled each outcome. A request waiting out its backoff gives its slot to
 * another; a retry goes before requests not yet started. A rejected token
 * stops everything: the next request would carry it too.
 */
export async function runDeletions(jobs: Job[], options: DeletionOptions, deps: DeletionDeps, pool: DeletionPool): Promise<void> {
  const { slots } = pool
  /** A stop that holds for every later request of the run, not only this call's. */
  const stopRun = (reason: string) => {
    deps.onStop(reason)
    pool.stop(reason)
  }
  const onCancel = () => pool.stop('cancelled')
  if (options.cancel.aborted) onCancel()
  else options.cancel.addEventListener('abort', onCancel, { once: true })
  const policy = { ...options, random: deps.random, signal: pool.signal }

  function deleteOne(job: Job): Promise<Outcome> {
    let lastRetryable: Retryable | null = null
    let earlierMayHaveWorked = false
    return retrying<Outcome, Retryable>(
      async (attempts): Promise<Tried<Outcome, Retryable>> => {
        if (!(await slots.acquire(attempts > 1))) return { done: stopped(attempts - 1, lastRetryable) }
        let judgement: Judgement
        try {
          deps.onSending(job)
          const attempt = await deps.send(job, options.abortInFlight)
          judgement = judgeAttempt(attempt, {
            missingOk: options.missingOk,
            afterRetryableFailure: earlierMayHaveWorked,
            now: deps.now(),
            generation: deps.generation(job),
          })
          // Before the slot is freed: freed first, it would go to the next request, which would carry the rejected token too.
          if (judgement.kind === 'token-rejected') stopRun(`the token was rejected (HTTP ${judgement.http_status})`)
        } catch (error) {
          // A defect (send never rejects): stopped before the slot is freed, like a rejected token.
          stopRun(UNEXPECTED_STOP)
          throw error
        } finally {
          slots.release()
        }
        if (judgement.kind !== 'retryable') return { done: settledBy(judgement, attempts, lastRetryable) }
        lastRetryable = judgement
        earlierMayHaveWorked ||= mayHaveTakenEffect(judgement)
        return { again: judgement, retryAfterMs: judgement.retryAfterMs }
      },
      policy,
      (last, attempts) => ({
        status: 'failed',
        attempts,
        http_status: last.http_status,
        message: `${last.message} ${gaveUpAfter(attempts)}`,
      }),
    )
  }

  function stopped(attempts: number, last: Retryable | null): Outcome {
    if (attempts === 0 || !last) return { status: 'skipped', attempts: 0, http_status: null, message: `not sent: ${pool.reason}` }
    return { status: 'failed', attempts, http_status: last.http_status, message: `${last.message}; not retried: ${pool.reason}` }
  }

  // An error thrown for one version (a defect: send never rejects) stops every
  // other before it is passed on, so nothing is sent after the run has ended.
  const errors: unknown[] = []
  try {
    await Promise.all(
      jobs.map(async (job) => {
        try {
          deps.onSettled(job, await deleteOne(job))
        } catch (error) {
          errors.push(error)
          stopRun(UNEXPECTED_STOP)
        }
      }),
    )
    if (errors.length > 0) throw errors[0]
  } finally {
    options.cancel.removeEventListener('abort', onCancel)
  }
}

/** The outcome of an attempt whose judgement ends the request. */
function settledBy(judgement: Exclude<Judgement, Retryable>, attempts: number, lastRetryable: Retryable | null): Outcome {
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
    case 'invalid':
      return { status: 'invalid', attempts, http_status: judgement.http_status, message: judgement.message }
    case 'failed':
    case 'token-rejected':
      return { status: 'failed', attempts, http_status: judgement.http_status, message: judgement.message }
  }
}
