import { createDispatcher, proxyFor } from '../http/proxy.ts'
import { createRedactor } from '../text/redact.ts'
import { MESSAGE_CAP, requestOnce, type Attempt, type BodyCap, type Exchange } from './post.ts'

/** What the endpoint check sends: no manifest, so nothing can be deleted, and a served endpoint refuses it (judgeEndpoint). */
const PROBE_BODY = '{}'

/** A page of a listing is read whole or refused: a page cut short would hide versions. 100 items of the largest manifests fit. */
const LISTING_CAP: BodyCap = { bytes: 8 * 1024 * 1024, over: 'whole' }

export interface ControlPlaneOptions {
  url: URL
  token: string
  timeoutMs: number
  /** Connections kept open to the control plane: the number of requests in flight. */
  concurrency: number
}

export interface ControlPlane {
  /**
   * One attempt to delete a version: POSTs `body`, the exact JSON text to send,
   * to the endpoint at `path` (below control-plane-url; the one discovery.ts
   * found for its kind). Never rejects: failures come back as an Attempt.
   */
  deleteVersion(path: string, body: string, signal?: AbortSignal): Promise<Attempt>
  /** POSTs `{}` to the endpoint at `path` (below control-plane-url), which deletes nothing; judge the answer with judgeEndpoint. */
  probeEndpoint(path: string, signal?: AbortSignal): Promise<Attempt>
  /** GETs the list at `path` (below control-plane-url) with `query`; a body over 8 MiB is an error attempt (`too-large`), not a page cut short. */
  list(path: string, query: URLSearchParams, signal?: AbortSignal): Promise<Attempt>
  /** DELETEs the resource at `path` (below control-plane-url), a version by its id; sends no body. */
  deleteById(path: string, signal?: AbortSignal): Promise<Attempt>
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
 * One request per attempt (post.ts). Redirects are never followed, so the
 * token goes only to the control plane's origin. A body is cut short, so the
 * token is taken out of it here; every other text is redacted where it is
 * stored or printed.
 */
export function createControlPlane(options: ControlPlaneOptions): ControlPlane {
  const base = new URL(options.url.href.endsWith('/') ? options.url.href : `${options.url.href}/`)
  base.username = ''
  base.password = ''
  const route = proxyFor(base)
  const exchange: Exchange = {
    proxy: route?.shown ?? null,
    // Connected at the first request: a dry run or a run that stops at validation never loads undici.
    dispatcher: createDispatcher(route, { connections: options.concurrency, connectTimeoutMs: options.timeoutMs }),
    headers: {
      accept: 'application/json',
      authorization: `Bearer ${options.token}`,
      'user-agent': 'truefoundry-artifact-cleanup',
    },
    timeoutMs: options.timeoutMs,
    redact: createRedactor(options.token ? [options.token] : []),
  }
  const endpoint = (path: string) => new URL(path, base)
  const post = (path: string, body: string, signal?: AbortSignal) =>
    requestOnce(exchange, { method: 'POST', url: endpoint(path), body, cap: MESSAGE_CAP }, signal)

  return {
    deleteVersion: post,
    probeEndpoint: (path, signal) => post(path, PROBE_BODY, signal),
    list(path, query, signal) {
      const url = endpoint(path)
      url.search = query.toString()
      return requestOnce(exchange, { method: 'GET', url, body: null, cap: LISTING_CAP }, signal)
    },
    deleteById: (path, signal) => requestOnce(exchange, { method: 'DELETE', url: endpoint(path), body: null, cap: MESSAGE_CAP }, signal),
    endpointUrl: (path) => endpoint(path).href,
    proxy: exchange.proxy,
    close: () => void exchange.dispatcher.then((ready) => ready.destroy()).catch(() => undefined),
  }
}
