// The stand-in control plane on a bad day: per request, an answer the control
// plane or the network between might give instead of the usual one. Faults are
// functions of the request, so one can echo what the client sent.
import type http from 'node:http'
import { setTimeout as delay } from 'node:timers/promises'
import { startStandIn, type RecordedRequest, type StandIn, type StandInOptions } from './stand-in-control-plane.ts'

/** What the server does with one request instead of answering as the stand-in does. */
export type Fault = (request: RecordedRequest, response: http.ServerResponse) => void | Promise<void>

/** A fault per request index (past the end of a list, or undefined: the stand-in's usual answer). */
export type FaultPlan = (Fault | undefined)[] | ((index: number, request: RecordedRequest) => Fault | undefined)

export interface FaultServer extends StandIn {
  /** The status sent for each request, by index; null while unanswered or when the connection was dropped. */
  answers: (number | null)[]
  /** The most requests the server was handling at one time. */
  readonly maxInFlight: number
  /** Requests whose response has not closed yet: neither finished nor dropped. */
  readonly inFlight: number
  /** Connections open now, client side closed or not. */
  openConnections(): Promise<number>
}

export interface FaultServerOptions extends Omit<StandInOptions, 'script' | 'probe' | 'token'> {
  token?: string
  /** Faults of the deletes; the endpoint checks are answered by `probeFaults`. */
  faults?: FaultPlan
  /** Faults of the endpoint checks (bodies of `{}`), by their own index; by default answered 422 as the control plane does. */
  probeFaults?: FaultPlan
}

export async function startFaultServer(options: FaultServerOptions = {}): Promise<FaultServer> {
  const answers: (number | null)[] = []
  let inFlight = 0
  let maxInFlight = 0
  const { faults: plan = [], probeFaults: probePlan = [], ...standInOptions } = options
  const standIn = await startStandIn({
    ...standInOptions,
    token: options.token ?? 'fault-server-token',
    existing: options.existing ?? [],
    async probe(request, response, index) {
      const fault = Array.isArray(probePlan) ? probePlan[index] : probePlan(index, request)
      if (!fault) return
      await fault(request, response)
      return 'handled'
    },
    async script(request, response, index) {
      answers[index] = null
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      response.once('close', () => {
        inFlight--
        if (response.writableFinished) answers[index] = response.statusCode
      })
      const fault = Array.isArray(plan) ? plan[index] : plan(index, request)
      if (!fault) return
      await fault(request, response)
      return 'handled'
    },
  })
  return {
    ...standIn,
    answers,
    get maxInFlight() {
      return maxInFlight
    },
    get inFlight() {
      return inFlight
    },
    openConnections: () =>
      new Promise((resolve, reject) => standIn.server.getConnections((error, count) => (error ? reject(error) : resolve(count)))),
  }
}

type BodyOf = string | object | ((request: RecordedRequest) => string | object)

/** Answers with `status`; an object body is sent as JSON, a string as it is. */
export function respond(status: number, body: BodyOf = '', headers: http.OutgoingHttpHeaders = {}): Fault {
  return (request, response) => {
    const value: string | object = typeof body === 'function' ? (body as (request: RecordedRequest) => string | object)(request) : body
    const text = typeof value === 'string' ? value : JSON.stringify(value)
    const type = typeof value === 'string' ? 'text/plain' : 'application/json'
    response.writeHead(status, { 'content-type': type, ...headers })
    response.end(text)
  }
}

/** A redirect to `location`, which may be built from the request (e.g. to carry the token along). */
export function redirect(location: string | ((request: RecordedRequest) => string), status = 307): Fault {
  return (request, response) =>
    respond(status, '', { location: typeof location === 'function' ? location(request) : location })(request, response)
}

/** Drops the connection without a response. */
export function resetBeforeHeaders(): Fault {
  return (_request, response) => {
    response.socket?.destroy()
  }
}

/** Sends the status line, headers and part of the body, then drops the connection. */
export function resetAfterHeaders(status = 200): Fault {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': '1000' })
    response.write('{"detail": "half', () => response.socket?.destroy())
  }
}

/** Keeps the connection open and never answers. */
export function hang(): Fault {
  return () => undefined
}

/** Sends the headers at once and then one byte of the body every `intervalMs`, for `bytes` bytes. */
export function trickle(status: number, bytes: number, intervalMs: number): Fault {
  return async (_request, response) => {
    response.writeHead(status, { 'content-type': 'text/plain', 'content-length': String(bytes) })
    for (let sent = 0; sent < bytes && !response.destroyed; sent++) {
      response.write('.')
      await delay(intervalMs)
    }
    response.end()
  }
}

/** A body of `bytes` bytes, streamed as fast as the client reads it; `written` counts what got out. */
export function hugeBody(status: number, bytes: number): Fault & { written: number } {
  const chunk = Buffer.alloc(64 * 1024, 'x')
  const fault = async (_request: RecordedRequest, response: http.ServerResponse) => {
    response.writeHead(status, { 'content-type': 'text/plain', 'content-length': String(bytes) })
    while (fault.written < bytes && !response.destroyed) {
      const piece = chunk.subarray(0, Math.min(chunk.length, bytes - fault.written))
      fault.written += piece.length
      if (!response.write(piece)) {
        await new Promise<void>((resolve) => {
          const resume = () => {
            response.off('drain', resume).off('close', resume)
            resolve()
          }
          response.on('drain', resume).on('close', resume)
        })
      }
    }
    response.end()
  }
  fault.written = 0
  return fault
}

/** `fault` after `ms`, unless the client has gone by then. */
export function after(ms: number, fault: Fault): Fault {
  return async (request, response) => {
    await delay(ms)
    if (!response.destroyed) await fault(request, response)
  }
}

/** The gaps, in ms, between the arrivals of consecutive requests. */
export function gaps(requests: RecordedRequest[]): number[] {
  return requests.slice(1).map((request, i) => request.arrivedAt - requests[i]!.arrivedAt)
}
