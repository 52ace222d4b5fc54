// Pure decisions about one delete attempt: what its response means. No I/O,
// so each rule is tested directly.
import type { ApiGeneration } from '../manifests/kinds.ts'
import type { Attempt } from './post.ts'
import { parseRetryAfter } from './backoff.ts'
import { excerpt, jsonObject } from '../text/excerpt.ts'

export type Judgement =
  | { kind: 'deleted'; http_status: number; message: string }
  | { kind: 'not-found'; message: string }
  | { kind: 'failed'; http_status: number | null; message: string }
  /** The server's validation refused the manifest: sending it again would be refused again. */
  | { kind: 'invalid'; http_status: 400 | 422; message: string }
  | { kind: 'token-rejected'; http_status: number; message: string }
  | {
      kind: 'retryable'
      http_status: number | null
      message: string
      retryAfterMs: number | null
      /** The request may have reached the server and done its work (see mayHaveTakenEffect). */
      mayHaveTakenEffect: boolean
    }

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504])
/** Answers that say the server did not act on the request: a 404 after them means the version was never there. */
const NOT_PROCESSED_STATUS = new Set([408, 429])

export interface JudgeContext {
  missingOk: boolean
  /** An earlier attempt of this request failed in a way that may still have deleted it (see mayHaveTakenEffect). */
  afterRetryableFailure: boolean
  now: number
  /** The generation of the endpoint answering: the generic one refuses a manifest with 400 and its HttpError body. */
  generation: ApiGeneration
}

export function judgeAttempt(attempt: Attempt, context: JudgeContext): Judgement {
  if (attempt.kind === 'error') {
    if (attempt.cause !== 'network') return { kind: 'failed', http_status: null, message: attempt.reason }
    return { kind: 'retryable', http_status: null, message: attempt.reason, retryAfterMs: null, mayHaveTakenEffect: attempt.sent }
  }
  const { status, headers, body } = attempt
  if (status >= 200 && status < 300) return { kind: 'deleted', http_status: status, message: 'deleted' }
  if (status === 404) {
    if (context.afterRetryableFailure) {
      return { kind: 'deleted', http_status: 404, message: 'deleted: an earlier attempt that failed took effect (HTTP 404 on retry)' }
    }
    if (context.missingOk) return { kind: 'not-found', message: 'not found (HTTP 404): already gone' }
    return { kind: 'failed', http_status: 404, message: 'not found (HTTP 404), and missing-ok is false' }
  }
  if (status === 401 || status === 403) {
    return {
      kind: 'token-rejected',
      http_status: status,
      message: `the token was rejected (HTTP ${status}${detailSuffix(body)}); check the token input or TFY_API_KEY, and that it may delete artifact versions in this ML repo`,
    }
  }
  if (status === 422) {
    return { kind: 'invalid', http_status: 422, message: `the server refused the manifest (HTTP 422): ${validationDetail(body)}` }
  }
  const refusal = status === 400 && context.generation === 'svc-v1' ? httpErrorMessage(body) : null
  if (refusal !== null) return { kind: 'invalid', http_status: 400, message: `the server refused the manifest (HTTP 400): ${refusal}` }
  if (status >= 300 && status < 400) {
    return {
      kind: 'failed',
      http_status: status,
      message: `redirected (HTTP ${status}) ${redirectTarget(headers)}; redirects are not followed, so the token goes only to control-plane-url: check the URL`,
    }
  }
  const message = `HTTP ${status}${detailSuffix(body)}`
  if (RETRYABLE_STATUS.has(status)) {
    return {
      kind: 'retryable',
      http_status: status,
      message,
      retryAfterMs: parseRetryAfter(headers['retry-after'], context.now),
      mayHaveTakenEffect: !NOT_PROCESSED_STATUS.has(status),
    }
  }
  return { kind: 'failed', http_status: status, message }
}

/**
 * Whether a failed attempt may still have deleted the version: a server error
 * that may have come after the work was done, or no answer to a request that
 * was written. A 408 or 429 says the request was not processed; a connection
 * refused, a name that did not resolve, a certificate refused or a timeout
 * while connecting mean it never left.
 */
export function mayHaveTakenEffect(judgement: Judgement): boolean {
  return judgement.kind === 'retryable' && judgement.mayHaveTakenEffect
}

/** `to <Location>` of a redirect, or that it had none. */
export function redirectTarget(headers: Record<string, string | undefined>): string {
  return headers.location ? `to ${headers.location}` : 'without a Location'
}

/** `: <excerpt>` of a body that says something, else nothing. */
export function detailSuffix(body: string): string {
  const text = excerpt(body)
  return text ? `: ${text}` : ''
}

/**
 * The `message` of the svc server's HttpError body (`{statusCode, message}`),
 * the shape the generic endpoint refuses a manifest with; null for any other
 * body (a proxy's page is not the server's verdict on the manifest).
 */
export function httpErrorMessage(body: string): string | null {
  const json = jsonObject(body)
  if (typeof json?.statusCode !== 'number' || typeof json.message !== 'string') return null
  return excerpt(json.message) || 'no detail given'
}

/** `loc: msg` for each entry of a FastAPI-style 422 body, or an excerpt of whatever came. */
function validationDetail(body: string): string {
  const detail = jsonObject(body)?.detail
  if (Array.isArray(detail) && detail.length > 0) {
    return detail
      .map((entry: { loc?: unknown; msg?: unknown }) => {
        const loc = Array.isArray(entry?.loc) ? entry.loc.join('.') : '?'
        return `${loc}: ${typeof entry?.msg === 'string' ? entry.msg : JSON.stringify(entry)}`
      })
      .join('; ')
  }
  return excerpt(body) || 'no detail given'
}
