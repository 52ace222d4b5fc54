// The sweep's source of pull requests: those of a repository closed within a
// window, read from GitHub's REST API through @actions/github's Octokit, page
// by page, as an async generator so memory stays flat however many there are.
import { setTimeout as sleepFor } from 'node:timers/promises'
import { getOctokit } from '@actions/github'
import { excerpt, parseRetryAfter, retryDelay, DEFAULT_BACKOFF } from './retry.ts'
import { createRedactor } from './redact.ts'
import { StepFailure } from './runner.ts'

export const MAX_CLOSED_WITHIN_DAYS = 365
const PER_PAGE = 100
const DAY_MS = 24 * 60 * 60 * 1000
const PERMISSION = '`permissions: pull-requests: read`'

/** A closed pull request, with what the sweep substitutes into manifests and shows in the summary. */
export interface ClosedPullRequest {
  number: number
  head_ref: string
  head_sha: string
  closed_at: string
  merged: boolean
  html_url: string
}

export type GitHubFailure = 'token-rejected' | 'permission-missing' | 'rate-limited' | 'cancelled' | 'unavailable' | 'unexpected-answer'

/** Why listing pull requests stopped; `message` is written for the user and never holds the token. */
export class GitHubListingError extends StepFailure {
  override readonly name = 'GitHubListingError'
  readonly failure: GitHubFailure
  /** GitHub's HTTP status, or null when there was no answer. */
  readonly status: number | null

  constructor(failure: GitHubFailure, status: number | null, message: string) {
    super(message)
    this.failure = failure
    this.status = status
  }
}

export interface ListClosedPullRequestsOptions {
  token: string
  /**
   * GitHub's REST API: GITHUB_API_URL (`https://HOST/api/v3` on GitHub
   * Enterprise Server). @actions/github chooses its proxy (HTTPS_PROXY,
   * NO_PROXY) for the GITHUB_API_URL it sees at import, so pass that one.
   */
  baseUrl: string
  owner: string
  repo: string
  /** 1 to 365. */
  closedWithinDays: number
  /** The end of the window. */
  now: Date
  /** The run's cancellation: ends a wait or a request in flight. */
  signal: AbortSignal
  /** One line per rate-limit wait and retry. */
  log: (message: string) => void
  userAgent?: string
  /** Longest time the listing spends waiting out rate limits in all; a wait beyond it fails at once. */
  maxWaitMs?: number
  /** One request, body included. */
  requestTimeoutMs?: number
  /** Tries of one page when GitHub errs (5xx) or does not answer. */
  maxAttempts?: number
  /** Injected for tests: rejects when the signal aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
  /** Injected for tests: compared with x-ratelimit-reset. */
  clock?: () => number
  random?: () => number
}

export const DEFAULT_MAX_WAIT_MS = 15 * 60_000
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000
export const DEFAULT_MAX_ATTEMPTS = 3
/** Rate limits answered for one page before giving up, however short they are (a retry-after of 0 would loop). */
const MAX_RATE_LIMIT_WAITS = 10
/** GitHub's rule for a rate limit that names no time: at least a minute, longer on each repeat. */
const HEADERLESS_RATE_LIMIT_MS = 60_000

/**
 * The pull requests closed within `closedWithinDays` before `now`, newest
 * update first. Pages are asked for sorted by `updated` descending, and a
 * pull request's closed_at is never after its updated_at, so the first one
 * updated before the window ends the listing: no later page can hold one
 * closed within it.
 */
export async function* listClosedPullRequests(options: ListClosedPullRequestsOptions): AsyncGenerator<ClosedPullRequest, void, undefined> {
  const { owner, repo, signal } = options
  if (!Number.isInteger(options.closedWithinDays) || options.closedWithinDays < 1 || options.closedWithinDays > MAX_CLOSED_WITHIN_DAYS) {
    throw new RangeError(`closedWithinDays must be an integer from 1 to ${MAX_CLOSED_WITHIN_DAYS}, not ${options.closedWithinDays}`)
  }
  if (!options.token) {
    throw new GitHubListingError('token-rejected', null, `The github-token input is empty, so the pull requests of ${owner}/${repo} cannot be listed. Leave it at its default, \${{ github.token }}, with ${PERMISSION} in the workflow, or pass a token.`)
  }
  const windowStart = options.now.getTime() - options.closedWithinDays * DAY_MS
  const api = apiRoot(options.baseUrl)
  const octokit = getOctokit(options.token, { baseUrl: api.href.replace(/\/$/, ''), userAgent: options.userAgent ?? 'truefoundry-artifact-cleanup' })
  // Every form GitHub could echo it in: as sent, JSON-escaped, percent- or form-encoded.
  const redact = createRedactor([options.token])
  const where = `the pull requests of ${owner}/${repo}`
  const sleep = options.sleep ?? ((ms: number, abort: AbortSignal) => sleepFor(ms, undefined, { signal: abort }))
  const clock = options.clock ?? Date.now
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS
  let waitedMs = 0

  // A pull request updated while the listing runs moves to the top, shifting
  // the pages after it: one already listed can come again. Numbers only, so
  // this grows by a few bytes a pull request.
  const listed = new Set<number>()
  const fetched = new Set<string>()
  let next: string | null = null
  for (let page = 1; ; page++) {
    const { inWindow, pastWindow, link } = await readWindow(page)
    yield* inWindow
    if (pastWindow) return
    if (next !== null) fetched.add(next)
    next = nextPageUrl(link, api, page)
    if (next === null) return
    if (fetched.has(next)) {
      throw new GitHubListingError('unexpected-answer', 200, `GitHub's answer for page ${page} of ${where} points the next page back at one already read (${redact(next)}); the listing stops rather than loop.`)
    }
  }

  /**
   * One page, down to the pull requests closed within the window. Only these
   * few fields live on while the caller works through them: GitHub's list
   * items, with their two repository objects, come to megabytes a page.
   */
  async function readWindow(page: number): Promise<{ inWindow: ClosedPullRequest[]; pastWindow: boolean; link: string | undefined }> {
    const response = await fetchPage(page)
    const inWindow: ClosedPullRequest[] = []
    for (const pullRequest of readPage(response.data, page)) {
      if (Date.parse(pullRequest.updated_at) < windowStart) return { inWindow, pastWindow: true, link: undefined }
      const closedAt = pullRequest.closed_at
      if (closedAt === null || Date.parse(closedAt) < windowStart || listed.has(pullRequest.number)) continue
      listed.add(pullRequest.number)
      inWindow.push(closedPullRequest(pullRequest, closedAt))
    }
    return { inWindow, pastWindow: false, link: response.headers.link }
  }

  async function fetchPage(page: number): Promise<{ data: unknown; headers: { link?: string } }> {
    let headerlessWaits = 0
    let rateLimitWaits = 0
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) throw cancelled(page, 'before asking GitHub')
      const timeout = AbortSignal.timeout(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS)
      let answer: GitHubAnswer
      try {
        const request = { signal: AbortSignal.any([signal, timeout]) }
        const response =
          next === null
            ? await octokit.request('GET /repos/{owner}/{repo}/pulls', { owner, repo, state: 'closed', sort: 'updated', direction: 'desc', per_page: PER_PAGE, request })
            : await octokit.request({ method: 'GET', url: next, request })
        return { data: response.data, headers: response.headers }
      } catch (error) {
        if (signal.aborted) throw cancelled(page, 'while a request was in flight')
        answer = readFailure(error, timeout.aborted, options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, redact)
      }
      const verdict = judgeGitHubAnswer(answer, { now: clock(), headerlessWaits })
      const detail = redact(verdict.detail)
      if (verdict.kind === 'fail') throw new GitHubListingError(verdict.failure, answer.status, failureMessage(verdict.failure, detail, where, api))
      const waitMs = verdict.kind === 'wait' ? verdict.ms : retryDelay(attempt, null, options.random ?? Math.random, DEFAULT_BACKOFF)
      if (verdict.kind === 'wait') {
        if (verdict.headerless) headerlessWaits++
        if (++rateLimitWaits > MAX_RATE_LIMIT_WAITS) {
          throw new GitHubListingError(
            'rate-limited',
            answer.status,
            `GitHub's rate limit for the github-token input (${detail}) held for ${MAX_RATE_LIMIT_WAITS} waits before page ${page} of ${where}. Run the sweep later, or when fewer workflows share the token.`,
          )
        }
        if (waitedMs + waitMs > maxWaitMs) {
          throw new GitHubListingError(
            'rate-limited',
            answer.status,
            `GitHub's rate limit for the github-token input (${detail}) asks for a wait of ${formatDuration(waitMs)} before page ${page} of ${where}, ` +
              `more than the ${formatDuration(maxWaitMs - waitedMs)} left of the ${formatDuration(maxWaitMs)} the sweep waits in all. ` +
              'Run the sweep later, or when fewer workflows share the token.',
          )
        }
        waitedMs += waitMs
        options.log(`GitHub's rate limit (${detail}): waiting ${formatDuration(waitMs)} before page ${page} of ${where}.`)
      } else {
        if (attempt >= maxAttempts) {
          throw new GitHubListingError('unavailable', answer.status, `GitHub's API at ${api.href} failed page ${page} of ${where} ${maxAttempts} times (${detail}). Try again later; the sweep reads GITHUB_API_URL for the API's address.`)
        }
        options.log(`GitHub failed page ${page} of ${where} (${detail}): trying again in ${formatDuration(waitMs)} (attempt ${attempt + 1} of ${maxAttempts}).`)
      }
      try {
        await sleep(waitMs, signal)
      } catch (error) {
        if (signal.aborted) throw cancelled(page, verdict.kind === 'wait' ? "while waiting out GitHub's rate limit" : 'while waiting to try again')
        throw error
      }
    }
  }

  function readPage(data: unknown, page: number): PullRequestItem[] {
    if (!Array.isArray(data) || !data.every(isPullRequestItem)) {
      // Redacted before the excerpt is cut: cut first, a token's escaped form would lose the end that makes it recognisable.
      const shown = excerpt(redact(typeof data === 'string' ? data : (JSON.stringify(data) ?? '')))
      throw new GitHubListingError('unexpected-answer', 200, `GitHub's answer for page ${page} of ${where} is not a list of pull requests: ${shown || 'an empty body'}. Is GITHUB_API_URL (${api.href}) GitHub's REST API?`)
    }
    return data
  }

  function cancelled(page: number, when: string): GitHubListingError {
    return new GitHubListingError('cancelled', null, `Cancelled ${when} for page ${page} of ${where}; no more pull requests were listed.`)
  }
}

/** The next page from a Link header, refused unless it stays under the API root: the token goes with it. */
export function nextPageUrl(link: string | undefined, api: URL, page: number): string | null {
  const target = /<([^<>]+)>;\s*rel="next"/.exec(link ?? '')?.[1]
  if (target === undefined) return null
  let url: URL
  try {
    url = new URL(target, api)
  } catch {
    url = new URL('invalid:')
  }
  if (url.origin !== api.origin || !url.pathname.startsWith(api.pathname)) {
    throw new GitHubListingError(
      'unexpected-answer',
      200,
      `GitHub's answer for page ${page} points the next page outside GITHUB_API_URL (${api.href}): ${url.protocol === 'invalid:' ? 'an unreadable URL' : url.origin + url.pathname}. The listing stops rather than send the github-token there.`,
    )
  }
  return url.href
}

/** GITHUB_API_URL as a URL whose path ends in `/`, so a prefix test on paths is exact. */
function apiRoot(baseUrl: string): URL {
  const url = new URL(baseUrl)
  if (!url.pathname.endsWith('/')) url.pathname += '/'
  url.search = ''
  url.hash = ''
  return url
}

/** What a failed request came back with: an HTTP answer, or none (status null). */
export interface GitHubAnswer {
  status: number | null
  headers: Record<string, string | undefined>
  /** GitHub's message, or why there was no answer. */
  message: string
}

export type GitHubVerdict =
  | { kind: 'wait'; ms: number; headerless: boolean; detail: string }
  | { kind: 'retry'; detail: string }
  | { kind: 'fail'; failure: 'token-rejected' | 'permission-missing' | 'unexpected-answer'; detail: string }

export interface GitHubJudgeContext {
  now: number
  /** Rate limits without a time answered in a row for this page: each doubles the wait. */
  headerlessWaits: number
}

/**
 * What to do after GitHub answered with an error, following GitHub's "Best
 * practices for using the REST API": retry-after seconds when present; else
 * at x-ratelimit-reset (epoch seconds) when x-ratelimit-remaining is 0; else,
 * for a rate limit that names no time, at least a minute, doubling on repeats.
 */
export function judgeGitHubAnswer(answer: GitHubAnswer, context: GitHubJudgeContext): GitHubVerdict {
  const { status, headers, message } = answer
  const detail = status === null ? message : `HTTP ${status}${message ? `: ${message}` : ''}`
  if (status === null) return { kind: 'retry', detail }
  const retryAfterMs = parseRetryAfter(headers['retry-after'], context.now)
  const exhausted = headers['x-ratelimit-remaining']?.trim() === '0'
  const rateLimited = status === 429 || (status === 403 && (retryAfterMs !== null || exhausted || /rate limit/i.test(message)))
  if (rateLimited) {
    if (retryAfterMs !== null) return { kind: 'wait', ms: retryAfterMs, headerless: false, detail: `${detail}; retry-after ${headers['retry-after']?.trim()}` }
    const reset = Number(headers['x-ratelimit-reset'])
    if (exhausted && headers['x-ratelimit-reset'] !== undefined && Number.isFinite(reset)) {
      // A second past the reset: GitHub says to wait until after it, and clocks differ.
      const ms = Math.max(0, reset * 1000 - context.now) + 1000
      return { kind: 'wait', ms, headerless: false, detail: `${detail}; resets at ${new Date(reset * 1000).toISOString()}` }
    }
    return { kind: 'wait', ms: HEADERLESS_RATE_LIMIT_MS * 2 ** context.headerlessWaits, headerless: true, detail }
  }
  if (status === 401) return { kind: 'fail', failure: 'token-rejected', detail }
  if (status === 403 || status === 404) return { kind: 'fail', failure: 'permission-missing', detail }
  if (status >= 500) return { kind: 'retry', detail }
  return { kind: 'fail', failure: 'unexpected-answer', detail }
}

function failureMessage(failure: 'token-rejected' | 'permission-missing' | 'unexpected-answer', detail: string, where: string, api: URL): string {
  switch (failure) {
    case 'token-rejected':
      return `GitHub rejected the github-token input (${detail}) when listing ${where}. Pass a valid token for ${api.host} as github-token; the default, \${{ github.token }}, needs ${PERMISSION} in the workflow.`
    case 'permission-missing':
      return `The github-token input may not read ${where} (${detail}). Grant it in the workflow with ${PERMISSION}, or pass as github-token a token that can read this repository's pull requests.`
    case 'unexpected-answer':
      return `GitHub answered ${detail} when listing ${where}. Is GITHUB_API_URL (${api.href}) GitHub's REST API?`
  }
}

/** An Octokit RequestError (status, response headers and data) or a fetch failure, as data, with the token redacted before anything is cut. */
function readFailure(error: unknown, timedOut: boolean, timeoutMs: number, redact: (text: string) => string): GitHubAnswer {
  if (timedOut) return { status: null, headers: {}, message: `no complete answer within ${formatDuration(timeoutMs)}` }
  const failure = error as { status?: unknown; response?: { status?: unknown; headers?: Record<string, string | undefined>; data?: unknown }; message?: unknown }
  const response = failure?.response
  if (response && typeof response.status === 'number') {
    const data = response.data
    return { status: response.status, headers: response.headers ?? {}, message: excerpt(redact(typeof data === 'string' ? data : (JSON.stringify(data) ?? ''))) }
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause
  const code = typeof cause?.code === 'string' ? ` (${cause.code})` : ''
  return { status: null, headers: {}, message: redact(`no answer: ${typeof failure?.message === 'string' ? failure.message : String(error)}${code}`) }
}

interface PullRequestItem {
  number: number
  updated_at: string
  closed_at: string | null
  merged_at: string | null
  html_url: string
  head: { ref: string; sha: string }
}

function isPullRequestItem(value: unknown): value is PullRequestItem {
  const item = value as Partial<PullRequestItem> | null
  return (
    typeof item === 'object' &&
    item !== null &&
    Number.isInteger(item.number) &&
    isDate(item.updated_at) &&
    (item.closed_at === null || isDate(item.closed_at)) &&
    (item.merged_at === null || typeof item.merged_at === 'string') &&
    typeof item.html_url === 'string' &&
    typeof item.head?.ref === 'string' &&
    typeof item.head?.sha === 'string'
  )
}

function isDate(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value))
}

function closedPullRequest(item: PullRequestItem, closedAt: string): ClosedPullRequest {
  return { number: item.number, head_ref: item.head.ref, head_sha: item.head.sha, closed_at: closedAt, merged: item.merged_at !== null, html_url: item.html_url }
}

function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))} s`
  const minutes = Math.floor(ms / 60_000)
  const seconds = Math.round((ms % 60_000) / 1000)
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`
}
