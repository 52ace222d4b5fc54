// A list of the control plane read page by page to its end, or refused: each
// page is tried again as deletes are (one backoff, Retry-After honoured), and
// the pages must agree with their own `pagination.total`, since a listing
// that changed or lies while it is read cannot say which versions are the newest.
import type { Attempt } from '../deletion/post.ts'
import { gaveUpAfter, retrying, type RetryPolicy } from '../deletion/backoff.ts'
import { judgeListAnswer, type ListAnswer } from './list-answers.ts'

/** What both SDKs send; a server that gives fewer is followed by offset all the same. */
export const PAGE_SIZE = 100
/** A listing claiming more items, or taking more pages, is refused rather than read to an end that may never come. */
const MAX_TOTAL = 1_000_000
const MAX_PAGES = 10_000

export interface ListingClient {
  list(path: string, query: URLSearchParams, signal?: AbortSignal): Promise<Attempt>
  endpointUrl(path: string): string
}

/** The run's retry policy; `signal` is its cancel, `abortInFlight` cuts a request in flight short. */
export type ListingPolicy = RetryPolicy & { abortInFlight: AbortSignal; now: () => number }

/** How one page came out, once no more attempts are due. */
export type PageOutcome = Exclude<ListAnswer, { kind: 'retryable' }>

type Retryable = Extract<ListAnswer, { kind: 'retryable' }>

/** One page of the list at `path`: tried until it is a page or a failure no retry changes. */
export function fetchPage(client: ListingClient, path: string, query: URLSearchParams, policy: ListingPolicy): Promise<PageOutcome> {
  return retrying<PageOutcome, Retryable>(
    async () => {
      if (policy.signal.aborted) return { done: { kind: 'cancelled' } }
      const answer = judgeListAnswer(await client.list(path, query, policy.abortInFlight), policy.now())
      if (answer.kind !== 'retryable') return { done: answer }
      return policy.signal.aborted ? { done: { kind: 'cancelled' } } : { again: answer, retryAfterMs: answer.retryAfterMs }
    },
    policy,
    (last, attempts) => ({ kind: 'failed', http_status: last.http_status, message: `${last.message} ${gaveUpAfter(attempts)}` }),
  )
}

export type PagesEnd =
  | { kind: 'read'; total: number }
  /** The first page was answered 404 or 405: the caller knows whether that means no such list here. */
  | { kind: 'not-served'; http_status: 404 | 405; message: string }
  | { kind: 'failed'; http_status: number | null; message: string; tokenRejected: boolean }
  | { kind: 'cancelled' }

/** Why `onItems` refuses a page's items; null when they are fine. */
export type ItemsCheck = (items: unknown[], page: number) => string | null

/**
 * Reads the list at `path` with `filters` from offset 0, following offset by
 * the items each page holds until they reach `pagination.total` (no request
 * after that), and tells `onItems` each page's items as it comes. The total
 * must be the same on every page and equal the items read; an empty page
 * before it, a page that starts elsewhere than asked or repeats the one
 * before, and a listing past the bounds all fail it.
 */
export async function readPages(
  client: ListingClient,
  path: string,
  filters: Record<string, string>,
  onItems: ItemsCheck,
  policy: ListingPolicy,
): Promise<PagesEnd> {
  const failed = (message: string, http_status: number | null = null): PagesEnd => ({
    kind: 'failed',
    http_status,
    message,
    tokenRejected: false,
  })
  let firstTotal: number | null = null
  let read = 0
  let previousFirstId: unknown = undefined
  for (let page = 1; ; page++) {
    if (page > MAX_PAGES) return failed(`the listing takes more than ${MAX_PAGES} pages, the most the action reads`)
    const query = new URLSearchParams({ ...filters, limit: String(PAGE_SIZE), offset: String(read) })
    const outcome = await fetchPage(client, path, query, policy)
    if (outcome.kind === 'cancelled') return outcome
    if (outcome.kind === 'not-served' && page === 1) return outcome
    if (outcome.kind !== 'page') {
      const where = `page ${page} (offset ${read}): ${outcome.message}`
      return { kind: 'failed', http_status: outcome.http_status, message: where, tokenRejected: outcome.kind === 'token-rejected' }
    }
    const { data, total, offset } = outcome
    if (firstTotal === null) {
      if (total > MAX_TOTAL) return failed(`the listing claims ${total} items, more than the ${MAX_TOTAL} the action reads`)
      firstTotal = total
    } else if (total !== firstTotal) {
      return failed(`the listing changed or disagrees with itself (total ${firstTotal} on page 1, ${total} on page ${page})`)
    }
    if (offset !== null && offset !== read) return failed(`page ${page} says it starts at offset ${offset}, where ${read} was asked`)
    if (data.length === 0) {
      if (read < total) return failed(`page ${page} is empty after ${read} of the ${total} items the listing's total announced`)
      return { kind: 'read', total }
    }
    if (read + data.length > total) {
      return failed(`the pages hold more items than their total (${read + data.length} by page ${page}, total ${total})`)
    }
    const firstId = (data[0] as { id?: unknown } | null)?.id
    if (page > 1 && typeof firstId === 'string' && firstId === previousFirstId) {
      return failed(`page ${page} repeats page ${page - 1} (both begin with ${firstId}): the server does not follow offset`)
    }
    previousFirstId = firstId
    const refused = onItems(data, page)
    if (refused !== null) return failed(refused)
    read += data.length
    if (read === total) return { kind: 'read', total }
  }
}
