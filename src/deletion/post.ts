// One POST to the control plane over undici, as an Attempt: bounded by a
// timeout that covers the whole exchange (connecting, and a body that trickles
// in), cut short by an abort, and reading no more of a body than a message needs.
import { StringDecoder } from 'node:string_decoder'
import type { Dispatcher } from 'undici'
import { isCertificateError } from '../http/certificates.ts'
import type { Redact } from '../text/redact.ts'
import { formatSeconds } from '../text/format.ts'
import { describeCertificateError, describeNetworkError } from './network-errors.ts'

/** Enough of a response body for a message; the rest is not read. */
const MAX_BODY_BYTES = 64 * 1024

/** What one attempt produced: a response, or no response at all. */
export type Attempt =
  | { kind: 'response'; status: number; headers: Record<string, string | undefined>; body: string }
  | {
      kind: 'error'
      /** `certificate`: the server's certificate is not trusted, which no retry changes. */
      cause: 'network' | 'certificate' | 'cancelled'
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

/** POSTs `body` to `url`. Never rejects: failures come back as an Attempt. */
export function post(exchange: Exchange, url: URL, body: string, signal?: AbortSignal): Promise<Attempt> {
  const { proxy, timeoutMs } = exchange
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
    const fail = (cause: 'network' | 'certificate' | 'cancelled', reason: string) => settle({ kind: 'error', cause, sent, reason })
    const finish = (truncated: boolean) => {
      // Whole characters only: a cut inside one would hide the start of a secret from redaction.
      const text = new StringDecoder('utf8').write(Buffer.concat(chunks))
      settle({ kind: 'response', status, headers: responseHeaders, body: exchange.redact(text, { truncated }) })
    }
    const onAbort = () =>
      fail(
        'cancelled',
        sent ? 'cancelled while the request was in flight; the version may or may not be deleted' : 'cancelled before the request was sent',
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
        if (settled) abort(new Error('settled'))
        else abortRequest = abort
      },
      onBodySent() {
        sent = true
      },
      onHeaders(statusCode, rawHeaders) {
        status = statusCode
        responseHeaders = pickHeaders(rawHeaders)
        return true
      },
      onData(chunk) {
        if (received + chunk.length >= MAX_BODY_BYTES) {
          chunks.push(chunk.subarray(0, MAX_BODY_BYTES - received))
          received = MAX_BODY_BYTES
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
            { origin: url.origin, path: `${url.pathname}${url.search}`, method: 'POST', headers: exchange.headers, body },
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
