import * as core from '@actions/core'
import { listenForCancellation } from './cancellation.ts'
import { run } from './main.ts'
import type { RunContext } from './report.ts'

const { cancel, abortInFlight } = listenForCancellation((message) => core.info(message))

await run({
  core,
  env: process.env,
  workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
  cancel,
  abortInFlight,
  runContext,
})

/** Repository, pull request and run link for the summary heading; octokit is loaded only here. */
async function runContext(): Promise<RunContext> {
  const { context } = await import('@actions/github')
  const repository = process.env.GITHUB_REPOSITORY ? `${context.repo.owner}/${context.repo.repo}` : null
  const runUrl = repository && context.runId ? `${context.serverUrl}/${repository}/actions/runs/${context.runId}` : null
  return { repository, pullRequest: context.payload.pull_request?.number ?? null, runUrl }
}
