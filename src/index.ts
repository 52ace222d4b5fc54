import * as core from '@actions/core'
import { run } from './main.ts'
import type { RunContext } from './report.ts'

/** Requests in flight may finish for this long after the runner's SIGINT; its SIGTERM follows 7.5 s after. */
const CANCEL_GRACE_MS = 4000

const cancel = new AbortController()
const abortInFlight = new AbortController()
process.once('SIGINT', () => {
  core.info('Cancelled: no new requests start; those in flight get a few seconds to finish.')
  cancel.abort()
  setTimeout(() => abortInFlight.abort(), CANCEL_GRACE_MS).unref()
})
process.once('SIGTERM', () => {
  cancel.abort()
  abortInFlight.abort()
})

await run({
  core,
  env: process.env,
  workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
  cancel: cancel.signal,
  abortInFlight: abortInFlight.signal,
  runContext,
})

/** Repository, pull request and run link for the summary heading; octokit is loaded only here. */
async function runContext(): Promise<RunContext> {
  const { context } = await import('@actions/github')
  const repository = process.env.GITHUB_REPOSITORY ? `${context.repo.owner}/${context.repo.repo}` : null
  const runUrl = repository && context.runId ? `${context.serverUrl}/${repository}/actions/runs/${context.runId}` : null
  return { repository, pullRequest: context.payload.pull_request?.number ?? null, runUrl }
}
