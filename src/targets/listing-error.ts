import { StepFailure } from '../runner/step-failure.ts'

/** Why listing pull requests stopped: a message for the user, printed (and redacted) by the run's core. */
export class GitHubListingError extends StepFailure {
  override readonly name = 'GitHubListingError'
}

/**
 * Ends the listing through Octokit's plugins, neither of which tries again:
 * it has no HTTP status, and plugin-retry reads from `request.request` that
 * it allows no retries.
 */
export class Stop extends Error {
  readonly failure: GitHubListingError
  readonly request = { request: {} }

  constructor(failure: GitHubListingError) {
    super(failure.message)
    this.failure = failure
  }
}
