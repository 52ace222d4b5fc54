// What a run deletes for, from one of two sources: this run, once, with its
// own environment; or a sweep, each pull request of the repository closed
// within the window, with its number and head in the environment its
// manifests are filled in from. The run reads every source the same way; what
// differs between them is said here, in the source's own words.
import type { Inputs, SweepInputs } from '../inputs/get-inputs.ts'
import type { Dialect } from '../inputs/dialect.ts'
import type { ClosedPullRequest } from './pull-request-items.ts'

/** One target: what the manifests are checked, planned and deleted for. */
export interface Target {
  /** The log group its manifests are checked in, given their count ("2 manifest files"). */
  group(manifestFiles: string): string
  /** The pull request its rows carry (`pull_request`); null for this run's own. */
  pullRequest: number | null
  /** What `${NAME}` in the manifests is filled in from. */
  env: NodeJS.ProcessEnv
  /** Whether its manifests must name each version by the pull request's number, so that none names another's (a sweep's). */
  namedByNumber: boolean
}

/** Targets checked before their deletes go out together. */
export interface TargetBatch {
  targets: Iterable<Target>
  /**
   * Null for a run's only batch, whose deletion has a log group of its own:
   * nothing else is written meanwhile. Else what its targets are, counted
   * ("100 pull requests"), for the line that sends its deletes off while the
   * next batch is listed and checked.
   */
  overlapping: string | null
}

export interface TargetSource {
  /** A sweep's are listed as they are read; this run's one batch is at hand. */
  batches: AsyncIterable<TargetBatch> | Iterable<TargetBatch>
  /** What the summary says the run went over, given how many targets have rows; null leaves it to the run's context. */
  scope(withRows: number): string | null
  /** Once the batches ran out: what to say instead of the totals when the source found no target, else null. */
  nothingFound(): string | null
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

export function targetSource(inputs: Inputs, deps: TargetDeps): TargetSource {
  return inputs.sweep ? sweepSource(inputs, inputs.sweep, deps) : thisRun(deps.env)
}

function thisRun(env: NodeJS.ProcessEnv): TargetSource {
  const target: Target = { group: (files) => `Validate ${files}`, pullRequest: null, env, namedByNumber: false }
  return {
    batches: [{ targets: [target], overlapping: null }],
    scope: () => null,
    nothingFound: () => null,
  }
}

/** The sweep's pull requests in batches, each deleted while the next is listed: it holds one page of them at a time. */
function sweepSource(inputs: Inputs, sweep: SweepInputs, deps: TargetDeps): TargetSource {
  const { owner, repo, closedWithinDays: days } = sweep
  const window = `${days} ${days === 1 ? 'day' : 'days'}`
  let foundNone = false
  async function* batches(): AsyncGenerator<TargetBatch> {
    deps.log(`Sweeping the pull requests of ${owner}/${repo} closed in the last ${window}.`)
    const { listClosedPullRequests } = await import('./sweep-listing.ts')
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
      requestTimeoutMs: inputs.requestTimeoutMs,
      maxAttempts: inputs.maxAttempts,
      dialect: deps.dialect,
    })
    let batch: Target[] = []
    let count = 0
    for await (const pullRequest of pullRequests) {
      count++
      batch.push(pullRequestTarget(pullRequest, deps.env))
      if (batch.length === SWEEP_BATCH) {
        yield sweepBatch(batch, deps.cancel)
        batch = []
      }
    }
    if (batch.length > 0) yield sweepBatch(batch, deps.cancel)
    deps.log(
      count === 0
        ? `No pull request of ${owner}/${repo} closed in that time.`
        : `${count} closed ${count === 1 ? 'pull request' : 'pull requests'} swept.`,
    )
    foundNone = count === 0 && !deps.cancel.aborted
  }
  return {
    batches: batches(),
    scope: (withRows) => (withRows > 0 ? `a sweep of ${withRows} closed ${withRows === 1 ? 'pull request' : 'pull requests'}` : null),
    nothingFound: () =>
      foundNone
        ? `The sweep found no pull request of ${owner}/${repo} closed in the last ${window} to check: nothing was checked or deleted.`
        : null,
  }
}

function pullRequestTarget(pullRequest: ClosedPullRequest, env: NodeJS.ProcessEnv): Target {
  const { number, head_ref, head_sha, closed_at } = pullRequest
  return {
    group: (files) => `Pull request #${number} (${head_ref}, closed ${closed_at}): ${files}`,
    pullRequest: number,
    env: { ...env, PR_NUMBER: String(number), PR_HEAD_REF: head_ref, PR_HEAD_SHA: head_sha },
    namedByNumber: true,
  }
}

function sweepBatch(targets: Target[], cancel: AbortSignal): TargetBatch {
  return {
    targets: untilCancelled(targets, cancel),
    overlapping: `${targets.length} ${targets.length === 1 ? 'pull request' : 'pull requests'}`,
  }
}

/** Once cancelled, the pull requests left are not checked: the report is due within seconds. */
function* untilCancelled(targets: Target[], cancel: AbortSignal): Generator<Target> {
  for (const target of targets) {
    if (cancel.aborted) return
    yield target
  }
}
