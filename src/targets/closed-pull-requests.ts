// The sweep's source of pull requests: those of a repository closed within a
// window, read from GitHub's REST API through Octokit (github-client.ts), page
// by page, as an async generator so memory stays flat however many there are.
import { setTimeout as sleepFor } from 'node:timers/promises'
import { WORKFLOW_DIALECT, type Dialect } from '../inputs/dialect.ts'
import { createRedactor } from '../text/redact.ts'
import { createGitHubClient } from './github-client.ts'
import { createGitHubFetch } from './github-fetch.ts'
import { PER_PAGE, readPass, type Passes } from './listing-pass.ts'
import { ListingProgress } from './listing-progress.ts'
import { ListingWords } from './listing-words.ts'
import { PageAttempts } from './page-attempts.ts'
import type { ClosedPullRequest } from './pull-request-items.ts'

const DAY_MS = 24 * 60 * 60 * 1000
/** A page of 100 pull requests, with their two repository objects, comes to about 2 MB. */
const DEFAULT_MAX_PAGE_BYTES = 32 * 1024 * 1024
/** 100,000 pull requests. */
const DEFAULT_MAX_PAGES = 1000
/** How far GitHub's clock may be behind the runner's: a pass reads back this far before the one before began. */
const CLOCK_SKEW_MS = 5 * 60_000

export interface ListClosedPullRequestsOptions {
  token: string
  /** GitHub's REST API: GITHUB_API_URL (`https://HOST/api/v3` on GitHub Enterprise Server), as inputs/ checked it. */
  baseUrl: string
  owner: string
  repo: string
  closedWithinDays: number
  /** The end of the window, and when the listing began. */
  now: Date
  /** The run's cancellation: ends a wait or a request in flight. */
  signal: AbortSignal
  /** One line per rate-limit wait and retry. */
  log: (message: string) => void
  /** One line per pull request refused, and Octokit's own warnings (a deprecated API, say). */
  warn: (message: string) => void
  /** How messages name the inputs; the workflow's words unless given. */
  dialect?: Dialect
  /** One request, body included. */
  requestTimeoutMs: number
  /** Tries of one page when GitHub errs (5xx) or does not answer. */
  maxAttempts: number
  /** Most bytes of one page's body, decoded, that are read; lower in tests, which would otherwise send 32 MiB. */
  maxPageBytes?: number
  /** Most pages the listing reads, its passes together; lower in tests, which would otherwise serve 1,000. */
  maxPages?: number
  /** Injected for tests: rejects when the signal aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
  /** Injected for tests: compared with x-ratelimit-reset, and when each pass begins. */
  clock?: () => number
  random?: () => number
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
  const repository = `${owner}/${repo}`
  const startedAt = options.now.getTime()
  const windowStart = startedAt - options.closedWithinDays * DAY_MS
  const api = apiRoot(options.baseUrl)
  // Only for the texts the listing cuts short (an excerpt of a body, a value of GitHub's): the run's core redacts whatever it prints.
  const redact = createRedactor([options.token])
  const clock = options.clock ?? Date.now
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES
  const progress = new ListingProgress()
  const words = new ListingWords(progress, repository, api, options.dialect ?? WORKFLOW_DIALECT)

  // The proxy settings are checked before @actions/github loads: it builds its own agent from them as it loads.
  const github = await createGitHubFetch({
    api,
    signal,
    timeoutMs: options.requestTimeoutMs,
    maxBodyBytes: options.maxPageBytes ?? DEFAULT_MAX_PAGE_BYTES,
    tokenNamed: words.tokenNamed,
  })
  try {
    const attempts = new PageAttempts({
      progress,
      words,
      api,
      redact,
      signal,
      maxAttempts: options.maxAttempts,
      log: options.log,
      sleep: options.sleep ?? ((ms, abort) => sleepFor(ms, undefined, { signal: abort })),
      clock,
      random: options.random ?? Math.random,
    })
    const octokit = await createGitHubClient({ ...options, api, fetch: github.fetch, attempts })
    const passes: Passes = { progress, words, attempts, signal, startedAt, windowStart, maxPages, redact, warn: options.warn, repository }

    for (let floor = windowStart; ; progress.pass++) {
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
      for await (const inWindow of readPass(pages[Symbol.asyncIterator](), floor, passes)) {
        found += inWindow.length
        yield* inWindow
      }
      if (progress.pass > 1 && found === 0) return
      floor = passStartedAt - CLOCK_SKEW_MS
    }
  } finally {
    await github.close()
  }
}

/** GITHUB_API_URL as a URL whose path ends in `/`, so a prefix test on paths is exact. */
function apiRoot(baseUrl: string): URL {
  const url = new URL(baseUrl)
  if (!url.pathname.endsWith('/')) url.pathname += '/'
  return url
}
