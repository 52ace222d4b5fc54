// GitHub's REST API over HTTP, as Octokit's `request.fetch`: undici's fetch
// through the run's proxy, where every request stays under GITHUB_API_URL
// (redirects included: the token goes with them), each attempt is bounded in
// time (connecting, the answer, and a body that trickles in) and in the
// decoded size of its body (a huge page or a gzip bomb is cut short, not held),
// and every failure is a FetchFailure that says whose it is.
import { createDispatcher, proxyFor } from '../http/proxy.ts'
import { formatBytes, formatSeconds } from '../text/format.ts'
import { shownUrl } from '../text/user-info.ts'
import { describeFetchError, FetchFailure } from './fetch-failure.ts'
import { resolveTarget } from './link-header.ts'

export interface GitHubFetchOptions {
  /** GITHUB_API_URL with a path that ends in `/` and no user-info: nothing outside it is asked for. */
  api: URL
  /** The run's cancellation. */
  signal: AbortSignal
  /** One attempt, redirects and body included. */
  timeoutMs: number
  /** Most bytes of a body, decoded, that are read. */
  maxBodyBytes: number
  /** The token as messages name what is sent (the dialect's words). */
  tokenNamed: string
}

/** Redirects within GITHUB_API_URL followed for one request (GitHub's for a renamed repository is one). */
const MAX_REDIRECTS = 5

export type Fetch = (input: string | URL, init?: RequestInit) => Promise<Response>

/** The fetch, through the proxy the environment names for GITHUB_API_URL; `close` ends its connections. */
export async function createGitHubFetch(options: GitHubFetchOptions): Promise<{ fetch: Fetch; close: () => Promise<void> }> {
  const { api, signal: cancel } = options
  const proxy = proxyFor(api)
  const { fetch, Response: UndiciResponse } = await import('undici')
  const dispatcher = await createDispatcher(proxy, { connectTimeoutMs: options.timeoutMs })

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

  const githubFetch: Fetch = async (input, init = {}) => {
    const timeout = AbortSignal.timeout(options.timeoutMs)
    const signal = AbortSignal.any([cancel, timeout, ...(init.signal ? [init.signal] : [])])
    let url = new URL(String(input))
    try {
      for (let redirects = 0; ; redirects++) {
        if (!underApiRoot(url, api)) {
          throw new FetchFailure(
            'refused',
            `the request for ${shownUrl(url)} is outside GITHUB_API_URL (${api.href}), so it is not sent: ${options.tokenNamed} goes only there`,
          )
        }
        const response = await fetch(url, { ...(init as object), redirect: 'manual', signal, dispatcher })
        if (response.status < 300 || response.status >= 400 || response.status === 304) return await buffered(response)
        await response.body?.cancel().catch(() => undefined)
        const location = response.headers.get('location')
        const target = location === null ? null : resolveTarget(location, url)
        if (target === null || !underApiRoot(target, api)) {
          const where =
            location === null ? 'without a Location' : target === null ? 'to an address that cannot be read' : `to ${shownUrl(target)}`
          throw new FetchFailure(
            'refused',
            `GitHub answered with a redirect (HTTP ${response.status}) ${where}, outside GITHUB_API_URL (${api.href}); it is not followed, so ${options.tokenNamed} goes only to GITHUB_API_URL`,
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
      throw describeFetchError(error as Error, url, proxy?.shown ?? null)
    }
  }
  return { fetch: githubFetch, close: () => dispatcher.destroy().catch(() => undefined) }
}

/** Whether `url` is GITHUB_API_URL or below it: its origin, and a path under the API's (`api`'s path ends in `/`). */
export function underApiRoot(url: URL, api: URL): boolean {
  return url.origin === api.origin && !url.username && !url.password && `${url.pathname}/`.startsWith(api.pathname)
}
