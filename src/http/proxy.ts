// The proxy a request goes through, by one rule for every client of the run
// (the control plane's and GitHub's): the Actions toolkit's. An https:// URL
// uses https_proxy, else HTTPS_PROXY; an http:// one http_proxy, else
// HTTP_PROXY; no_proxy / NO_PROXY and loopback bypass it (@actions/http-client
// decides). A value that is not an http(s) URL is the user's mistake, named as such.
//
// Hand-written rather than undici's EnvHttpProxyAgent (undici 6), which differs
// from that rule where the tests pin it: it sends an https:// request through
// HTTP_PROXY when no HTTPS_PROXY is set; it reads `http_proxy ?? HTTP_PROXY`,
// so an empty lower-case variable hides the upper-case one; it matches no_proxy
// by its own rules, not checkBypass's, and proxies loopback; its ProxyAgent
// sends Proxy-Authorization only for a user *and* a password, not a user name
// alone; a bad value fails as Node's bare "Invalid URL", naming neither the
// variable nor what it must be (and the value, user-info included, rides on the
// error); it does not say which proxy a request took, which the log and the
// messages show; and it warns on stderr that it is experimental (UNDICI-EHPA).
import { checkBypass } from '@actions/http-client/lib/proxy'
import type { Dispatcher } from 'undici'
import { StepFailure } from '../runner/step-failure.ts'

/** A proxy variable that is not a proxy URL; the message names it and never shows its user-info. */
export class ProxySettingError extends StepFailure {
  override readonly name = 'ProxySettingError'
}

export interface ProxyRoute {
  /** The variable the proxy came from, e.g. HTTPS_PROXY. */
  variable: string
  /** The proxy's URL without user-info, for the log and messages. */
  shown: string
  /** Where the dispatcher connects: the URL without user-info. */
  uri: string
  /** Basic credentials from the URL's user-info (a user name alone too), sent as Proxy-Authorization; null without. */
  authorization: string | null
}

const SHAPE = 'an http:// or https:// URL such as http://proxy.example:3128, or http://user:password@proxy.example:3128'

/** The proxy for requests to `target`, or null when they go direct. Throws ProxySettingError for a value that is not a proxy URL. */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv = process.env): ProxyRoute | null {
  if (checkBypass(target)) return null
  const names = target.protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy', 'HTTP_PROXY']
  // An empty value counts as unset, as the toolkit reads it.
  const variable = names.find((name) => env[name])
  if (variable === undefined) return null
  const value = env[variable]!
  const wrong = (what: string) => new ProxySettingError(`${variable} ${what}; it must be ${SHAPE}. Fix ${variable} in the step's env.`)
  if (value.trim() === '') throw wrong('is set to blank space')
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]
  if (scheme === undefined) throw wrong('has no scheme (http:// or https://)')
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw wrong('is not a URL that can be read')
  }
  const origin = `${url.protocol}//${url.host}`
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw wrong(`names a ${url.protocol.slice(0, -1)}:// proxy (${origin}), which is not supported`)
  if (!url.hostname) throw wrong('names no host')
  let user: string
  let password: string
  try {
    user = decodeURIComponent(url.username)
    password = decodeURIComponent(url.password)
  } catch {
    throw wrong(`(${origin}) has a user name or password whose %-escapes cannot be read`)
  }
  return {
    variable,
    shown: origin,
    uri: `${origin}/`,
    authorization: user || password ? `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` : null,
  }
}

/**
 * A dispatcher for requests through `route`, or direct without one. undici is
 * loaded here, not at start-up: a run that sends nothing never needs it.
 */
export async function createDispatcher(
  route: ProxyRoute | null,
  pool: { connections?: number; connectTimeoutMs: number },
): Promise<Dispatcher> {
  const { Agent, ProxyAgent } = await import('undici')
  const options = { ...(pool.connections ? { connections: pool.connections } : {}), connect: { timeout: pool.connectTimeoutMs } }
  // The credentials go as a header of the proxy's own: undici reads a URL's user-info only when it has both a user and a password.
  return route
    ? new ProxyAgent({ ...options, uri: route.uri, ...(route.authorization ? { token: route.authorization } : {}) })
    : new Agent(options)
}
