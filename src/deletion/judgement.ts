// Pure decisions about one delete attempt: what its response means, and how
// long to wait before the next. No I/O, so each rule is tested directly.
import type { Attempt } from './control-plane.ts'

export type Judgement =
  | { kind: 'deleted'; http_status: number; message: string }
  | { kind: 'not-found'; message: string }
  | { kind: 'failed'; http_status: number | null; message: string }
  | { kind: 'token-rejected'; http_status: number; message: string }
  | {
      kind: 'retryable'
      http_status: number | null
      message: string
      retryAfterMs: number | null
      /** The request may have reached the server and done its work (see mayHaveTakenEffect). */
      mayHaveTakenEffect: boolean
    }

export interface Backoff {
  baseDelayMs: number
  maxDelayMs: number
  /** Longest Retry-After honoured; a server asking for more gets this. */
  maxRetryAfterMs: number
}

/**
 * Waits of about 0.25, 0.5, 1 and 2 s before attempts 2 to 5: a blip of 503s
 * costs a cleanup seconds, and a server that needs longer says so with Retry-After.
 */
export const DEFAULT_BACKOFF: Backoff = { baseDelayMs: 250, maxDelayMs: 20_000, maxRetryAfterMs: 60_000 }

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504])
/** Answers that say the server did not act on the request: a 404 after them means the version was never there. */
const NOT_PROCESSED_STATUS = new Set([408, 429])
const EXCERPT_CHARS = 200

export interface JudgeContext {
  missingOk: boolean
  /** An earlier attempt of this request failed in a way that may still have deleted it (see mayHaveTakenEffect). */
  afterRetryableFailure: boolean
  now: number
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
    return { kind: 'failed', http_status: 422, message: `the server refused the manifest (HTTP 422): ${validationDetail(body)}` }
  }
  if (status >= 300 && status < 400) {
    const target = headers.location ? `to ${headers.location}` : 'without a Location'
    return {
      kind: 'failed',
      http_status: status,
      message: `redirected (HTTP ${status}) ${target}; redirects are not followed, so the token goes only to control-plane-url: check the URL`,
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

/** What the answer to a probe of an endpoint says about control-plane-url. */
export type EndpointJudgement =
  | { kind: 'served' }
  | { kind: 'retryable'; message: string; retryAfterMs: number | null }
  /** Nothing may be sent: the URL does not serve the endpoint, the token was rejected, or the server is not trusted. */
  | { kind: 'refused'; message: string }

export interface EndpointContext {
  /** The endpoint URL the probe went to, without user-info. */
  url: string
  /** The endpoint's path below control-plane-url, e.g. api/ml/v1/artifact-versions. */
  path: string
  now: number
}

/**
 * Judges the answer to a POST of `{}`, which deletes nothing: the endpoint
 * refuses it with 422 (no manifest). Anything else but an answer that asks for
 * a retry means the URL does not serve the endpoint, whatever the body says (a
 * missing route and a missing version may both read {"detail":"Not Found"}).
 */
export function judgeEndpoint(attempt: Attempt, context: EndpointContext): EndpointJudgement {
  const judgement = judgeAttempt(attempt, { missingOk: true, afterRetryableFailure: false, now: context.now })
  if (attempt.kind === 'error') {
    return judgement.kind === 'retryable'
      ? { kind: 'retryable', message: attempt.reason, retryAfterMs: null }
      : { kind: 'refused', message: `${attempt.reason} (checking ${context.url})` }
  }
  if (attempt.status === 422) return { kind: 'served' }
  if (judgement.kind === 'retryable') return { kind: 'retryable', message: judgement.message, retryAfterMs: judgement.retryAfterMs }
  if (judgement.kind === 'token-rejected') {
    return {
      kind: 'refused',
      message: `the token was rejected by ${context.url} (HTTP ${attempt.status}${detailSuffix(attempt.body)}); nothing was deleted. Check the token input or TFY_API_KEY`,
    }
  }
  const { status, headers, body } = attempt
  const answer =
    status >= 300 && status < 400
      ? `was redirected (HTTP ${status}) ${headers.location ? `to ${headers.location}` : 'without a Location'}, which is not followed`
      : `was answered HTTP ${status}${detailSuffix(body)}`
  return {
    kind: 'refused',
    message:
      `${context.url} does not serve the ${endpointName(context.path)} endpoint: a POST without a manifest ${answer}, where the endpoint answers 422; nothing was deleted. ` +
      `Check control-plane-url (or TFY_HOST): it is the control plane's base URL, such as https://your-org.truefoundry.cloud${baseUrlHint(context)}`,
  }
}

function endpointName(path: string): string {
  return path.split('/').filter(Boolean).at(-1) ?? path
}

/** When control-plane-url holds an API path (the whole endpoint URL, say), the base it likely meant. */
function baseUrlHint({ url, path }: EndpointContext): string {
  const base = new URL(url.slice(0, url.length - path.length))
  const api = base.pathname.indexOf('/api/')
  if (api < 0) return ''
  return `, not a URL of the API: here likely ${base.origin}${base.pathname.slice(0, api) || ''}`
}

/**
 * Milliseconds to wait before attempt `attempt + 1`. Retry-After wins when the
 * server sent one (capped); otherwise exponential backoff with equal jitter,
 * so clients that failed together do not retry together.
 */
export function retryDelay(attempt: number, retryAfterMs: number | null, random: () => number, backoff: Backoff): number {
  if (retryAfterMs !== null) return Math.min(retryAfterMs, backoff.maxRetryAfterMs)
  const ceiling = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** (attempt - 1))
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}

/** Retry-After as delay-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (value === undefined) return null
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return null
  return Math.max(0, date - now)
}

/** `loc: msg` for each entry of a FastAPI-style 422 body, or an excerpt of whatever came. */
function validationDetail(body: string): string {
  const detail = parseJson(body)?.detail
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

function detailSuffix(body: string): string {
  const text = excerpt(body)
  return text ? `: ${text}` : ''
}

/** A short, one-line piece of a response body for a message: a JSON `detail` or `message` when there is one. */
export function excerpt(body: string): string {
  const json = parseJson(body)
  const chosen = typeof json?.detail === 'string' ? json.detail : typeof json?.message === 'string' ? json.message : body
  const line = chosen.replace(/\s+/g, ' ').trim()
  return line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS)}…` : line
}

function parseJson(body: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(body)
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null
  } catch {
    return null
  }
}
