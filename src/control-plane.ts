import http from 'node:http'
import https from 'node:https'
import type { ArtifactManifest } from './manifest-types.ts'
import type { Attempt } from './retry.ts'

export const DELETE_PATH = 'api/ml/v1/artifact-versions'
/** Enough of a response body for a message; the rest is not read. */
const MAX_BODY_BYTES = 64 * 1024

export interface ControlPlaneOptions {
  url: URL
  token: string
  timeoutMs: number
  /** Sockets kept open to the control plane: the number of requests in flight. */
  concurrency: number
  userAgent?: string
}

export interface ControlPlane {
  /** One attempt to delete the version a manifest names. Never rejects: failures come back as an Attempt. */
  deleteVersion(manifest: ArtifactManifest, signal?: AbortSignal): Promise<Attempt>
  close(): void
}

/**
 * The delete client: node:http with a keep-alive pool, one request per
 * attempt, bounded by a timeout that covers the whole exchange (a body that
 * trickles in counts). Redirects are never followed, so the token goes
 * only to the control plane's origin, and no text it returns can carry the token.
 */
export function createControlPlane(options: ControlPlaneOptions): ControlPlane {
  const endpoint = new URL(DELETE_PATH, options.url.href.endsWith('/') ? options.url : `${options.url.href}/`)
  const transport = endpoint.protocol === 'https:' ? https : http
  const agent = new transport.Agent({ keepAlive: true, maxSockets: options.concurrency })
  // As sent, and percent-encoded as a server may put it in a Location URL.
  const secrets = options.token ? [...new Set([options.token, encodeURIComponent(options.token)])] : []
  const redact = (text: string) => secrets.reduce((redacted, secret) => redacted.split(secret).join('***'), text)
  const headers = {
    accept: 'application/json',
    authorization: `Bearer ${options.token}`,
    'content-type': 'application/json',
    'user-agent': options.userAgent ?? 'truefoundry-artifact-cleanup',
  }

  function deleteVersion(manifest: ArtifactManifest, signal?: AbortSignal): Promise<Attempt> {
    // A string goes out in one write with the headers; a Buffer would be a second chunk.
    const body = JSON.stringify({ manifest })
    return new Promise((resolve) => {
      let settled = false
      const settle = (attempt: Attempt) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        resolve(attempt)
      }
      const fail = (reason: string, cancelled = false) => {
        settle({ kind: 'error', reason: redact(reason), cancelled })
        request.destroy()
      }
      const onAbort = () => fail('cancelled while the request was in flight; the version may or may not be deleted', true)
      const timer = setTimeout(() => fail(`no complete response within ${formatSeconds(options.timeoutMs)} (request-timeout)`), options.timeoutMs)

      const request = transport.request(endpoint, {
        method: 'POST',
        agent,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      })
      request.on('error', (error: NodeJS.ErrnoException) => fail(describeNetworkError(error)))
      request.on('response', (response) => {
        const chunks: Buffer[] = []
        let received = 0
        const finish = () =>
          settle({
            kind: 'response',
            status: response.statusCode ?? 0,
            headers: { location: redactHeader(response.headers.location), 'retry-after': header(response.headers['retry-after']) },
            body: redactJson(redact(Buffer.concat(chunks).toString('utf8')), options.token),
          })
        response.on('data', (chunk: Buffer) => {
          if (received < MAX_BODY_BYTES) chunks.push(chunk.subarray(0, MAX_BODY_BYTES - received))
          received += chunk.length
          if (received >= MAX_BODY_BYTES) {
            finish()
            response.destroy()
          }
        })
        response.on('end', finish)
        response.on('error', (error: NodeJS.ErrnoException) => fail(describeNetworkError(error)))
        response.on('close', () => {
          if (!response.complete) fail('the connection closed before the response was complete')
        })
      })
      if (signal?.aborted) return onAbort()
      signal?.addEventListener('abort', onAbort, { once: true })
      request.end(body)
    })
  }

  function redactHeader(value: string | undefined): string | undefined {
    return value === undefined ? undefined : redact(value)
  }

  return { deleteVersion, close: () => agent.destroy() }
}

/**
 * A JSON body with the token removed where escapes hid it from a plain search
 * (a server may write / as \/, or any character as \u0041), since messages
 * are built from the decoded body. Other bodies are returned as they are.
 */
function redactJson(body: string, token: string): string {
  if (!token) return body
  let canonical: string
  try {
    canonical = JSON.stringify(JSON.parse(body))
  } catch {
    return body
  }
  const escaped = JSON.stringify(token).slice(1, -1)
  return canonical.includes(escaped) ? canonical.split(escaped).join('***') : body
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

function describeNetworkError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNRESET':
      return 'the connection was reset (ECONNRESET)'
    case 'ECONNREFUSED':
      return 'the connection was refused (ECONNREFUSED): is control-plane-url right?'
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host name did not resolve (${error.code}): is control-plane-url right?`
    default:
      return `network error: ${error.message}${error.code && !error.message.includes(error.code) ? ` (${error.code})` : ''}`
  }
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`
}
