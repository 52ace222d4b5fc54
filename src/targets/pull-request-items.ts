// A page's items, checked one by one: an item that is not a pull request
// refuses the page; a pull request whose number or dates cannot be trusted is
// refused alone, with a warning, and nothing is deleted for it.
import type { Redact } from '../text/redact.ts'

/** A closed pull request, with what the sweep substitutes into manifests and shows in the summary. */
export interface ClosedPullRequest {
  number: number
  head_ref: string
  head_sha: string
  closed_at: string
  merged: boolean
  html_url: string
}

export interface PullRequestItem {
  /** These three are checked one by one: a bad one refuses its pull request, not the page. */
  number: unknown
  updated_at: string
  closed_at: string | null
  merged_at: string | null
  html_url: string
  head: { ref: string; sha: string }
}

export function isPullRequestItem(value: unknown): value is PullRequestItem {
  const item = value as Partial<PullRequestItem> | null
  return (
    typeof item === 'object' &&
    item !== null &&
    'number' in item &&
    typeof item.updated_at === 'string' &&
    (item.closed_at === null || typeof item.closed_at === 'string') &&
    (item.merged_at === null || typeof item.merged_at === 'string') &&
    typeof item.html_url === 'string' &&
    typeof item.head?.ref === 'string' &&
    typeof item.head?.sha === 'string'
  )
}

export type ItemVerdict =
  | { kind: 'refused'; reason: string }
  /** Updated before the pass's floor: no later item of the pass can be closed within the window. */
  | { kind: 'older' }
  | { kind: 'read'; number: number; closedAt: string | null }

/**
 * What one item of a page is, in the order that decides it: dates that can
 * be read, then whether it ends the pass (it was updated before `floor`),
 * then a number and a close before `startedAt`, when the listing began.
 */
export function checkItem(item: PullRequestItem, floor: number, startedAt: number, redact: Redact): ItemVerdict {
  const unreadable = !isDate(item.updated_at) ? 'updated_at' : item.closed_at !== null && !isDate(item.closed_at) ? 'closed_at' : null
  if (unreadable) return { kind: 'refused', reason: `its ${unreadable}, ${shown(item[unreadable], redact)}, is not a date` }
  if (Date.parse(item.updated_at) < floor) return { kind: 'older' }
  const { number, closed_at: closedAt } = item
  if (!isPullRequestNumber(number)) {
    return { kind: 'refused', reason: `its number, ${shown(number, redact)}, is not a whole number from 1 to ${Number.MAX_SAFE_INTEGER}` }
  }
  if (closedAt !== null && Date.parse(closedAt) > startedAt) {
    return {
      kind: 'refused',
      reason: `its closed_at, ${shown(closedAt, redact)}, is later than ${new Date(startedAt).toISOString()}, when the listing began (one closed during the sweep is swept by the next)`,
    }
  }
  return { kind: 'read', number, closedAt }
}

/** The warning for a refused pull request, and the key it is warned of once by. */
export function refusal(item: PullRequestItem, reason: string, repository: string, redact: Redact): { key: string; warning: string } {
  const name = isPullRequestNumber(item.number) ? `#${item.number} (${shown(item.html_url, redact)})` : shown(item.html_url, redact)
  return {
    key: `${shown(item.number, redact)} ${item.html_url}`,
    warning: `GitHub listed a pull request of ${repository} that is not swept, and nothing is deleted for it: ${name}: ${reason}.`,
  }
}

export function closedPullRequest(item: PullRequestItem, number: number, closedAt: string): ClosedPullRequest {
  return {
    number,
    head_ref: item.head.ref,
    head_sha: item.head.sha,
    closed_at: closedAt,
    merged: item.merged_at !== null,
    html_url: item.html_url,
  }
}

/** A value from GitHub for a message: quoted, control characters escaped, cut short, and so redacted first. */
function shown(value: unknown, redact: Redact): string {
  const text = redact(typeof value === 'bigint' ? String(value) : (JSON.stringify(value) ?? String(value)))
  return text.length > 100 ? `${text.slice(0, 100)}…` : text
}

function isDate(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value))
}

/** What GitHub's numbers are: 1, 2, 3… A number JSON holds but an integer cannot (1e21, 1.5) is not one. */
function isPullRequestNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0
}
