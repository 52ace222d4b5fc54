// What a failed exchange with the control plane means, in words that say what
// to check: a certificate that is not trusted, or the network in the way.

export function describeCertificateError(error: Error & { code?: string }, url: URL): string {
  const host = url.host
  const what =
    error.code === 'ERR_TLS_CERT_ALTNAME_INVALID' || error.code === 'HOSTNAME_MISMATCH'
      ? `the certificate of ${host} is not for that name (${error.code}): check the host in control-plane-url`
      : error.code === 'CERT_HAS_EXPIRED' || error.code === 'CERT_NOT_YET_VALID'
        ? `the certificate of ${host} is outside its validity dates (${error.code}): the server's certificate needs renewing`
        : `the certificate of ${host} is not trusted (${error.code}: ${error.message})`
  return `${what}. If the control plane uses a private CA, trust it with NODE_EXTRA_CA_CERTS=/path/to/ca.pem in the step's env. Not retried: a retry gets the same certificate`
}

/** `proxy`: the proxy the request went through, without user-info; null when it went direct. */
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
