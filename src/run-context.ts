import type { context as githubContext } from '@actions/github'
import type { RunContext } from './report.ts'

/** The parts of @actions/github's context the summary heading reads. */
export type GitHubContext = Pick<typeof githubContext, 'runId' | 'serverUrl' | 'payload'> & { repo: { owner: string; repo: string } }

/** Repository, pull request and run link for the summary heading. */
export function readRunContext(context: GitHubContext, env: NodeJS.ProcessEnv): RunContext {
  // context.repo throws when GITHUB_REPOSITORY is not set, as outside Actions.
  const repository = env.GITHUB_REPOSITORY ? `${context.repo.owner}/${context.repo.repo}` : null
  const runUrl = repository && context.runId ? `${context.serverUrl}/${repository}/actions/runs/${context.runId}` : null
  const pullRequest = context.payload.pull_request?.number
  return { repository, pullRequest: typeof pullRequest === 'number' ? pullRequest : null, runUrl, serverUrl: context.serverUrl || null }
}
