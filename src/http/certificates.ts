/** OpenSSL's verification failures, and Node's for a certificate that does not name the host. */
const CERTIFICATE_ERRORS =
  /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|ERR_TLS_CERT_ALTNAME_INVALID$|HOSTNAME_MISMATCH$|INVALID_CA$|PATH_LENGTH_EXCEEDED$|INVALID_PURPOSE$)/

export function isCertificateError(error: { code?: string }): boolean {
  return typeof error.code === 'string' && CERTIFICATE_ERRORS.test(error.code)
}
