// Octokit assembled for the listing: @actions/github's, with paginate-rest's
// iterator (built in), plugin-retry and plugin-throttling; every request
// through the listing's fetch, Octokit's log through the run's log, and one
// hook that sees every attempt.
import type { getOctokit as GetOctokit } from '@actions/github'
import type { ListClosedPullRequestsOptions } from './closed-pull-requests.ts'
import type { Fetch } from './github-fetch.ts'
import { loadOctokit } from './load-octokit.ts'
import type { PageAttempts } from './page-attempts.ts'

export type GitHubClient = ReturnType<typeof GetOctokit>

/** The listing's token, tries and log lines (Octokit's debug and info lines go to `log`, its warnings and errors to `warn`). */
export interface GitHubClientOptions extends Pick<ListClosedPullRequestsOptions, 'token' | 'maxAttempts' | 'log' | 'warn'> {
  /** GITHUB_API_URL, its path ending in `/`. */
  api: URL
  fetch: Fetch
  attempts: PageAttempts
}

/** Answers plugin-retry leaves alone: errors no try changes, and rate limits, which plugin-throttling waits out. */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451]

export async function createGitHubClient(options: GitHubClientOptions): Promise<GitHubClient> {
  const { attempts } = options
  const { getOctokit, retry, throttling } = await loadOctokit()
  // The run's core redacts and escapes whatever it prints, Octokit's lines included.
  const write =
    (to: (message: string) => void) =>
    (...parts: unknown[]) =>
      to(parts.map((part) => (part instanceof Error ? part.message : String(part))).join(' '))
  // plugin-throttling awaits its handler and tries again when it resolves true; its type says void.
  const onRateLimit = (() => attempts.waitOutRateLimit()) as () => void
  const log = { debug: write(options.log), info: write(options.log), warn: write(options.warn), error: write(options.warn) }
  return getOctokit(
    options.token,
    {
      baseUrl: options.api.href.replace(/\/$/, ''),
      userAgent: 'truefoundry-artifact-cleanup',
      log,
      // @octokit/request logs a deprecated API (headers and all) through request.log, else the console: never the console.
      request: { fetch: options.fetch, log },
      // The waits are the hooks' (judge, then pause): cancellable, bounded, and logged.
      retry: { retries: options.maxAttempts - 1, retryAfterBaseValue: 0, doNotRetry: DO_NOT_RETRY },
      throttle: { onRateLimit, onSecondaryRateLimit: onRateLimit, retryAfterBaseValue: 0 },
    },
    // First, so inside the other two: it sees every attempt.
    (kit: Pick<GitHubClient, 'hook'>) =>
      kit.hook.wrap('request', async (request, requestOptions) => {
        attempts.begin()
        let response: Awaited<ReturnType<typeof request>>
        try {
          response = await request(requestOptions)
        } catch (error) {
          throw await attempts.failed(error)
        }
        return attempts.checked(response)
      }),
    retry,
    throttling,
  )
}
