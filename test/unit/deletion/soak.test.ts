import { expect, test } from 'vitest'
import { createControlPlane } from '../../../src/deletion/control-plane.ts'
import { runDeletions } from '../../../src/deletion/send.ts'
import { DeletionPool } from '../../../src/deletion/slots.ts'
import type { Outcome } from '../../../src/results/result.ts'
import { resetBeforeHeaders, respond, startFaultServer, type Fault } from '../../../fakes/fault-server.ts'
import { ARTIFACT_PATH, sampleJobs } from '../../support/sample-manifests.ts'
import type { Job } from '../../../src/results/plan.ts'
import { versionKey } from '../../../fakes/stand-in-control-plane.ts'

const TOKEN = 'tfy-secret-0a7b3c55-soak'
const VERSIONS = 5000
const FAILURE_RATE = 0.1

/** Handles this process holds, by kind, e.g. { TCPSocketWrap: 2, Timeout: 1 }. */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1
  return counts
}

test(`soak: ${VERSIONS} versions, ${FAILURE_RATE * 100}% of attempts failing (503 or reset)`, async () => {
  const before = resources()
  // A fixed seed, so a failure here can be replayed.
  let seed = 0x5eed
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  const unavailable = respond(503, { detail: 'Service temporarily unavailable' })
  const reset = resetBeforeHeaders()
  const { jobs, keys } = sampleJobs(VERSIONS)
  const server = await startFaultServer({
    token: TOKEN,
    existing: keys,
    faults: (): Fault | undefined => (random() < FAILURE_RATE ? (random() < 0.5 ? unavailable : reset) : undefined),
  })
  const controlPlane = createControlPlane({ url: new URL(server.url), token: TOKEN, timeoutMs: 5000, concurrency: 8 })

  const started = performance.now()
  const outcomes = new Map<number, Outcome>()
  await runDeletions(
    jobs,
    {
      maxAttempts: 10,
      missingOk: false,
      backoff: { baseDelayMs: 5, maxDelayMs: 40, maxRetryAfterMs: 100 },
      cancel: new AbortController().signal,
      abortInFlight: new AbortController().signal,
    },
    {
      send: (job, signal) => controlPlane.deleteVersion(ARTIFACT_PATH, bodyOf(job), signal),
      generation: () => 'ml-v1',
      now: Date.now,
      random: Math.random,
      onSending: () => undefined,
      onSettled: (job, outcome) => outcomes.set(job.index, outcome),
      onStop: () => undefined,
    },
    new DeletionPool(8),
  )
  const ms = performance.now() - started
  controlPlane.close()
  await expect.poll(() => server.openConnections()).toBe(0)
  await server.close()

  const attempts = [...outcomes.values()].reduce((sum, outcome) => sum + outcome.attempts, 0)
  console.log(`soak: ${VERSIONS} versions, ${attempts} attempts (${server.requests.length} reached the server), ${Math.round(ms)} ms`)

  expect([...outcomes.values()].filter((outcome) => outcome.status !== 'deleted')).toEqual([])
  expect(server.existing.size).toBe(0)
  expect(attempts).toBeLessThan(VERSIONS * 1.3)
  expect(server.maxInFlight).toBeLessThanOrEqual(8)
  // Every version was answered 200 exactly once, by its last request: nothing was sent after a success.
  const lastAnswer = new Map<string, number | null>()
  const successes = new Map<string, number>()
  server.requests.forEach((request, index) => {
    const key = versionKey(request.manifest!)
    expect(lastAnswer.get(key), `${key} was sent again after it was deleted`).not.toBe(200)
    lastAnswer.set(key, server.answers[index]!)
    if (server.answers[index] === 200) successes.set(key, (successes.get(key) ?? 0) + 1)
  })
  expect(successes.size).toBe(VERSIONS)
  expect([...successes.values()].every((count) => count === 1)).toBe(true)

  // No socket, server or timer of ours outlives the run.
  await expect.poll(() => resources(), { timeout: 2000 }).toEqual(before)
}, 60_000)

/** The manifest body a job carries (these jobs are all by manifest). */
function bodyOf(job: Job): string {
  if (!('body' in job)) throw new Error('expected a job by manifest')
  return job.body
}
