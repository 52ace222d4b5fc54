// GitHub's REST API over HTTP, as Octokit's `request.fetch`: undici's fetch
// through the run's proxy, where every request stays under GITHUB_API_URL
// (redirects included: the token goes with them), each attempt is bounded in
// time (connecting, the answer, and a body that trickles in) and in the
// decoded size of its body (a huge page or a gzip bomb is cut short, not held),
// and every failure says whose it is: the network's (worth another try), the
// answer's (refused, not retried) or the action's own (the request could not be made).
import type { Dispatcher } from 'undici'
import { isCertificateError } from '../http/certificates.ts'
import { formatBytes, formatSeconds } from '../text/format.ts'

export type FetchFailureKind =
  /** No complete answer: worth another try. */
  | 'network'
  /** The run was cancelled. */
  | 'cancelled'
  /** An answer the action refuses (a redirect out of GITHUB_API_URL, a body past the cap): another try gets the same. */
  | 'refused'
  /** The request could not be made on the action's side (a port fetch never uses, a header value a header cannot carry, a certificate not trusted). */
  | 'local'

export class FetchFailure extends Error {
  override readonly name = 'FetchFailure'
  readonly kind: FetchFailureKind

  constructor(kind: FetchFailureKind, message: string) {
    super(message)
    this.kind = kind
  }
}

export interface GitHubFetchOptions {
  /** GITHUB_API_URL with a path that ends in `/` and no user-info: nothing outside it is asked for. */
  api: URL
  dispatcher: Dispatcher
  /** The proxy requests go through, for messages; null when direct. */
  proxy: string | null
  /** The run's cancellation. */
  signal: AbortSignal
  /** One attempt, redirects and body included. */
  timeoutMs: number
  /** Most bytes of a body, decoded, that are read. */
  maxBodyBytes: number
}

/** Redirects within GITHUB_API_URL followed for one request (GitHub's for a renamed repository is one). */
const MAX_REDIRECTS = 5

export type Fetch = (input: string | URL, init?: RequestInit) => Promise<Response>

export async function createGitHubFetch(options: GitHubFetchOptions): Promise<Fetch> {
  const { fetch, Response: UndiciResponse } = await import('undici')
  const { api, dispatcher, signal: cancel } = options

  /** The body read whole, up to the cap of decoded bytes: the answer Octokit parses can no longer fail half-read. */
  async function buffered(response: Awaited<ReturnType<typeof fetch>>): Promise<Response> {
    const declared = Number(response.headers.get('content-length'))
    if (!response.headers.has('content-encoding') && declared > options.maxBodyBytes) {
      await response.body?.cancel().catch(() => undefined)
      throw tooLarge(`${formatBytes(declared)} (content-length)`)
    }
    const chunks: Uint8Array[] = []
    let received = 0
    if (response.body) {
      const reader = (response.body as ReadableStream<Uint8Array>).getReader()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        received += value.byteLength
        if (received > options.maxBodyBytes) {
          await reader.cancel().catch(() => undefined)
          throw tooLarge(`more than ${formatBytes(options.maxBodyBytes)}${response.headers.has('content-encoding') ? ' decoded' : ''}`)
        }
        chunks.push(value)
      }
    }
    const nullBody = response.status === 204 || response.status === 205 || response.status === 304
    const copy = new UndiciResponse(nullBody ? null : Buffer.concat(chunks), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    })
    // The URL it came from, which a copy loses: a relative Link target is resolved against it.
    Object.defineProperty(copy, 'url', { value: response.url })
    return copy as unknown as Response
  }

  function tooLarge(size: string): FetchFailure {
    return new FetchFailure(
      'refused',
      `the answer's body is ${size}, past the ${formatBytes(options.maxBodyBytes)} the sweep reads of one page (GitHub's pages of 100 pull requests come to a few MB)`,
    )
  }

  return async (input, init = {}) => {
    const timeout = AbortSignal.timeout(options.timeoutMs)
    const signal = AbortSignal.any([cancel, timeout, ...(init.signal ? [init.signal] : [])])
    let url = new URL(String(input))
    try {
      for (let redirects = 0; ; redirects++) {
        if (!underApiRoot(url, api)) {
          throw new FetchFailure(
            'refused',
            `the request for ${shownUrl(url)} is outside GITHUB_API_URL (${api.href}), so it is not sent: the github-token goes only there`,
          )
        }
        const response = await fetch(url, { ...(init as object), redirect: 'manual', signal, dispatcher })
        if (response.status < 300 || response.status >= 400 || response.status === 304) return await buffered(response)
        await response.body?.cancel().catch(() => undefined)
        const location = response.headers.get('location')
        const target = location === null ? null : parseUrl(location, url)
        if (target === null || !underApiRoot(target, api)) {
          const where =
            location === null ? 'without a Location' : target === null ? 'to an address that cannot be read' : `to ${shownUrl(target)}`
          throw new FetchFailure(
            'refused',
            `GitHub answered with a redirect (HTTP ${response.status}) ${where}, outside GITHUB_API_URL (${api.href}); it is not followed, so the github-token goes only to GITHUB_API_URL`,
          )
        }
        if (redirects === MAX_REDIRECTS)
          throw new FetchFailure(
            'refused',
            `GitHub redirected ${MAX_REDIRECTS + 1} times in a row (last to ${shownUrl(target)}); the sweep stops following`,
          )
        url = target
      }
    } catch (error) {
      if (error instanceof FetchFailure) throw error
      if (cancel.aborted) throw new FetchFailure('cancelled', 'cancelled while the request was in flight')
      if (timeout.aborted)
        throw new FetchFailure('network', `no complete answer within ${formatSeconds(options.timeoutMs)} (request-timeout)`)
      throw describeFetchError(error as Error, url, options.proxy)
    }
  }
}

function parseUrl(text: string, base: URL): URL | null {
  try {
    return new URL(text, base)
  } catch {
    return null
  }
}

/** Whether `url` is GITHUB_API_URL or below it: its origin, and a path under the API's (`api`'s path ends in `/`). */
export function underApiRoot(url: URL, api: URL): boolean {
  return url.origin === api.origin && !url.username && !url.password && `${url.pathname}/`.startsWith(api.pathname)
}

/** A URL for a message: user-info shown as *** (its presence alone can be why the URL is refused), no query (a server can put anything there). */
export function shownUrl(url: URL): string {
  const userInfo = url.username || url.password ? '***@' : ''
  return `${url.protocol}//${userInfo}${url.host}${url.pathname}`
}

function describeFetchError(error: Error, url: URL, proxy: string | null): FetchFailure {
  const cause = (error as { cause?: unknown }).cause as (Error & { code?: unknown }) | undefined
  const code = typeof cause?.code === 'string' ? cause.code : null
  if (cause && code !== null && isCertificateError({ code })) {
    return new FetchFailure(
      'local',
      `the certificate of ${url.host} is not trusted (${code}: ${cause.message}). If GitHub Enterprise Server uses a private CA, trust it with NODE_EXTRA_CA_CERTS=/path/to/ca.pem in the step's env`,
    )
  }
  if (cause && code !== null) {
    const via = proxy ? ` through the proxy ${proxy}` : ''
    return new FetchFailure('network', `no answer${via}: ${cause.message}${cause.message.includes(code) ? '' : ` (${code})`}`)
  }
  if (cause?.message === 'bad port') {
    return new FetchFailure(
      'local',
      `fetch never connects to port ${url.port} (a "bad port" of the Fetch standard, kept for other protocols): GITHUB_API_URL must name another port`,
    )
  }
  const detail = cause?.message ? `${error.message}: ${cause.message}` : error.message
  const hint = /invalid header value/i.test(detail)
    ? ': does github-token hold a line break, or another character a header cannot carry?'
    : ''
  return new FetchFailure('local', `${detail}${hint}`)
}

/**
 * The targets of a Link header whose relation types include `rel`, as RFC
 * 8288 writes them: several links, `rel` quoted or not, several relation types
 * in one (`rel="next last"`), any case, any whitespace, parameters in any
 * order; a second `rel` of a link is ignored, as the RFC says.
 */
export function linkTargets(header: string, rel: string): string[] {
  const wanted = rel.toLowerCase()
  const targets: string[] = []
  let at = 0
  while (at < header.length) {
    const open = header.indexOf('<', at)
    if (open < 0) break
    const close = header.indexOf('>', open)
    if (close < 0) break
    let end = close + 1
    for (let quoted = false; end < header.length; end++) {
      const char = header[end]
      if (quoted && char === '\\') end++
      else if (char === '"') quoted = !quoted
      else if (!quoted && char === ',') break
    }
    const relation = readParams(header.slice(close + 1, end)).get('rel')
    if (relation?.toLowerCase().split(/\s+/).includes(wanted)) targets.push(header.slice(open + 1, close).trim())
    at = end + 1
  }
  return targets
}

/** `; name=value` parameters, names lowercased, values unquoted; the first of a name wins. */
function readParams(text: string): Map<string, string> {
  const params = new Map<string, string>()
  for (const [, name, quoted, token] of text.matchAll(/;\s*([^\s;=,"]+)\s*(?:=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;,"]*)))?/g)) {
    const key = name!.toLowerCase()
    if (!params.has(key)) params.set(key, quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (token ?? ''))
  }
  return params
}
