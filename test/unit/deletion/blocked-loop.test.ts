// A request whose answer came while the event loop was busy is judged by that
// answer, not timed out: the server runs in a worker thread, so it answers
// while this thread is blocked past request-timeout.
import { setImmediate as nextTurn } from 'node:timers/promises'
import { Worker } from 'node:worker_threads'
import { afterEach, describe, expect, it } from 'vitest'
import { createControlPlane } from '../../../src/deletion/control-plane.ts'
import { ARTIFACT_PATH, sampleBody } from '../../support/sample-manifests.ts'

/** Answers each POST 200 after `answerAfterMs`; counts the requests that arrived in `arrived[0]`, and the answers written in `arrived[1]` (waking a wait on it). */
const SERVER = `
const http = require('node:http')
const { parentPort, workerData } = require('node:worker_threads')
const arrived = new Int32Array(workerData.arrived)
const server = http.createServer((request, response) => {
  request.resume()
  request.on('end', () => {
    Atomics.add(arrived, 0, 1)
    setTimeout(() => response.writeHead(request.headers['x-probe'] ? 422 : 200, { 'content-type': 'application/json' }).end('{}', () => { Atomics.add(arrived, 1, 1); Atomics.notify(arrived, 1) }), workerData.answerAfterMs)
  })
})
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port))
parentPort.on('message', () => server.close(() => process.exit(0)))
`

let worker: Worker | null = null
afterEach(async () => {
  worker?.postMessage('close')
  await worker?.terminate()
  worker = null
})

async function startServer(answerAfterMs: number): Promise<{ url: URL; arrived: Int32Array }> {
  const shared = new SharedArrayBuffer(8)
  worker = new Worker(SERVER, { eval: true, workerData: { arrived: shared, answerAfterMs } })
  const port = await new Promise<number>((resolve) => worker!.once('message', resolve))
  return { url: new URL(`http://127.0.0.1:${port}`), arrived: new Int32Array(shared) }
}

/** Blocks this thread for `ms` as a long synchronous task would, without spinning: the other thread keeps the cores. */
function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/**
 * Blocks for `ms`, and on until `arrived[1]` reaches `answers`: on a loaded
 * machine the server's thread may get no core in the meantime, and the answer
 * must have come during the block for the test to ask what it asks. At most
 * 10 s more.
 */
function blockUntil(ms: number, arrived: Int32Array, answers: number): void {
  blockFor(ms)
  const limit = performance.now() + 10_000
  for (let seen = Atomics.load(arrived, 1); seen < answers && performance.now() < limit; seen = Atomics.load(arrived, 1))
    Atomics.wait(arrived, 1, seen, Math.max(0, limit - performance.now()))
}

describe('a request answered while the event loop was blocked past its timeout', () => {
  it.each([
    [300, 50, 700],
    [200, 10, 1500],
    [400, 150, 600],
  ])('is judged by its answer (timeout %i ms, answered after %i ms, loop blocked %i ms)', async (timeoutMs, answerAfterMs, blockedMs) => {
    const { url, arrived } = await startServer(answerAfterMs)
    const controlPlane = createControlPlane({ url, token: 'blocked-loop-token', timeoutMs, concurrency: 1 })
    try {
      // A first request opens the connection, so the second is written at once.
      expect(await controlPlane.deleteVersion(ARTIFACT_PATH, sampleBody(0))).toMatchObject({ kind: 'response', status: 200 })
      const attempt = controlPlane.deleteVersion(ARTIFACT_PATH, sampleBody(1))
      while (Atomics.load(arrived, 0) < 2) await nextTurn()
      // The server answers during this stretch, and the request's timer is overdue when it ends.
      blockUntil(blockedMs, arrived, 2)
      expect(await attempt).toMatchObject({ kind: 'response', status: 200 })
    } finally {
      controlPlane.close()
    }
  })

  it('still times out a request the server never answers in time', async () => {
    const { url } = await startServer(2000)
    const controlPlane = createControlPlane({ url, token: 'blocked-loop-token', timeoutMs: 200, concurrency: 1 })
    try {
      const attempt = controlPlane.deleteVersion(ARTIFACT_PATH, sampleBody(0))
      blockFor(400)
      expect(await attempt).toMatchObject({ kind: 'error', cause: 'network', reason: expect.stringContaining('(request-timeout)') })
    } finally {
      controlPlane.close()
    }
  })
})
