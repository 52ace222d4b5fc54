import { readFile } from 'node:fs/promises'
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

/**
 * Repository, pull request and run link for the summary heading, read from the
 * runner's variables and event file as @actions/github's `context` reads them,
 * without loading octokit (about 20 ms of a dry run).
 */
async function runContext(): Promise<RunContext> {
  const { GITHUB_REPOSITORY, GITHUB_RUN_ID, GITHUB_SERVER_URL, GITHUB_EVENT_PATH } = process.env
  const repository = GITHUB_REPOSITORY ? GITHUB_REPOSITORY.split('/').slice(0, 2).join('/') : null
  const runId = Number.parseInt(GITHUB_RUN_ID ?? '', 10)
  const runUrl = repository && runId ? `${GITHUB_SERVER_URL ?? 'https://github.com'}/${repository}/actions/runs/${runId}` : null
  return { repository, pullRequest: pullRequestNumber(GITHUB_EVENT_PATH ? await readEvent(GITHUB_EVENT_PATH) : null), runUrl }
}

async function readEvent(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

function pullRequestNumber(event: unknown): number | null {
  const number = (event as { pull_request?: { number?: unknown } } | null)?.pull_request?.number
  return typeof number === 'number' ? number : null
}
