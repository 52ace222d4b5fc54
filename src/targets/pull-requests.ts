// The sweep's source of pull requests: those of a repository closed within a
// window, read from GitHub's REST API through @actions/github's Octokit, page
// by page, as an async generator so memory stays flat however many there are.
// Octokit's plugins do the paging (paginate-rest's iterator), the tries again
// (plugin-retry) and the rate limits (plugin-throttling); this file decides
// what each answer means, how long to wait, and when to stop.
import { setTimeout as sleepFor } from 'node:timers/promises'
import type { getOctokit as GetOctokit } from '@actions/github'
import { loadOctokit } from './load-octokit.ts'
import { createGitHubFetch, FetchFailure, linkTargets, shownUrl, underApiRoot } from './github-fetch.ts'
import { createDispatcher, proxyFor } from '../http/proxy.ts'
import { createRedactor, type Redact } from '../text/redact.ts'
import { excerpt, parseRetryAfter, retryDelay, DEFAULT_BACKOFF } from '../deletion/judgement.ts'
import { StepFailure } from '../runner/step-failure.ts'
import { formatDuration } from '../text/format.ts'

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

/** `not-sent`: the request could not be made, on the action's side (its inputs or the runner's settings). */
export type GitHubFailure =
  'token-rejected' | 'permission-missing' | 'rate-limited' | 'cancelled' | 'unavailable' | 'unexpected-answer' | 'not-sent'

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
  /** GitHub's REST API: GITHUB_API_URL (`https://HOST/api/v3` on GitHub Enterprise Server). */
  baseUrl: string
  owner: string
  repo: string
  /** 1 to 365. */
  closedWithinDays: number
  /** The end of the window, and when the listing began. */
  now: Date
  /** The run's cancellation: ends a wait or a request in flight. */
  signal: AbortSignal
  /** One line per rate-limit wait and retry. */
  log: (message: string) => void
  /** One line per pull request refused, and Octokit's own warnings (a deprecated API, say). */
  warn: (message: string) => void
  userAgent?: string
  /** Longest time the listing spends waiting out rate limits in all; a wait beyond it fails at once. */
  maxWaitMs?: number
  /** One request, body included. */
  requestTimeoutMs?: number
  /** Tries of one page when GitHub errs (5xx) or does not answer. */
  maxAttempts?: number
  /** Most bytes of one page's body, decoded, that are read. */
  maxPageBytes?: number
  /** Most pages the listing reads, its passes together. */
  maxPages?: number
  /** Injected for tests: rejects when the signal aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
  /** Injected for tests: compared with x-ratelimit-reset, and when each pass begins. */
  clock?: () => number
  random?: () => number
}

export const DEFAULT_MAX_WAIT_MS = 15 * 60_000
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000
export const DEFAULT_MAX_ATTEMPTS = 3
/** A page of 100 pull requests, with their two repository objects, comes to about 2 MB. */
export const DEFAULT_MAX_PAGE_BYTES = 32 * 1024 * 1024
/** 100,000 pull requests. */
export const DEFAULT_MAX_PAGES = 1000
/** Rate limits answered for one page before giving up, however short they are (a retry-after of 0 would loop). */
const MAX_RATE_LIMIT_WAITS = 10
/** x-ratelimit-reset as a decimal number of seconds, exponent allowed (1e20 says how long it asks for, not nothing). */
const EPOCH_SECONDS = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i
/** GitHub's rule for a rate limit that names no time: at least a minute, longer on each repeat. */
const HEADERLESS_RATE_LIMIT_MS = 60_000
/** How far GitHub's clock may be behind the runner's: a pass reads back this far before the one before began. */
const CLOCK_SKEW_MS = 5 * 60_000
/** Answers plugin-retry leaves alone: errors no try changes, and rate limits, which plugin-throttling waits out. */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451]

/**
 * Ends the listing through Octokit's plugins, neither of which tries again:
 * it has no HTTP status, and plugin-retry reads from `request.request` that
 * it allows no retries.
 */
class Stop extends Error {
  readonly failure: GitHubListingError
  readonly request = { request: {} }

  constructor(failure: GitHubListingError) {
    super(failure.message)
    this.failure = failure
  }
}

/**
 * The pull requests closed within `closedWithinDays` before `now`. Pages are
 * asked for sorted by `updated` descending, and a pull request's closed_at is
 * never after its updated_at, so the first one updated before the window ends
 * the first pass: no later page can hold one closed within it. A pull request
 * updated while the pages are read moves to the top, onto a page already
 * read, so the listing then reads again from the top, down to where the pass
 * before began, until a pass finds none it had not listed.
 */
export async function* listClosedPullRequests(options: ListClosedPullRequestsOptions): AsyncGenerator<ClosedPullRequest, void, undefined> {
  const { owner, repo, signal } = options
  if (!Number.isInteger(options.closedWithinDays) || options.closedWithinDays < 1 || options.closedWithinDays > MAX_CLOSED_WITHIN_DAYS) {
    throw new RangeError(`closedWithinDays must be an integer from 1 to ${MAX_CLOSED_WITHIN_DAYS}, not ${options.closedWithinDays}`)
  }
  if (!options.token) {
    throw new GitHubListingError(
      'token-rejected',
      null,
      `The github-token input is empty, so the pull requests of ${owner}/${repo} cannot be listed. Leave it at its default, \${{ github.token }}, with ${PERMISSION} in the workflow, or pass a token.`,
    )
  }
  const startedAt = options.now.getTime()
  const windowStart = startedAt - options.closedWithinDays * DAY_MS
  const api = apiRoot(options.baseUrl)
  // Every form GitHub could echo it in: as sent, JSON-escaped, percent- or form-encoded.
  const redact = createRedactor([options.token])
  const where = `the pull requests of ${owner}/${repo}`
  const sleep = options.sleep ?? ((ms: number, abort: AbortSignal) => sleepFor(ms, undefined, { signal: abort }))
  const clock = options.clock ?? Date.now
  const random = options.random ?? Math.random
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS

  /** Where the listing is, for the plugins' hooks and every message. */
  const position = { pass: 1, page: 0, attempt: 0, rateLimitWaits: 0, headerlessWaits: 0 }
  let pagesRead = 0
  let waitedMs = 0
  /** The rate limit the last attempt was answered with, for plugin-throttling's hook to wait out. */
  let rateLimit: { ms: number; headerless: boolean; status: number | null; detail: string } | null = null
  /** Why plugin-throttling was told not to try again: the listing's error. */
  let held: GitHubListingError | null = null
  // Numbers only, so these grow by a few bytes a pull request.
  const listed = new Set<number>()
  const refused = new Set<string>()

  // The proxy settings are checked before @actions/github loads: it builds its own agent from them as it loads.
  const proxy = proxyFor(api)
  const dispatcher = await createDispatcher(proxy, { connectTimeoutMs: requestTimeoutMs })
  try {
    const fetch = await createGitHubFetch({
      api,
      dispatcher,
      proxy: proxy?.shown ?? null,
      signal,
      timeoutMs: requestTimeoutMs,
      maxBodyBytes: options.maxPageBytes ?? DEFAULT_MAX_PAGE_BYTES,
    })
    const { getOctokit, retry, throttling } = await loadOctokit()
    const write =
      (to: (message: string) => void) =>
      (...parts: unknown[]) =>
        to(redact(parts.map((part) => (part instanceof Error ? part.message : String(part))).join(' ')))
    // plugin-throttling awaits its handler and tries again when it resolves true; its type says void.
    const onRateLimit = (() => waitOutRateLimit()) as () => void
    const log = { debug: write(options.log), info: write(options.log), warn: write(options.warn), error: write(options.warn) }
    const octokit = getOctokit(
      options.token,
      {
        baseUrl: api.href.replace(/\/$/, ''),
        userAgent: options.userAgent ?? 'truefoundry-artifact-cleanup',
        log,
        // @octokit/request logs a deprecated API (headers and all) through request.log, else the console: never the console.
        request: { fetch, log },
        // The waits are the hooks' (judge, then pause): cancellable, bounded, and logged.
        retry: { retries: maxAttempts - 1, retryAfterBaseValue: 0, doNotRetry: DO_NOT_RETRY },
        throttle: { onRateLimit, onSecondaryRateLimit: onRateLimit, retryAfterBaseValue: 0 },
      },
      // First, so inside the other two: it sees every attempt.
      (kit: Pick<ReturnType<typeof GetOctokit>, 'hook'>) =>
        kit.hook.wrap('request', async (request, requestOptions) => {
          position.attempt++
          let response: Awaited<ReturnType<typeof request>>
          try {
            response = await request(requestOptions)
          } catch (error) {
            throw await afterFailure(error)
          }
          return checkedPage(response)
        }),
      retry,
      throttling,
    )

    for (let floor = windowStart; ; position.pass++) {
      const passStartedAt = clock()
      let found = 0
      const pages = octokit.paginate.iterator('GET /repos/{owner}/{repo}/pulls', {
        owner,
        repo,
        state: 'closed',
        sort: 'updated',
        direction: 'desc',
        per_page: PER_PAGE,
      })
      for await (const inWindow of readPass(pages[Symbol.asyncIterator](), floor)) {
        found += inWindow.length
        yield* inWindow
      }
      if (position.pass > 1 && found === 0) return
      floor = passStartedAt - CLOCK_SKEW_MS
    }
  } finally {
    await dispatcher.destroy().catch(() => undefined)
  }

  /** One pass from the top, a page at a time, down to the first pull request updated before `floor`. */
  async function* readPass(
    pages: AsyncIterator<{ data: unknown; headers: { link?: string } }>,
    floor: number,
  ): AsyncGenerator<ClosedPullRequest[]> {
    const seen = new Set<number>()
    for (let page = 1; ; page++) {
      if (signal.aborted) throw cancelled(page, 'before asking GitHub')
      if (++pagesRead > maxPages) {
        throw new GitHubListingError(
          'unexpected-answer',
          200,
          `GitHub's answers for ${where} went on for more than ${maxPages} pages (${maxPages * PER_PAGE} pull requests) without leaving the window; the listing stops rather than read without end. Sweep fewer days with closed-within-days.`,
        )
      }
      Object.assign(position, { page, attempt: 0, rateLimitWaits: 0, headerlessWaits: 0 })
      let next: IteratorResult<{ data: unknown; headers: { link?: string } }>
      try {
        next = await pages.next()
      } catch (error) {
        throw listingError(error)
      }
      if (next.done) return
      const items = next.value.data as PullRequestItem[]
      // Only these few fields live on while the caller works through them: GitHub's list items come to megabytes a page.
      const inWindow: ClosedPullRequest[] = []
      let ended = false
      let fresh = false
      for (const item of items) {
        const unreadable = !isDate(item.updated_at) ? 'updated_at' : item.closed_at !== null && !isDate(item.closed_at) ? 'closed_at' : null
        if (unreadable) {
          refuse(item, `its ${unreadable}, ${shown(item[unreadable])}, is not a date`)
          continue
        }
        if (Date.parse(item.updated_at) < floor) {
          ended = true
          break
        }
        const { number } = item
        if (!isPullRequestNumber(number)) {
          refuse(item, `its number, ${shown(number)}, is not a whole number from 1 to ${Number.MAX_SAFE_INTEGER}`)
          continue
        }
        const closedAt = item.closed_at
        if (closedAt !== null && Date.parse(closedAt) > startedAt) {
          refuse(
            item,
            `its closed_at, ${shown(closedAt)}, is later than ${new Date(startedAt).toISOString()}, when the listing began (one closed during the sweep is swept by the next)`,
          )
          continue
        }
        if (!seen.has(number)) fresh = seen.add(number).size > 0
        if (closedAt === null || Date.parse(closedAt) < windowStart || listed.has(number)) continue
        listed.add(number)
        inWindow.push(closedPullRequest(item, number, closedAt))
      }
      yield inWindow
      if (ended || next.value.headers.link === undefined) return
      if (!fresh) {
        throw new GitHubListingError(
          'unexpected-answer',
          200,
          `GitHub's ${at(page)} of ${where} ${items.length === 0 ? 'is empty' : 'lists no pull request the pages before it did not'}, yet links to a next page; the listing stops rather than read pages without end.${listedSoFar()}`,
        )
      }
    }
  }

  /** A page as the iterator may follow it: a list of pull requests, and a next link only if it stays under GITHUB_API_URL. */
  function checkedPage<Response extends OctokitResponse>(response: Response): Response {
    const { data } = response
    if (!Array.isArray(data) || !data.every(isPullRequestItem)) {
      // Redacted before the excerpt is cut: cut first, a token's escaped form would lose the end that makes it recognisable.
      const shown = excerpt(redact(textOf(data)))
      throw new Stop(
        new GitHubListingError(
          'unexpected-answer',
          response.status,
          `GitHub's answer for ${at(position.page)} of ${where} is not a list of pull requests: ${shown || 'an empty body'}. Is GITHUB_API_URL (${api.href}) GitHub's REST API?`,
        ),
      )
    }
    const target = linkTargets(response.headers.link ?? '', 'next')[0]
    delete response.headers.link
    if (target === undefined) return response
    // A relative target is relative to the page it came with (RFC 8288, 3.2), not to GITHUB_API_URL.
    const url = parseUrl(target, parseUrl(response.url, api) ?? api)
    if (url === null || !underApiRoot(url, api)) {
      throw new Stop(
        new GitHubListingError(
          'unexpected-answer',
          response.status,
          `GitHub's answer for ${at(position.page)} of ${where} points the next page outside GITHUB_API_URL (${api.href}): ${url === null ? 'an unreadable URL' : redact(shownUrl(url))}. The listing stops rather than send the github-token there.${listedSoFar()}`,
        ),
      )
    }
    // The one form the iterator reads.
    response.headers.link = `<${url.href}>; rel="next"`
    return response
  }

  /** What to throw for a failed attempt: a Stop, or the error itself for a plugin to try again (after the wait, done here). */
  async function afterFailure(error: unknown): Promise<unknown> {
    const cause = (error as { cause?: unknown } | null)?.cause
    const failure = cause instanceof FetchFailure ? cause : null
    const page = at(position.page)
    if (signal.aborted || failure?.kind === 'cancelled') return new Stop(cancelled(position.page, 'while a request was in flight'))
    if (failure?.kind === 'local') {
      return new Stop(
        new GitHubListingError(
          'not-sent',
          null,
          `The request for ${page} of ${where} could not be made: ${redact(failure.message)}. The fault is on the action's side (GITHUB_API_URL, github-token or the runner's settings), not GitHub's, so it was not tried again.`,
        ),
      )
    }
    if (failure?.kind === 'refused')
      return new Stop(
        new GitHubListingError(
          'unexpected-answer',
          null,
          `GitHub's answer for ${page} of ${where} was refused: ${redact(failure.message)}.${listedSoFar()}`,
        ),
      )
    const answer: GitHubAnswer = failure ? { status: null, headers: {}, message: redact(failure.message) } : readFailure(error, redact)
    const verdict = judgeGitHubAnswer(answer, { now: clock(), headerlessWaits: position.headerlessWaits })
    const detail = redact(verdict.detail)
    if (verdict.kind === 'fail')
      return new Stop(new GitHubListingError(verdict.failure, answer.status, failureMessage(verdict.failure, detail)))
    if (verdict.kind === 'wait') {
      rateLimit = { ms: verdict.ms, headerless: verdict.headerless, status: answer.status, detail }
      return asRateLimit(error)
    }
    if (position.attempt >= maxAttempts) {
      return new Stop(
        new GitHubListingError(
          'unavailable',
          answer.status,
          `GitHub's API at ${api.href} failed ${page} of ${where} ${maxAttempts} times (${detail}). Try again later; the sweep reads GITHUB_API_URL for the API's address.${listedSoFar()}`,
        ),
      )
    }
    const ms = retryDelay(position.attempt, null, random, DEFAULT_BACKOFF)
    options.log(
      `GitHub failed ${page} of ${where} (${detail}): trying again in ${formatDuration(ms)} (attempt ${position.attempt + 1} of ${maxAttempts}).`,
    )
    try {
      await pause(ms, 'while waiting to try again')
    } catch (stop) {
      return stop
    }
    return error
  }

  /** plugin-throttling's hook for both kinds of rate limit: its own wait would truncate x-ratelimit-reset to 32 bits, and could not be cancelled. */
  async function waitOutRateLimit(): Promise<boolean> {
    const limit = rateLimit
    rateLimit = null
    if (limit === null) return false
    const page = at(position.page)
    const fail = (message: string) => {
      held = new GitHubListingError(
        'rate-limited',
        limit.status,
        `${message} Run the sweep later, or when fewer workflows share the token.${listedSoFar()}`,
      )
      return false
    }
    if (++position.rateLimitWaits > MAX_RATE_LIMIT_WAITS)
      return fail(
        `GitHub's rate limit for the github-token input (${limit.detail}) held for ${MAX_RATE_LIMIT_WAITS} waits before ${page} of ${where}.`,
      )
    if (waitedMs + limit.ms > maxWaitMs) {
      return fail(
        `GitHub's rate limit for the github-token input (${limit.detail}) asks for a wait of ${formatDuration(limit.ms)} before ${page} of ${where}, ` +
          `more than the ${formatDuration(maxWaitMs - waitedMs)} left of the ${formatDuration(maxWaitMs)} the sweep waits in all.`,
      )
    }
    if (limit.headerless) position.headerlessWaits++
    waitedMs += limit.ms
    options.log(`GitHub's rate limit (${limit.detail}): waiting ${formatDuration(limit.ms)} before ${page} of ${where}.`)
    try {
      await pause(limit.ms, "while waiting out GitHub's rate limit")
    } catch (stop) {
      held = stop instanceof Stop ? stop.failure : null
      if (held === null) throw stop
      return false
    }
    position.attempt = 0
    return true
  }

  async function pause(ms: number, when: string): Promise<void> {
    try {
      await sleep(ms, signal)
    } catch (error) {
      if (signal.aborted) throw new Stop(cancelled(position.page, when))
      throw error
    }
  }

  function listingError(error: unknown): Error {
    const stopped = held
    held = null
    if (stopped) return stopped
    if (error instanceof Stop) return error.failure
    if (error instanceof GitHubListingError) return error
    return new GitHubListingError(
      'not-sent',
      null,
      `Listing ${where} stopped at ${at(position.page)} on an error of the action's own: ${redact(error instanceof Error ? error.message : String(error))}.${listedSoFar()}`,
    )
  }

  function failureMessage(failure: 'token-rejected' | 'permission-missing' | 'unexpected-answer', detail: string): string {
    const page = at(position.page)
    const later = position.page > 1 || position.pass > 1
    switch (failure) {
      case 'token-rejected':
        return later
          ? `GitHub stopped accepting the github-token input (${detail}) at ${page} of ${where}; it was accepted for the pages before, so it may have expired or been revoked while the sweep ran.${listedSoFar()} Run the sweep again.`
          : `GitHub rejected the github-token input (${detail}) when listing ${where}. Pass a valid token for ${api.host} as github-token; the default, \${{ github.token }}, needs ${PERMISSION} in the workflow.`
      case 'permission-missing':
        return later
          ? `The github-token input was refused ${page} of ${where} (${detail}), having read the pages before.${listedSoFar()} Check ${PERMISSION} in the workflow, and run the sweep again.`
          : `The github-token input may not read ${where} (${detail}). Grant it in the workflow with ${PERMISSION}, or pass as github-token a token that can read this repository's pull requests.`
      case 'unexpected-answer':
        return `GitHub answered ${detail} when listing ${where} (${page}). Is GITHUB_API_URL (${api.href}) GitHub's REST API?${listedSoFar()}`
    }
  }

  /** How many pull requests went to the caller before the listing stopped: their versions are swept all the same. */
  function listedSoFar(): string {
    if (listed.size === 0) return ''
    return ` ${listed.size} closed ${listed.size === 1 ? 'pull request was' : 'pull requests were'} listed and swept before this; the rest were not listed.`
  }

  function at(page: number): string {
    return position.pass > 1 ? `page ${page} of the listing again from the top` : `page ${page}`
  }

  function cancelled(page: number, when: string): GitHubListingError {
    return new GitHubListingError('cancelled', null, `Cancelled ${when} for ${at(page)} of ${where}; no more pull requests were listed.`)
  }

  function refuse(item: PullRequestItem, reason: string): void {
    const key = `${shown(item.number)} ${item.html_url}`
    if (refused.has(key)) return
    refused.add(key)
    const name = isPullRequestNumber(item.number) ? `#${item.number} (${shown(item.html_url)})` : shown(item.html_url)
    options.warn(
      redact(`GitHub listed a pull request of ${owner}/${repo} that is not swept, and nothing is deleted for it: ${name}: ${reason}.`),
    )
  }
}

/** What Octokit resolves a request with, as far as the page check reads it. */
interface OctokitResponse {
  status: number
  /** Where the page came from, redirects followed; empty if unknown. */
  url: string
  headers: { link?: string }
  data: unknown
}

/** GITHUB_API_URL as a URL whose path ends in `/`, so a prefix test on paths is exact, and without user-info, which no message repeats. */
function apiRoot(baseUrl: string): URL {
  const url = new URL(baseUrl)
  if (!url.pathname.endsWith('/')) url.pathname += '/'
  url.username = ''
  url.password = ''
  url.search = ''
  url.hash = ''
  return url
}

function parseUrl(text: string, base: URL): URL | null {
  try {
    return new URL(text, base)
  } catch {
    return null
  }
}

/** A value from GitHub for a message: quoted, control characters escaped, cut short. */
function shown(value: unknown): string {
  const text = typeof value === 'bigint' ? String(value) : (JSON.stringify(value) ?? String(value))
  return text.length > 100 ? `${text.slice(0, 100)}…` : text
}

/** A body for a message; Octokit parses JSON with big integers as BigInt, which JSON.stringify refuses. */
function textOf(data: unknown): string {
  if (typeof data === 'string') return data
  return JSON.stringify(data, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value)) ?? ''
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
 * practices for using the REST API". A rate limit is a 429, or a 403
 * with retry-after, with x-ratelimit-remaining 0 (the primary limit) or with a
 * message that says it is one. It is waited out
 * for retry-after seconds when present; else until x-ratelimit-reset (epoch
 * seconds) when x-ratelimit-remaining is 0; else at least a minute, doubling on repeats.
 */
export function judgeGitHubAnswer(answer: GitHubAnswer, context: GitHubJudgeContext): GitHubVerdict {
  const { status, headers, message } = answer
  const detail = status === null ? message : `HTTP ${status}${message ? `: ${message}` : ''}`
  if (status === null) return { kind: 'retry', detail }
  const exhausted = headers['x-ratelimit-remaining']?.trim() === '0'
  const retryAfterMs = parseRetryAfter(headers['retry-after'], context.now)
  // GitHub answers a rate limit with 429, or with 403 and one of its signs; a 403 without them is a permission.
  if (status === 429 || (status === 403 && (retryAfterMs !== null || exhausted || /\brate limit\b/i.test(message)))) {
    if (retryAfterMs !== null)
      return { kind: 'wait', ms: retryAfterMs, headerless: false, detail: `${detail}; retry-after ${headers['retry-after']?.trim()}` }
    const resetText = headers['x-ratelimit-reset']?.trim() ?? ''
    // A decimal number only: Number() reads '' and blank space as 0 (a reset in 1970) and '0x10' as 16, times GitHub never named.
    const reset = EPOCH_SECONDS.test(resetText) ? Number(resetText) : Number.NaN
    if (exhausted && Number.isFinite(reset)) {
      // A second past the reset: GitHub says to wait until after it, and clocks differ.
      const ms = Math.max(0, reset * 1000 - context.now) + 1000
      const when = new Date(reset * 1000)
      return {
        kind: 'wait',
        ms,
        headerless: false,
        detail: `${detail}; resets at ${Number.isNaN(when.getTime()) ? `epoch second ${resetText}` : when.toISOString()}`,
      }
    }
    return { kind: 'wait', ms: HEADERLESS_RATE_LIMIT_MS * 2 ** context.headerlessWaits, headerless: true, detail }
  }
  if (status === 401) return { kind: 'fail', failure: 'token-rejected', detail }
  if (status === 403 || status === 404) return { kind: 'fail', failure: 'permission-missing', detail }
  if (status >= 500) return { kind: 'retry', detail }
  return { kind: 'fail', failure: 'unexpected-answer', detail }
}

/**
 * The error marked as plugin-throttling recognises a rate limit, so that it
 * calls waitOutRateLimit and tries again: it reads only x-ratelimit-remaining
 * 0 and a secondary limit's message, not GitHub's other signs (a 429 alone, a
 * 403 with retry-after), which would otherwise end the listing unexplained.
 */
function asRateLimit(error: unknown): unknown {
  const headers = (error as { response?: { headers?: Record<string, string | undefined> } } | null)?.response?.headers
  if (headers) headers['x-ratelimit-remaining'] = '0'
  return error
}

/** An Octokit RequestError (status, response headers and data) as data, with the token redacted before anything is cut. */
function readFailure(error: unknown, redact: Redact): GitHubAnswer {
  const failure = error as {
    response?: { status?: unknown; headers?: Record<string, string | undefined>; data?: unknown }
    message?: unknown
  } | null
  const response = failure?.response
  if (response && typeof response.status === 'number')
    return { status: response.status, headers: response.headers ?? {}, message: excerpt(redact(textOf(response.data))) }
  return {
    status: null,
    headers: {},
    message: redact(`no answer: ${typeof failure?.message === 'string' ? failure.message : String(error)}`),
  }
}

interface PullRequestItem {
  /** These three are checked one by one: a bad one refuses its pull request, not the page. */
  number: unknown
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
    'number' in item &&
    typeof item.updated_at === 'string' &&
    (item.closed_at === null || typeof item.closed_at === 'string') &&
    (item.merged_at === null || typeof item.merged_at === 'string') &&
    typeof item.html_url === 'string' &&
    typeof item.head?.ref === 'string' &&
    typeof item.head?.sha === 'string'
  )
}

function isDate(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value))
}

/** What GitHub's numbers are: 1, 2, 3… A number JSON holds but an integer cannot (1e21, 1.5) is not one. */
function isPullRequestNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0
}

function closedPullRequest(item: PullRequestItem, number: number, closedAt: string): ClosedPullRequest {
  return {
    number,
    head_ref: item.head.ref,
    head_sha: item.head.sha,
    closed_at: closedAt,
    merged: item.merged_at !== null,
    html_url: item.html_url,
  }
}
