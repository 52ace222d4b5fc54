import { StringDecoder } from 'node:string_decoder'
import type { Dispatcher } from 'undici'
import { createDispatcher, proxyFor } from '../http/proxy.ts'
import { createRedactor } from '../text/redact.ts'
import { isCertificateError } from '../http/certificates.ts'
import { formatSeconds } from '../text/format.ts'

/** Enough of a response body for a message; the rest is not read. */
const MAX_BODY_BYTES = 64 * 1024
/** What the endpoint check sends: no manifest, so nothing can be deleted, and the endpoint answers 422. */
const PROBE_BODY = '{}'

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

export interface ControlPlaneOptions {
  url: URL
  token: string
  timeoutMs: number
  /** Connections kept open to the control plane: the number of requests in flight. */
  concurrency: number
  userAgent?: string
}

export interface ControlPlane {
  /**
   * One attempt to delete a version: POSTs `body`, the exact JSON text to send,
   * to the endpoint at `path` (below control-plane-url; its kind's, from
   * MANIFEST_KINDS). Never rejects: failures come back as an Attempt.
   */
  deleteVersion(path: string, body: string, signal?: AbortSignal): Promise<Attempt>
  /** POSTs `{}` to the endpoint at `path` (below control-plane-url), which deletes nothing; judge the answer with judgeEndpoint. */
  checkEndpoint(path: string, signal?: AbortSignal): Promise<Attempt>
  /** The URL of the endpoint at `path`, without user-info: for messages and the log. */
  endpointUrl(path: string): string
  /** The proxy requests go through, without user-info; null when they go direct. */
  readonly proxy: string | null
  close(): void
}

/**
 * The control plane's HTTP client: undici with a keep-alive pool of
 * `concurrency` connections, through the proxy proxyFor chooses (throws
 * ProxySettingError, at once, for a proxy variable that is not a proxy URL).
 * One request per attempt, bounded by a timeout that covers the whole exchange
 * (connecting, and a body that trickles in). Redirects are never followed, so
 * the token goes only to the control plane's origin, and no text it returns
 * carries the token in any form.
 */
export function createControlPlane(options: ControlPlaneOptions): ControlPlane {
  const base = new URL(options.url.href.endsWith('/') ? options.url.href : `${options.url.href}/`)
  base.username = ''
  base.password = ''
  const route = proxyFor(base)
  const proxy = route?.shown ?? null
  // Connected at the first request: a dry run or a run that stops at validation never loads undici.
  const dispatcher = createDispatcher(route, { connections: options.concurrency, connectTimeoutMs: options.timeoutMs })
  const redact = createRedactor(options.token ? [options.token] : [])
  const headers = {
    accept: 'application/json',
    authorization: `Bearer ${options.token}`,
    'content-type': 'application/json',
    'user-agent': options.userAgent ?? 'truefoundry-artifact-cleanup',
  }
  const endpoint = (path: string) => new URL(path, base)

  function post(url: URL, body: string, signal?: AbortSignal): Promise<Attempt> {
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
      const fail = (cause: 'network' | 'certificate' | 'cancelled', reason: string) =>
        settle({ kind: 'error', cause, sent, reason: redact(reason) })
      const finish = (truncated: boolean) => {
        // Whole characters only: a cut inside one would hide the start of a secret from redaction.
        const text = new StringDecoder('utf8').write(Buffer.concat(chunks))
        settle({ kind: 'response', status, headers: responseHeaders, body: redact(text, { truncated }) })
      }
      const onAbort = () =>
        fail(
          'cancelled',
          sent
            ? 'cancelled while the request was in flight; the version may or may not be deleted'
            : 'cancelled before the request was sent',
        )
      // Failed a turn of the event loop later: after a long synchronous stretch, timers run before the I/O that came meanwhile, and an answer already here must win.
      const timer = setTimeout(
        () =>
          setImmediate(() =>
            fail(
              'network',
              sent
                ? `no complete response within ${formatSeconds(options.timeoutMs)} (request-timeout)`
                : `no connection within ${formatSeconds(options.timeoutMs)} (request-timeout)${proxy ? ` through the proxy ${proxy}` : ''}: is control-plane-url right?`,
            ),
          ),
        options.timeoutMs,
      )
      if (signal?.aborted) return onAbort()
      signal?.addEventListener('abort', onAbort, { once: true })

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
          responseHeaders = pickHeaders(rawHeaders, redact)
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
      dispatcher
        .then((ready) => {
          if (!settled) ready.dispatch({ origin: url.origin, path: `${url.pathname}${url.search}`, method: 'POST', headers, body }, handler)
        })
        .catch((error: Error) => fail('network', describeNetworkError(error, proxy)))
    })
  }

  return {
    deleteVersion: (path, body, signal) => post(endpoint(path), body, signal),
    checkEndpoint: (path, signal) => post(endpoint(path), PROBE_BODY, signal),
    endpointUrl: (path) => endpoint(path).href,
    proxy,
    close: () => void dispatcher.then((ready) => ready.destroy()).catch(() => undefined),
  }
}

/** Location and Retry-After, the headers a judgement reads, with any secret in them redacted. */
function pickHeaders(raw: Buffer[], redact: (text: string) => string): Record<string, string | undefined> {
  const picked: Record<string, string | undefined> = {}
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase()
    if ((name === 'location' || name === 'retry-after') && picked[name] === undefined) picked[name] = redact(raw[i + 1]!.toString('utf8'))
  }
  return picked
}

function describeCertificateError(error: Error & { code?: string }, url: URL): string {
  const host = url.host
  const what =
    error.code === 'ERR_TLS_CERT_ALTNAME_INVALID' || error.code === 'HOSTNAME_MISMATCH'
      ? `the certificate of ${host} is not for that name (${error.code}): check the host in control-plane-url`
      : error.code === 'CERT_HAS_EXPIRED' || error.code === 'CERT_NOT_YET_VALID'
        ? `the certificate of ${host} is outside its validity dates (${error.code}): the server's certificate needs renewing`
        : `the certificate of ${host} is not trusted (${error.code}: ${error.message})`
  return `${what}. If the control plane uses a private CA, trust it with NODE_EXTRA_CA_CERTS=/path/to/ca.pem in the step's env. Not retried: a retry gets the same certificate`
}

export function describeNetworkError(error: Error & { code?: string }, proxy: string | null): string {
  const tunnel = /^Proxy response \((\d+)\)/.exec(error.message)
  if (tunnel) {
    return `the proxy ${proxy} refused to open a tunnel to the control plane (HTTP ${tunnel[1]}): check HTTPS_PROXY / HTTP_PROXY (and the user:password in it), or list the host in NO_PROXY`
  }
  const via = proxy ? ` (to the proxy ${proxy})` : ''
  const check = proxy ? 'is HTTPS_PROXY / HTTP_PROXY right?' : 'is control-plane-url right?'
  switch (error.code) {
    case 'ECONNRESET':
      return `the connection was reset${via} (ECONNRESET)`
    case 'UND_ERR_SOCKET':
      return `the connection closed before the response was complete${via} (UND_ERR_SOCKET)`
    case 'ECONNREFUSED':
      return `the connection was refused${via} (ECONNREFUSED): ${check}`
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host name did not resolve${proxy ? ` (of the proxy ${proxy})` : ''} (${error.code}): ${check}`
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `no connection in time${via} (UND_ERR_CONNECT_TIMEOUT): ${check}`
    default:
      return `network error: ${error.message}${error.code && !error.message.includes(error.code) ? ` (${error.code})` : ''}`
  }
}
