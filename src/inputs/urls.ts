// The two URLs a run is given: the control plane's (an input) and GitHub's
// REST API (GITHUB_API_URL, read in a sweep). Neither may carry user-info, a
// query or a fragment, and no message repeats them.
import { isIP } from 'node:net'
import { withoutUserInfo } from '../text/user-info.ts'
import type { Dialect } from './dialect.ts'
import { InputError } from './input-error.ts'

const GITHUB_API_SHAPE = "GitHub's REST API: https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server"

export function parseControlPlaneUrl(raw: string, dialect: Dialect): URL {
  const name = dialect.input('control-plane-url')
  const url = parseHttpUrl(raw, {
    name,
    shape: "Give the control plane's address, e.g. https://acme.truefoundry.cloud",
    schemes: 'an https:// URL',
    credentials: `pass the API key in ${dialect.inline('token')}`,
  })
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new InputError(
      `${name} uses plain http:// for ${url.hostname}; the token would cross the network unencrypted. Use https:// (http:// is allowed only for localhost, 127.0.0.0/8 and ::1).`,
    )
  }
  return url
}

/**
 * GITHUB_API_URL, which the runner sets; checked only in a sweep, the one run
 * that reads it. Read as @actions/github reads it while it loads (set and not
 * empty, untrimmed), so a value it cannot parse is refused here, named, before
 * it crashes there.
 */
export function parseGitHubApiUrl(env: NodeJS.ProcessEnv, dialect: Dialect): string {
  const apiUrl = env.GITHUB_API_URL || 'https://api.github.com'
  if (apiUrl.trim() === '')
    throw new InputError(
      `GITHUB_API_URL is set to blank space. It must be ${GITHUB_API_SHAPE}; unset or empty, it is https://api.github.com.`,
    )
  parseHttpUrl(apiUrl, {
    name: 'GITHUB_API_URL',
    shape: `It must be ${GITHUB_API_SHAPE}.`,
    schemes: 'an https:// (or http://) URL',
    credentials: `pass the token in ${dialect.inline('github-token')}`,
  })
  return apiUrl
}

interface UrlWords {
  /** The input or variable, as a message's subject. */
  name: string
  /** What a good value looks like, as a sentence. */
  shape: string
  /** The schemes accepted, for "must be …". */
  schemes: string
  /** Where credentials go instead. */
  credentials: string
}

/**
 * An http(s) URL with no user-info, query or fragment. No message repeats
 * the user-info (a user name or password, a token most often) or the query.
 */
function parseHttpUrl(raw: string, words: UrlWords): URL {
  const { name } = words
  const shown = withoutUserInfo(raw)
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new InputError(`${name} is not a URL: "${shown}". ${words.shape}`)
  }
  if (url.username || url.password || shown !== raw) {
    throw new InputError(`${name} must not carry a user name or password ("${shown}"); ${words.credentials}.`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(`${name} must be ${words.schemes}, got "${url.protocol}" in "${shown}". ${words.shape}`)
  }
  if (url.search || url.hash) {
    // Not echoed: a query is where API keys end up.
    throw new InputError(`${name} must not have a query or fragment; give only the address, e.g. "${url.origin}${url.pathname}".`)
  }
  return url
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '')
  if (host === 'localhost') return true
  if (isIP(host) === 4) return host.startsWith('127.')
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1'
  return false
}
