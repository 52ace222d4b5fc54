// Pure decisions about one delete attempt: what its response means, and how
// long to wait before the next. No I/O, so each rule is tested directly.

/** What one attempt produced: a response, or no response at all. */
export type Attempt =
  | { kind: 'response'; status: number; headers: Record<string, string | undefined>; body: string }
  | { kind: 'error'; reason: string; cancelled: boolean }

export type Judgement =
  | { kind: 'deleted'; http_status: number; message: string }
  | { kind: 'not-found'; message: string }
  | { kind: 'failed'; http_status: number | null; message: string }
  | { kind: 'token-rejected'; http_status: number; message: string }
  | { kind: 'retryable'; http_status: number | null; message: string; retryAfterMs: number | null }

export interface Backoff {
  baseDelayMs: number
  maxDelayMs: number
  /** Longest Retry-After honoured; a server asking for more gets this. */
  maxRetryAfterMs: number
}

/**
 * Waits of about 0.25, 0.5, 1 and 2 s before attempts 2 to 5: a blip of 503s
 * costs a cleanup seconds, not the 11 s a 1 s base cost (bench/README.md),
 * and a server that needs longer says so with Retry-After.
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
    if (attempt.cancelled) return { kind: 'failed', http_status: null, message: attempt.reason }
    return { kind: 'retryable', http_status: null, message: attempt.reason, retryAfterMs: null }
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
    return { kind: 'retryable', http_status: status, message, retryAfterMs: parseRetryAfter(headers['retry-after'], context.now) }
  }
  return { kind: 'failed', http_status: status, message }
}

/**
 * Whether a failed attempt may still have deleted the version: no answer, or
 * a server error that may have come after the work was done. A 408 or 429
 * says the request was not processed.
 */
export function mayHaveTakenEffect(judgement: Judgement): boolean {
  return judgement.kind === 'retryable' && (judgement.http_status === null || !NOT_PROCESSED_STATUS.has(judgement.http_status))
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
