import { afterEach, describe, expect, test } from 'vitest'
import { createControlPlane } from '../../../src/deletion/control-plane.ts'
import { runDeletions, type DeletionDeps, type DeletionOptions } from '../../../src/deletion/send.ts'
import { DeletionPool } from '../../../src/deletion/slots.ts'
import type { Job } from '../../../src/results/plan.ts'
import type { Outcome } from '../../../src/results/result.ts'
import type { Backoff } from '../../../src/deletion/backoff.ts'
import {
  after,
  gaps,
  hang,
  hugeBody,
  redirect,
  resetAfterHeaders,
  resetBeforeHeaders,
  respond,
  startFaultServer,
  trickle,
  type Fault,
  type FaultServer,
  type FaultServerOptions,
} from '../../../fakes/fault-server.ts'
import { ARTIFACT_PATH, sampleJobs } from '../../support/sample-manifests.ts'
import { MANIFEST_KINDS } from '../../../src/manifests/kinds.ts'

const TOKEN = 'tfy-secret-8d2e61b0-deletions'
const GENERIC_PATH = MANIFEST_KINDS['artifact-version'].endpoints['svc-v1']
/** Small enough to keep the suite fast, large enough to see on the server's clock. */
const BACKOFF: Backoff = { baseDelayMs: 50, maxDelayMs: 400, maxRetryAfterMs: 2000 }
/** Timer and scheduling slack when comparing arrival gaps with the delays asked for. */
const SLACK_MS = 15

const unavailable = respond(503, { detail: 'Service temporarily unavailable' })
const cleanups: (() => Promise<void>)[] = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

async function server(options: FaultServerOptions): Promise<FaultServer> {
  const started = await startFaultServer({ token: TOKEN, ...options })
  cleanups.push(() => started.close())
  return started
}

interface Run {
  outcomes: Outcome[]
  ms: number
}

/** runDeletions in a pool of its own, its outcomes as onSettled tells them, in the order of `jobs`. */
async function settle(
  jobs: Job[],
  options: DeletionOptions & { concurrency: number },
  deps: Pick<DeletionDeps, 'send' | 'random'> & Partial<Pick<DeletionDeps, 'generation'>>,
): Promise<Outcome[]> {
  const outcomes = new Map<Job, Outcome>()
  await runDeletions(
    jobs,
    options,
    {
      generation: () => 'ml-v1',
      ...deps,
      now: Date.now,
      onSending: () => undefined,
      onSettled: (job, outcome) => outcomes.set(job, outcome),
      onStop: () => undefined,
    },
    new DeletionPool(options.concurrency),
  )
  return jobs.map((job) => outcomes.get(job)!)
}

/** runDeletions with the real client, as the deletion stage wires it. */
async function deleteAll(
  url: string,
  jobs: Job[],
  options: Partial<DeletionOptions> & { concurrency?: number; timeoutMs?: number; random?: () => number; generic?: boolean } = {},
): Promise<Run> {
  const { timeoutMs = 2000, random = Math.random, generic = false, ...deletionOptions } = options
  const settings = {
    concurrency: 4,
    maxAttempts: 5,
    missingOk: true,
    backoff: BACKOFF,
    cancel: new AbortController().signal,
    abortInFlight: new AbortController().signal,
    ...deletionOptions,
  }
  const controlPlane = createControlPlane({ url: new URL(url), token: TOKEN, timeoutMs, concurrency: settings.concurrency })
  const started = performance.now()
  try {
    const outcomes = await settle(jobs, settings, {
      send: (job, signal) => controlPlane.deleteVersion(generic ? GENERIC_PATH : ARTIFACT_PATH, bodyOf(job), signal),
      generation: () => (generic ? 'svc-v1' : 'ml-v1'),
      random,
    })
    return { outcomes, ms: performance.now() - started }
  } finally {
    controlPlane.close()
  }
}

/** One version, answered by `faults` in turn and then as the stand-in does (it exists). */
async function oneVersion(faults: FaultServerOptions['faults'], options: Parameters<typeof deleteAll>[2] = {}) {
  const { jobs, keys } = sampleJobs(1)
  const stand = await server({ existing: keys, faults })
  const run = await deleteAll(stand.url, jobs, options)
  return { stand, ms: run.ms, outcome: run.outcomes[0]! }
}

describe('runDeletions against the fault server', () => {
  test('503, then 200: deleted on the second attempt after a backoff', async () => {
    const { stand, outcome } = await oneVersion([unavailable], { random: () => 0 })
    expect(outcome).toEqual({
      status: 'deleted',
      attempts: 2,
      http_status: 200,
      message: 'deleted after 1 retry (last: HTTP 503: Service temporarily unavailable)',
    })
    // The first retry waits between half and all of baseDelayMs; random 0 is the least.
    expect(gaps(stand.requests)[0]).toBeGreaterThanOrEqual(BACKOFF.baseDelayMs / 2 - SLACK_MS)
  })

  test('429 with Retry-After in seconds: the retry comes no sooner than asked', async () => {
    const { stand, outcome } = await oneVersion([respond(429, { detail: 'slow down' }, { 'retry-after': '1' })])
    expect(outcome).toMatchObject({ status: 'deleted', attempts: 2 })
    expect(gaps(stand.requests)[0]).toBeGreaterThanOrEqual(1000 - SLACK_MS)
  })

  test('429 with Retry-After as an HTTP date: the retry comes no sooner than that time', async () => {
    let retryAt = 0
    const tooMany = respond(429, { detail: 'slow down' })
    const { stand, outcome } = await oneVersion([
      (request, response) => {
        // HTTP dates have whole seconds: the next whole second at least 800 ms away.
        retryAt = Math.ceil((Date.now() + 800) / 1000) * 1000
        response.setHeader('retry-after', new Date(retryAt).toUTCString())
        return tooMany(request, response)
      },
    ])
    expect(outcome).toMatchObject({ status: 'deleted', attempts: 2 })
    expect(stand.requests[1]!.arrivedAt).toBeGreaterThanOrEqual(retryAt - SLACK_MS)
  })

  test('a Retry-After longer than the cap waits only the cap', async () => {
    const { stand, outcome } = await oneVersion([respond(503, '', { 'retry-after': '3600' })], {
      backoff: { ...BACKOFF, maxRetryAfterMs: 200 },
    })
    expect(outcome).toMatchObject({ status: 'deleted', attempts: 2 })
    expect(gaps(stand.requests)[0]).toBeGreaterThanOrEqual(200 - SLACK_MS)
    expect(gaps(stand.requests)[0]).toBeLessThan(1000)
  })

  test.each([
    ['before the headers', resetBeforeHeaders()],
    ['in the middle of the body', resetAfterHeaders(200)],
  ])('a connection reset %s is retried', async (_when, reset) => {
    const { outcome } = await oneVersion([reset])
    expect(outcome).toEqual({
      status: 'deleted',
      attempts: 2,
      http_status: 200,
      message: expect.stringMatching(
        /^deleted after 1 retry \(last: the connection (was reset \(ECONNRESET\)|closed before the response was complete \(UND_ERR_SOCKET\))\)$/,
      ),
    })
  })

  test('a server that never answers: each attempt ends at the timeout, and so does the whole', async () => {
    const { stand, outcome, ms } = await oneVersion([hang(), hang(), hang()], { maxAttempts: 3, timeoutMs: 200, random: () => 1 })
    expect(outcome).toEqual({
      status: 'failed',
      attempts: 3,
      http_status: null,
      message: 'no complete response within 0.2 s (request-timeout) (gave up after 3 attempts)',
    })
    expect(stand.requests).toHaveLength(3)
    // Three timeouts and two backoffs (50 ms and 100 ms with random 1), plus slack.
    expect(ms).toBeGreaterThanOrEqual(3 * 200 + 150 - SLACK_MS)
    expect(ms).toBeLessThan(3 * 200 + 150 + 500)
  })

  test('a body that trickles in past the timeout is a failed attempt', async () => {
    const slow = trickle(200, 1000, 20)
    const { outcome, ms } = await oneVersion([slow, slow], { maxAttempts: 2, timeoutMs: 200 })
    expect(outcome).toMatchObject({ status: 'failed', attempts: 2, message: expect.stringContaining('no complete response within 0.2 s') })
    expect(ms).toBeLessThan(1000)
  })

  test('500 forever: gives up at max-attempts with the last reason, waiting longer each time', async () => {
    const failing = (index: number) => respond(500, { detail: `internal error #${index}` })
    const { stand, outcome } = await oneVersion((index) => failing(index), { maxAttempts: 4, random: () => 1 })
    expect(outcome).toEqual({
      status: 'failed',
      attempts: 4,
      http_status: 500,
      message: 'HTTP 500: internal error #3 (gave up after 4 attempts)',
    })
    expect(stand.requests).toHaveLength(4)
    // random 1 takes the whole ceiling: 50, 100, 200 ms.
    const waited = gaps(stand.requests)
    expect(waited[0]).toBeGreaterThanOrEqual(50 - SLACK_MS)
    expect(waited[1]).toBeGreaterThanOrEqual(100 - SLACK_MS)
    expect(waited[2]).toBeGreaterThanOrEqual(200 - SLACK_MS)
    expect(waited[0]!).toBeLessThan(waited[1]!)
    expect(waited[1]!).toBeLessThan(waited[2]!)
  })

  test('404 with missing-ok: not found, sent once', async () => {
    const { stand, outcome } = await oneVersion([respond(404, { detail: 'Artifact version not found' })])
    expect(outcome).toEqual({ status: 'not-found', attempts: 1, http_status: 404, message: 'not found (HTTP 404): already gone' })
    expect(stand.requests).toHaveLength(1)
  })

  test('404 without missing-ok: failed, sent once', async () => {
    const { stand, outcome } = await oneVersion([respond(404, { detail: 'Artifact version not found' })], { missingOk: false })
    expect(outcome).toEqual({ status: 'failed', attempts: 1, http_status: 404, message: 'not found (HTTP 404), and missing-ok is false' })
    expect(stand.requests).toHaveLength(1)
  })

  test('404 after a 503 that took effect: deleted, even without missing-ok', async () => {
    // The first request deletes the version and still answers 503, as a gateway might.
    const { jobs, keys } = sampleJobs(1)
    const tookEffect: Fault = (request, response) => {
      stand.existing.clear()
      return unavailable(request, response)
    }
    const stand = await server({ existing: keys, faults: [tookEffect] })
    const { outcomes } = await deleteAll(stand.url, jobs, { missingOk: false })
    expect(outcomes[0]).toEqual({
      status: 'deleted',
      attempts: 2,
      http_status: 404,
      message: 'deleted: an earlier attempt that failed took effect (HTTP 404 on retry)',
    })
    expect(stand.answers).toEqual([503, 404])
  })

  test('404 after a 429, which says the request was not processed: not found', async () => {
    const { stand, outcome } = await oneVersion([
      respond(429, { detail: 'slow down' }),
      respond(404, { detail: 'Artifact version not found' }),
    ])
    expect(outcome).toEqual({ status: 'not-found', attempts: 2, http_status: 404, message: 'not found (HTTP 404): already gone' })
    expect(stand.answers).toEqual([429, 404])
  })

  test('422 is invalid, listing each of the server’s detail entries as loc: msg; not retried', async () => {
    const detail = [
      { loc: ['body', 'manifest', 'name'], msg: 'field required', type: 'value_error.missing' },
      { loc: ['body', 'manifest', 'version'], msg: 'ensure this value is greater than 0', type: 'value_error' },
    ]
    const { stand, outcome } = await oneVersion([respond(422, { detail })])
    expect(outcome).toEqual({
      status: 'invalid',
      attempts: 1,
      http_status: 422,
      message:
        'the server refused the manifest (HTTP 422): body.manifest.name: field required; body.manifest.version: ensure this value is greater than 0',
    })
    expect(stand.requests).toHaveLength(1)
  })

  test("the generic endpoint's 400 with its HttpError body is invalid, showing its message, with its token redacted; not retried", async () => {
    const echo = respond(400, (request) => ({ statusCode: 400, message: `manifest.type: Required (${request.headers.authorization})` }))
    const { stand, outcome } = await oneVersion([echo], { generic: true })
    expect(outcome).toEqual({
      status: 'invalid',
      attempts: 1,
      http_status: 400,
      message: 'the server refused the manifest (HTTP 400): manifest.type: Required (Bearer ***)',
    })
    expect(stand.requests.map((request) => request.path)).toEqual([`/${GENERIC_PATH}`])
  })

  test('401: that one fails, nothing new starts, the unsent are skipped', async () => {
    const { jobs, keys } = sampleJobs(6)
    // The first request is refused at once; the second, sent alongside it, is answered later.
    const stand = await server({ existing: keys, faults: [respond(401, { detail: 'Invalid API key' }), after(200, respond(200, {}))] })
    const { outcomes } = await deleteAll(stand.url, jobs, { concurrency: 2 })

    expect(outcomes[0]).toEqual({
      status: 'failed',
      attempts: 1,
      http_status: 401,
      message:
        'the token was rejected (HTTP 401: Invalid API key); check the token input or TFY_API_KEY, and that it may delete artifact versions in this ML repo',
    })
    expect(outcomes[1]).toMatchObject({ status: 'deleted', attempts: 1 })
    for (const outcome of outcomes.slice(2)) {
      expect(outcome).toEqual({ status: 'skipped', attempts: 0, http_status: null, message: 'not sent: the token was rejected (HTTP 401)' })
    }
    expect(stand.requests).toHaveLength(2)
  })

  test('403 while another version waits out a backoff: that one is not retried', async () => {
    const { jobs, keys } = sampleJobs(2)
    const stand = await server({
      existing: keys,
      faults: [respond(503, '', { 'retry-after': '2' }), after(50, respond(403, { detail: 'Forbidden' }))],
    })
    const { outcomes, ms } = await deleteAll(stand.url, jobs, { concurrency: 2 })
    expect(outcomes[0]).toEqual({
      status: 'failed',
      attempts: 1,
      http_status: 503,
      message: 'HTTP 503; not retried: the token was rejected (HTTP 403)',
    })
    expect(outcomes[1]).toMatchObject({ status: 'failed', http_status: 403, message: expect.stringContaining('the token was rejected') })
    expect(ms).toBeLessThan(1000)
    expect(stand.requests).toHaveLength(2)
  })

  test('307 to a second server: failed, naming the target, and the second server receives nothing', async () => {
    const elsewhere = await server({})
    const target = `${elsewhere.url}/api/ml/v1/artifact-versions`
    const { outcome } = await oneVersion([redirect(target)])
    expect(outcome).toEqual({
      status: 'failed',
      attempts: 1,
      http_status: 307,
      message: `redirected (HTTP 307) to ${target}; redirects are not followed, so the token goes only to control-plane-url: check the URL`,
    })
    expect(elsewhere.requests).toHaveLength(0)
  })

  test('500 echoing the Authorization header: the message does not carry the token', async () => {
    const echo = respond(500, (request) => ({ detail: `unexpected header ${request.headers.authorization}` }))
    const { outcome } = await oneVersion([echo, echo], { maxAttempts: 2 })
    expect(outcome).toEqual({
      status: 'failed',
      attempts: 2,
      http_status: 500,
      message: 'HTTP 500: unexpected header Bearer *** (gave up after 2 attempts)',
    })
    expect(JSON.stringify(outcome)).not.toContain(TOKEN)
  })

  test('a non-JSON error page: the status and a one-line excerpt of it', async () => {
    const page = '<html>\n  <head><title>400 Bad Request</title></head>\n  <body>nginx</body>\n</html>\n'
    const { outcome } = await oneVersion([respond(400, page, { 'content-type': 'text/html' })])
    expect(outcome).toEqual({
      status: 'failed',
      attempts: 1,
      http_status: 400,
      message: 'HTTP 400: <html> <head><title>400 Bad Request</title></head> <body>nginx</body> </html>',
    })
  })

  test('a 50 MB error body: a short excerpt, quickly', async () => {
    const huge = hugeBody(418, 50 * 1024 * 1024)
    const { outcome, ms } = await oneVersion([huge])
    expect(outcome).toEqual({ status: 'failed', attempts: 1, http_status: 418, message: `HTTP 418: ${'x'.repeat(200)}…` })
    expect(ms).toBeLessThan(1000)
    expect(huge.written).toBeLessThan(16 * 1024 * 1024)
  })

  test('never more requests at once than concurrency', async () => {
    const { jobs, keys } = sampleJobs(40)
    // Each answer takes a little while, and every fifth request fails once and comes back.
    const stand = await server({ existing: keys, faults: (index) => after(15, index % 5 === 0 ? unavailable : respond(200, {})) })
    const { outcomes } = await deleteAll(stand.url, jobs, { concurrency: 3 })
    expect(outcomes.every((outcome) => outcome.status === 'deleted')).toBe(true)
    expect(stand.maxInFlight).toBe(3)
  })

  test('a request waiting out its backoff gives its slot to the next', async () => {
    const { jobs, keys } = sampleJobs(2)
    const stand = await server({ existing: keys, faults: [respond(503, '', { 'retry-after': '1' })] })
    const { outcomes } = await deleteAll(stand.url, jobs, { concurrency: 1 })

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['deleted', 'deleted'])
    const [first, second, retry] = stand.requests
    expect(second!.manifest).toMatchObject({ name: 'model-1' })
    expect(second!.arrivedAt - first!.arrivedAt).toBeLessThan(500)
    expect(retry!.manifest).toMatchObject({ name: 'model-0' })
    expect(retry!.arrivedAt - first!.arrivedAt).toBeGreaterThanOrEqual(1000 - SLACK_MS)
  })

  test('a retry goes before versions not yet sent', async () => {
    const { jobs, keys } = sampleJobs(4)
    const stand = await server({ existing: keys, faults: (index) => (index === 0 ? unavailable : after(100, respond(200, {}))) })
    await deleteAll(stand.url, jobs, { concurrency: 1 })
    expect(stand.requests.map((request) => request.manifest!.name)).toEqual(['model-0', 'model-1', 'model-0', 'model-2', 'model-3'])
  })

  test('cancel: those in flight finish, nothing new starts, the unsent are skipped', async () => {
    const { jobs, keys } = sampleJobs(6)
    const cancel = new AbortController()
    const stand = await server({
      existing: keys,
      faults: (index) => {
        if (index === 1) setTimeout(() => cancel.abort(), 20)
        return after(200, respond(200, {}))
      },
    })
    const { outcomes } = await deleteAll(stand.url, jobs, { concurrency: 2, cancel: cancel.signal })
    expect(outcomes.slice(0, 2).map((outcome) => outcome.status)).toEqual(['deleted', 'deleted'])
    for (const outcome of outcomes.slice(2)) {
      expect(outcome).toEqual({ status: 'skipped', attempts: 0, http_status: null, message: 'not sent: cancelled' })
    }
    expect(stand.requests).toHaveLength(2)
  })

  test('cancel and abort in flight: a request cut short is failed, as it may have taken effect', async () => {
    const { jobs, keys } = sampleJobs(3)
    const cancel = new AbortController()
    const stand = await server({
      existing: keys,
      faults: (index) => {
        if (index === 0) setTimeout(() => cancel.abort(), 50)
        return hang()
      },
    })
    const { outcomes, ms } = await deleteAll(stand.url, jobs, {
      concurrency: 1,
      cancel: cancel.signal,
      abortInFlight: cancel.signal,
      timeoutMs: 5000,
    })
    expect(outcomes[0]).toEqual({
      status: 'failed',
      attempts: 1,
      http_status: null,
      message: 'cancelled while the request was in flight; the version may or may not be deleted',
    })
    expect(outcomes.slice(1).map((outcome) => outcome.status)).toEqual(['skipped', 'skipped'])
    expect(ms).toBeLessThan(1000)
  })
})

describe('a 404 after an attempt that never arrived is not "deleted"', () => {
  /** runDeletions sending attempt 1 through `first` and later ones through `then`: real clients, real sockets. */
  async function firstThen(firstUrl: string, thenUrl: string, missingOk: boolean): Promise<Outcome> {
    const first = createControlPlane({ url: new URL(firstUrl), token: TOKEN, timeoutMs: 2000, concurrency: 1 })
    const then = createControlPlane({ url: new URL(thenUrl), token: TOKEN, timeoutMs: 2000, concurrency: 1 })
    let attempts = 0
    try {
      const { jobs } = sampleJobs(1)
      const [outcome] = await settle(
        jobs,
        {
          concurrency: 1,
          maxAttempts: 3,
          missingOk,
          backoff: BACKOFF,
          cancel: new AbortController().signal,
          abortInFlight: new AbortController().signal,
        },
        {
          send: (job, signal) => (attempts++ === 0 ? first : then).deleteVersion(ARTIFACT_PATH, bodyOf(job), signal),
          random: Math.random,
        },
      )
      return outcome!
    } finally {
      first.close()
      then.close()
    }
  }

  test('connection refused, then 404: not found (and failed without missing-ok)', async () => {
    const refused = await server({})
    const refusedUrl = refused.url
    await refused.close()
    const stand = await server({})
    expect(await firstThen(refusedUrl, stand.url, true)).toEqual({
      status: 'not-found',
      attempts: 2,
      http_status: 404,
      message: 'not found (HTTP 404): already gone',
    })
    expect(await firstThen(refusedUrl, stand.url, false)).toMatchObject({
      status: 'failed',
      http_status: 404,
      message: 'not found (HTTP 404), and missing-ok is false',
    })
  })

  test('a host that does not resolve, then 404: not found', async () => {
    const stand = await server({})
    expect(await firstThen('http://no-such-host.invalid', stand.url, true)).toMatchObject({ status: 'not-found', attempts: 2 })
  })

  test('reset after the request was written, then 404: deleted, since the first may have taken effect', async () => {
    const stand = await server({ faults: [resetAfterHeaders(200)] })
    expect(await firstThen(stand.url, stand.url, false)).toEqual({
      status: 'deleted',
      attempts: 2,
      http_status: 404,
      message: 'deleted: an earlier attempt that failed took effect (HTTP 404 on retry)',
    })
  })
})

/** The manifest body a job carries (these jobs are all by manifest). */
function bodyOf(job: Job): string {
  if (!('body' in job)) throw new Error('expected a job by manifest')
  return job.body
}
