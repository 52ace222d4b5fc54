// One request to the control plane over undici, as an Attempt: bounded by a
// timeout that covers the whole exchange (connecting, and a body that trickles
// in), cut short by an abort, and reading no more of a body than its cap: what a
// message needs of a delete's answer, a page of a listing whole or not at all.
import { StringDecoder } from 'node:string_decoder'
import type { Dispatcher } from 'undici'
import { isCertificateError } from '../http/certificates.ts'
import type { Redact } from '../text/redact.ts'
import { formatBytes, formatSeconds } from '../text/format.ts'
import { describeCertificateError, describeNetworkError } from './network-errors.ts'

/** What one attempt produced: a response, or no response at all. */
export type Attempt =
  | { kind: 'response'; status: number; headers: Record<string, string | undefined>; body: string }
  | {
      kind: 'error'
      /** `certificate`: the server's certificate is not trusted, which no retry changes. */
      /** `too-large`: a body over a cap that takes it whole or not at all, which a retry would send again. */
      cause: 'network' | 'certificate' | 'cancelled' | 'too-large'
      /** Whether the request was written to a connection, so may have reached the server. */
      sent: boolean
      reason: string
    }

export interface Exchange {
  dispatcher: Promise<Dispatcher>
  headers: Record<string, string>
  timeoutMs: number
  /** The proxy requests go through, without user-info; null when they go direct. */
  proxy: string | null
  /** Takes the token out of the body before it is cut: cut first, a secret's escaped form could lose the end that makes it recognisable. */
  redact: Redact
}

/** How much of a response body is read: up to `bytes`, the rest cut off (`cut`) or the answer refused (`whole`). */
export interface BodyCap {
  bytes: number
  over: 'cut' | 'whole'
}

/** Enough of a response body for a message; the rest is not read. */
export const MESSAGE_CAP: BodyCap = { bytes: 64 * 1024, over: 'cut' }

export interface Outgoing {
  method: 'POST' | 'GET' | 'DELETE'
  url: URL
  /** The JSON text to send; null for none. */
  body: string | null
  cap: BodyCap
}

/** Sends one request. Never rejects: failures come back as an Attempt. */
export function requestOnce(exchange: Exchange, outgoing: Outgoing, signal?: AbortSignal): Promise<Attempt> {
  const { proxy, timeoutMs } = exchange
  const { method, url, body, cap } = outgoing
  return new Promise((resolve) => {
    let settled = false
    /** Set once the request is written to a connection: from then on it may reach the server. */
    let sent = false
    let abortRequest: ((error: Error) => void) | null = null
    let status = 0
    let responseHeaders: Record<string, string | undefined> = {}
    const chunks: Buffer[] = []
    let received = 0

    const settle = (attempt: Attempt) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      resolve(attempt)
      abortRequest?.(new Error('settled'))
    }
    const fail = (cause: Extract<Attempt, { kind: 'error' }>['cause'], reason: string) => settle({ kind: 'error', cause, sent, reason })
    const tooLarge = () => fail('too-large', `the answer is larger than ${formatBytes(cap.bytes)}, the most the action reads of one`)
    const finish = (truncated: boolean) => {
      // Whole characters only: a cut inside one would hide the start of a secret from redaction.
      const text = new StringDecoder('utf8').write(Buffer.concat(chunks))
      settle({ kind: 'response', status, headers: responseHeaders, body: exchange.redact(text, { truncated }) })
    }
    const onAbort = () =>
      fail(
        'cancelled',
        !sent
          ? 'cancelled before the request was sent'
          : method === 'GET'
            ? 'cancelled while the request was in flight'
            : 'cancelled while the request was in flight; the version may or may not be deleted',
      )
    // Failed a turn of the event loop later: after a long synchronous stretch, timers run before the I/O that came meanwhile, and an answer already here must win.
    const timer = setTimeout(
      () =>
        setImmediate(() =>
          fail(
            'network',
            sent
              ? `no complete response within ${formatSeconds(timeoutMs)} (request-timeout)`
              : `no connection within ${formatSeconds(timeoutMs)} (request-timeout)${proxy ? ` through the proxy ${proxy}` : ''}: is control-plane-url right?`,
          ),
        ),
      timeoutMs,
    )
    if (signal?.aborted) return onAbort()
    signal?.addEventListener('abort', onAbort, { once: true })

    // A handler of our own rather than undici's request(): only its onBodySent tells a request written from one never sent.
    const handler: Dispatcher.DispatchHandlers = {
      onConnect(abort) {
        if (settled) return abort(new Error('settled'))
        abortRequest = abort
        // Without a body there is no onBodySent: a connected request goes out with its headers, so from here it may reach the server.
        if (body === null) sent = true
      },
      onBodySent() {
        sent = true
      },
      onHeaders(statusCode, rawHeaders) {
        status = statusCode
        responseHeaders = pickHeaders(rawHeaders)
        if (cap.over === 'whole' && announcedLength(rawHeaders) > cap.bytes) {
          tooLarge()
          return false
        }
        return true
      },
      onData(chunk) {
        if (cap.over === 'whole' && received + chunk.length > cap.bytes) {
          tooLarge()
          return false
        }
        if (cap.over === 'cut' && received + chunk.length >= cap.bytes) {
          chunks.push(chunk.subarray(0, cap.bytes - received))
          received = cap.bytes
          finish(true)
          return false
        }
        chunks.push(chunk)
        received += chunk.length
        return true
      },
      onComplete() {
        finish(false)
      },
      onError(error: Error & { code?: string }) {
        if (settled) return
        if (isCertificateError(error)) return fail('certificate', describeCertificateError(error, url))
        fail('network', describeNetworkError(error, proxy))
      },
    }
    exchange.dispatcher
      .then((ready) => {
        if (!settled)
          ready.dispatch(
            {
              origin: url.origin,
              path: `${url.pathname}${url.search}`,
              method,
              headers: body === null ? exchange.headers : { ...exchange.headers, 'content-type': 'application/json' },
              body,
            },
            handler,
          )
      })
      .catch((error: Error) => fail('network', describeNetworkError(error, proxy)))
  })
}

/** Location and Retry-After, the headers a judgement reads. */
function pickHeaders(raw: Buffer[]): Record<string, string | undefined> {
  const picked: Record<string, string | undefined> = {}
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase()
    if ((name === 'location' || name === 'retry-after') && picked[name] === undefined) picked[name] = raw[i + 1]!.toString('utf8')
  }
  return picked
}

/** The Content-Length a response announces, so a body over a cap is refused before it is read; 0 when none. */
function announcedLength(raw: Buffer[]): number {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toString('latin1').toLowerCase() === 'content-length') return Number(raw[i + 1]!.toString('latin1')) || 0
  }
  return 0
}
