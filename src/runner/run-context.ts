// The run's context for the summary heading, read from the runner's
// environment as @actions/github's context reads it, without loading that
// package: it builds a proxy agent from GITHUB_API_URL and the proxy variables
// as it loads, and a run that does not sweep must never fail on those.
import { open } from 'node:fs/promises'

/** Larger than any event payload GitHub sends; a file past it is not read. */
const MAX_EVENT_BYTES = 16 * 1024 * 1024

/**
 * Repository (GITHUB_REPOSITORY), pull request (the number in the event
 * payload at GITHUB_EVENT_PATH) and run link (GITHUB_SERVER_URL and
 * GITHUB_RUN_ID). What is missing or malformed is left out: the heading says
 * only what it knows.
 */
export async function readRunContext(env: NodeJS.ProcessEnv): Promise<RunContext> {
  const repository = /^[\w.-]+\/[\w.-]+$/.test(env.GITHUB_REPOSITORY ?? '') ? env.GITHUB_REPOSITORY! : null
  const serverUrl = webAddress(env.GITHUB_SERVER_URL || 'https://github.com')
  const runId = /^\d+$/.test(env.GITHUB_RUN_ID ?? '') ? env.GITHUB_RUN_ID : null
  const runUrl = repository && serverUrl && runId ? `${serverUrl}/${repository}/actions/runs/${runId}` : null
  return { repository, pullRequest: await pullRequestOf(env.GITHUB_EVENT_PATH), runUrl, serverUrl }
}

/** An http(s) address without user-info or a trailing slash, or null. */
function webAddress(text: string): string | null {
  try {
    const url = new URL(text)
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null
    return `${url.origin}${url.pathname}`.replace(/\/+$/, '')
  } catch {
    return null
  }
}

async function pullRequestOf(eventPath: string | undefined): Promise<number | null> {
  if (!eventPath) return null
  let text: string
  try {
    const file = await open(eventPath)
    try {
      const buffer = Buffer.alloc(Math.min((await file.stat()).size, MAX_EVENT_BYTES) + 1)
      const { bytesRead } = await file.read(buffer, 0, buffer.length, 0)
      if (bytesRead > MAX_EVENT_BYTES) return null
      text = buffer.toString('utf8', 0, bytesRead)
    } finally {
      await file.close()
    }
  } catch {
    return null
  }
  try {
    const number = (JSON.parse(text) as { pull_request?: { number?: unknown } } | null)?.pull_request?.number
    return typeof number === 'number' && Number.isSafeInteger(number) && number > 0 ? number : null
  } catch {
    return null
  }
}

export interface RunContext {
  /** owner/name, when known. */
  repository: string | null
  pullRequest: number | null
  runUrl: string | null
  /** https://github.com, or the GitHub Enterprise Server's address; for links to pull requests. */
  serverUrl: string | null
}
