// Pure decisions about one answer to a GET of a list: a page (its items and
// total), a failure worth another attempt, or the end of the listing. The
// statuses are judged as deletes judge them (judgeAttempt); only what a page
// is, and the words, are the listing's own.
import type { Attempt } from '../deletion/post.ts'
import { detailSuffix, judgeAttempt } from '../deletion/judgement.ts'
import { excerpt } from '../text/excerpt.ts'

export type ListAnswer =
  | { kind: 'page'; data: unknown[]; total: number; offset: number | null }
  | { kind: 'retryable'; http_status: number | null; message: string; retryAfterMs: number | null }
  /** 404 or 405: no such list here, or (for a version list) nothing under the filter; the caller says which. */
  | { kind: 'not-served'; http_status: 404 | 405; message: string }
  /** Nothing more may be sent: the next request would carry the rejected token too. */
  | { kind: 'token-rejected'; http_status: number; message: string }
  | { kind: 'failed'; http_status: number | null; message: string }
  | { kind: 'cancelled' }

export function judgeListAnswer(attempt: Attempt, now: number): ListAnswer {
  if (attempt.kind === 'error' && attempt.cause === 'cancelled') return { kind: 'cancelled' }
  // The generation only changes how a 400 is read, which the listing reads as a failure either way.
  const judgement = judgeAttempt(attempt, { missingOk: true, afterRetryableFailure: false, now, generation: 'ml-v1' })
  if (judgement.kind === 'retryable') {
    const { http_status, message, retryAfterMs } = judgement
    return { kind: 'retryable', http_status, message, retryAfterMs }
  }
  if (attempt.kind === 'error') return { kind: 'failed', http_status: null, message: attempt.reason }
  const { status, body } = attempt
  if (judgement.kind === 'token-rejected') {
    return {
      kind: 'token-rejected',
      http_status: status,
      message: `the token was rejected (HTTP ${status}${detailSuffix(body)}); check the token input or TFY_API_KEY, and that it may read this ML repo`,
    }
  }
  if (status === 404 || status === 405) return { kind: 'not-served', http_status: status, message: `HTTP ${status}${detailSuffix(body)}` }
  if (status >= 200 && status < 300) return readPage(body, status)
  // A redirect's words (not followed, check the URL) are the delete's; any other status is shown as it came.
  return {
    kind: 'failed',
    http_status: status,
    message: status >= 300 && status < 400 ? judgement.message : `HTTP ${status}${detailSuffix(body)}`,
  }
}

/** `{data: [...], pagination: {total, offset?}}`, the shape of every list on both generations. */
function readPage(body: string, status: number): ListAnswer {
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch {
    value = undefined
  }
  const page = value as { data?: unknown; pagination?: { total?: unknown; offset?: unknown } } | null | undefined
  const total = page?.pagination?.total
  if (!Array.isArray(page?.data) || !isCount(total)) {
    return {
      kind: 'failed',
      http_status: status,
      message: `the answer (HTTP ${status}) is not a list with data and pagination.total: ${excerpt(body) || 'an empty body'}`,
    }
  }
  const offset = page.pagination?.offset
  return { kind: 'page', data: page.data, total, offset: isCount(offset) ? offset : null }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}
