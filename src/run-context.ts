// @actions/github's Context class on its own. The package's entry (its only
// export besides utils) also builds the octokit client at import, about 20 ms
// of every run for a heading; context.js needs nothing but fs and os.
import { Context } from '../node_modules/@actions/github/lib/context.js'
import type { RunContext } from './report.ts'

/** Repository, pull request and run link for the summary heading. */
export function readRunContext(): RunContext {
  const context = new Context()
  const repository = process.env.GITHUB_REPOSITORY ? `${context.repo.owner}/${context.repo.repo}` : null
  const runUrl = repository && context.runId ? `${context.serverUrl}/${repository}/actions/runs/${context.runId}` : null
  const pullRequest = context.payload.pull_request?.number
  return { repository, pullRequest: typeof pullRequest === 'number' ? pullRequest : null, runUrl }
}
