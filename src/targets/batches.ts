// What a run deletes for: this run, once, with its own environment; or, in a
// sweep, each pull request of the repository closed within the window, with
// its number and head in the environment its manifests are filled in from.
import type { Inputs } from '../inputs/get-inputs.ts'
import type { Dialect } from '../inputs/dialect.ts'
import { listClosedPullRequests } from './closed-pull-requests.ts'
import type { ClosedPullRequest } from './pull-request-items.ts'

export interface Target {
  /** The swept pull request; null outside a sweep. */
  pullRequest: ClosedPullRequest | null
  /** What `${NAME}` in the manifests is filled in from. */
  env: NodeJS.ProcessEnv
}

export interface TargetDeps {
  env: NodeJS.ProcessEnv
  cancel: AbortSignal
  log: (message: string) => void
  /** A pull request GitHub listed that is refused, and what Octokit warns of. */
  warn: (message: string) => void
  /** How the listing's messages name the inputs; the workflow's words unless given. */
  dialect?: Dialect
  now?: () => number
}

/** Pull requests checked before their deletes go out together: one page of GitHub's listing. */
const SWEEP_BATCH = 100

/** The targets in batches, each deleted before the next is listed: a sweep holds one page of pull requests at a time. */
export async function* targetBatches(inputs: Inputs, deps: TargetDeps): AsyncGenerator<Target[]> {
  const { sweep } = inputs
  if (!sweep) {
    yield [{ pullRequest: null, env: deps.env }]
    return
  }
  deps.log(
    `Sweeping the pull requests of ${sweep.owner}/${sweep.repo} closed in the last ${sweep.closedWithinDays} ${sweep.closedWithinDays === 1 ? 'day' : 'days'}.`,
  )
  const pullRequests = listClosedPullRequests({
    token: sweep.githubToken,
    baseUrl: sweep.apiUrl,
    owner: sweep.owner,
    repo: sweep.repo,
    closedWithinDays: sweep.closedWithinDays,
    now: new Date((deps.now ?? Date.now)()),
    signal: deps.cancel,
    log: deps.log,
    warn: deps.warn,
    dialect: deps.dialect,
    requestTimeoutMs: inputs.requestTimeoutMs,
    maxAttempts: inputs.maxAttempts,
  })
  let batch: Target[] = []
  let count = 0
  for await (const pullRequest of pullRequests) {
    count++
    batch.push({
      pullRequest,
      env: { ...deps.env, PR_NUMBER: String(pullRequest.number), PR_HEAD_REF: pullRequest.head_ref, PR_HEAD_SHA: pullRequest.head_sha },
    })
    if (batch.length === SWEEP_BATCH) {
      yield batch
      batch = []
    }
  }
  if (batch.length > 0) yield batch
  deps.log(
    count === 0
      ? `No pull request of ${sweep.owner}/${sweep.repo} closed in that time.`
      : `${count} closed ${count === 1 ? 'pull request' : 'pull requests'} swept.`,
  )
}
