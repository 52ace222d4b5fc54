// What the listing tests share: a stand-in GitHub per test, and a listing run
// as the sweep runs it, its lines and its failure printed through the run's
// guarded core (which redacts every secret the inputs registered).
import { afterEach, expect } from 'vitest'
import { guardCore, type Core } from '../../../src/runner/guarded-core.ts'
import { listClosedPullRequests, type ListClosedPullRequestsOptions } from '../../../src/targets/closed-pull-requests.ts'
import { GitHubListingError } from '../../../src/targets/listing-error.ts'
import type { ClosedPullRequest } from '../../../src/targets/pull-request-items.ts'
import {
  closedPullRequest,
  startStandInGitHub,
  type StandInGitHub,
  type StandInGitHubOptions,
  type StandInPullRequest,
} from '../../../fakes/stand-in-github.ts'

export const TOKEN = 'ghs_secretT0ken4f1c9a7eSweep'
export const NOW = new Date('2025-06-30T03:00:00Z')
export const cleanups: (() => unknown)[] = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

export async function standIn(pullRequests: StandInPullRequest[], options: Partial<StandInGitHubOptions> = {}): Promise<StandInGitHub> {
  const started = await startStandInGitHub({ token: TOKEN, owner: 'octo-org', repo: 'previews', pullRequests, ...options })
  cleanups.push(() => started.close())
  return started
}

/** The options the sweep passes, for a listing of octo-org/previews against `stand`. */
export function sweepOptions(stand: Pick<StandInGitHub, 'url'>, signal = new AbortController().signal): ListClosedPullRequestsOptions {
  return {
    token: TOKEN,
    baseUrl: stand.url,
    owner: 'octo-org',
    repo: 'previews',
    closedWithinDays: 7,
    now: NOW,
    signal,
    log: () => undefined,
    warn: () => undefined,
    requestTimeoutMs: 30_000,
    maxAttempts: 3,
  }
}

export interface Listing {
  pullRequests: ClosedPullRequest[]
  /** Why the listing stopped, as the step's failure prints it; null when it did not. */
  failure: string | null
  /** The log lines and warnings, as printed. */
  logs: string[]
  warnings: string[]
  sleeps: number[]
}

/** Lists through the real Octokit against `stand`; sleeps are recorded and return at once unless `sleep` is given. */
export async function list(stand: Pick<StandInGitHub, 'url'>, options: Partial<ListClosedPullRequestsOptions> = {}): Promise<Listing> {
  const listing: Listing = { pullRequests: [], failure: null, logs: [], warnings: [], sleeps: [] }
  const core = guardCore(printingTo(listing))
  core.setSecret(options.token ?? TOKEN)
  try {
    for await (const pullRequest of listClosedPullRequests({
      ...sweepOptions(stand),
      log: (message) => core.info(message),
      warn: (message) => core.warning(message),
      sleep: (ms) => Promise.resolve(void listing.sleeps.push(ms)),
      clock: () => NOW.getTime(),
      random: () => 0.5,
      ...options,
    })) {
      listing.pullRequests.push(pullRequest)
    }
  } catch (error) {
    if (!(error instanceof GitHubListingError)) throw error
    core.setFailed(error.message)
  }
  core.flushAnnotations()
  return listing
}

function printingTo(listing: Listing): Core {
  return {
    getInput: () => '',
    setSecret: () => undefined,
    info: (message) => void listing.logs.push(message),
    warning: (message) => void listing.warnings.push(message),
    error: () => undefined,
    notice: () => undefined,
    group: (_name, fn) => fn(),
    setOutput: () => undefined,
    setFailed: (message) => void (listing.failure = message),
    summary: { addRaw: () => ({ write: () => Promise.resolve() }) },
  }
}

/** `count` pull requests closed within the last `days` days, numbered from `first`. */
export function closedWithin(count: number, days: number, first = 1): StandInPullRequest[] {
  return Array.from({ length: count }, (_, i) => closedPullRequest(first + i, NOW, (days * (i + 0.5)) / count))
}

/** Nothing printed holds the token, in any form GitHub could echo it in; what was sent to `stand` did. */
export function expectNoToken(listing: Listing, stand?: StandInGitHub) {
  const text = JSON.stringify({ failure: listing.failure, logs: listing.logs, warnings: listing.warnings })
  expect(text).not.toContain(TOKEN)
  expect(text).not.toContain(encodeURIComponent(TOKEN))
  if (stand) for (const request of stand.requests) expect(request.headers.authorization).toBe(`token ${TOKEN}`)
}
