// Every failure of a request to GitHub says whose it is: the network's (worth
// another try), the answer's (refused, not retried) or the action's own (the
// request could not be made).
import { isCertificateError } from '../http/certificates.ts'

export type FetchFailureKind =
  /** No complete answer: worth another try. */
  | 'network'
  /** The run was cancelled. */
  | 'cancelled'
  /** An answer the action refuses (a redirect out of GITHUB_API_URL, a body past the cap): another try gets the same. */
  | 'refused'
  /** The request could not be made on the action's side (a port fetch never uses, a certificate not trusted). */
  | 'local'

export class FetchFailure extends Error {
  override readonly name = 'FetchFailure'
  readonly kind: FetchFailureKind

  constructor(kind: FetchFailureKind, message: string) {
    super(message)
    this.kind = kind
  }
}

/** What undici's fetch failed with, as the network's failure or the action's. */
export function describeFetchError(error: Error, url: URL, proxy: string | null): FetchFailure {
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
  return new FetchFailure('local', cause?.message ? `${error.message}: ${cause.message}` : error.message)
}
