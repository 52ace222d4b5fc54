import type { Deleter, DeletionStageDeps } from './deletion/deleter.ts'
import { findFiles } from './manifests/find.ts'
import { getInputs, type Inputs, type RetentionInputs } from './inputs/get-inputs.ts'
import { DEFAULT_BACKOFF } from './deletion/backoff.ts'
import type { RuleSummary } from './results/rule-summary.ts'
import { loadRetention } from './retention/load-retention.ts'
import { WORKFLOW_DIALECT, type Dialect } from './inputs/dialect.ts'
import { Ledger } from './results/ledger.ts'
import { plan, type Job } from './results/plan.ts'
import { SentVersions } from './results/sent-versions.ts'
import { report } from './report/report.ts'
import type { RunContext } from './runner/run-context.ts'
import { ResultStore } from './results/store.ts'
import type { Outcome, Result } from './results/result.ts'
import { guardCore, type Core, type GuardedCore, type TableLine } from './runner/guarded-core.ts'
import { StepFailure } from './runner/step-failure.ts'
import { targetSource, type Target, type TargetSource } from './targets/batches.ts'
import { timeSlice, type TimeSlice } from './runner/time-slice.ts'
import { readManifestFiles, validateFiles, type ManifestSource } from './manifests/check.ts'

export type { Core } from './runner/guarded-core.ts'

/** The deletion stage's own (cancel and abortInFlight included), and what the rest of the run needs. */
export interface Dependencies extends DeletionStageDeps {
  core: Core
  env: NodeJS.ProcessEnv
  workspace: string
  runContext(): Promise<RunContext>
  /** How messages name the inputs; the workflow's words unless given. */
  dialect?: Dialect
  /** A line of the results table for the log; plain text unless the command line colours it. */
  formatTableLine?: (line: TableLine) => string
  /** Where to keep the rows as they are settled, a JSON array: the `results-file` output. Without it, they are kept in memory. */
  resultsFile?: string
  /** A promise to wait for while the log is backed up, else null. */
  logBacklog?: () => Promise<void> | null
}

/**
 * inputs → files → manifests → (a batch of targets at a time) validation → plan → deletions → report.
 * The ledger keeps what each stage did, so the report has every row, whatever stops the run.
 */
export async function run(deps: Dependencies): Promise<ResultStore> {
  const core = guardCore(deps.core, deps.formatTableLine)
  const store = new ResultStore(deps.resultsFile ?? null, (message) => core.warning(message))
  const ledger = new Ledger(store, (row) => redactRow(row, core))
  let inputs: Inputs | null = null
  let targets: TargetSource | null = null
  /** The deletion stage, once a live run opens it: the summary says where deletes went; and what each retention rule did. */
  const deletion: { deleter: Deleter | null; rules: RuleSummary[] | null } = { deleter: null, rules: null }
  let failure: string | null
  let unexpected = false
  try {
    inputs = getInputs({
      read: (name) => core.getInput(name),
      env: deps.env,
      registerSecret: (secret) => core.setSecret(secret),
      dialect: deps.dialect,
    })
    if (inputs.retention) {
      failure = await runRetention(inputs, inputs.retention, ledger, { ...deps, core }, deletion)
    } else {
      targets = targetSource(inputs, { ...deps, log: (line) => core.info(line), warn: (line) => core.warning(line) })
      failure = await runStages(inputs, targets, ledger, { ...deps, core }, deletion)
    }
  } catch (error) {
    unexpected = !(error instanceof StepFailure)
    failure = unexpected
      ? `The cleanup stopped on an unexpected error: ${(error as Error).stack ?? String(error)}`
      : (error as Error).message
  }
  const results = ledger.finish(unexpected ? 'the run stopped on an unexpected error' : undefined)
  await report(
    results,
    {
      dryRun: inputs?.dryRun ?? false,
      failOnError: inputs?.failOnError ?? true,
      cancelled: deps.cancel.aborted,
      failure,
      scope: targets?.scope(results.pullRequests) ?? null,
      nothingFound: targets?.nothingFound() ?? null,
      endpoints: deletion.deleter?.endpoints() ?? [],
      rules: deletion.rules,
    },
    { ...deps, core },
  ).catch((error: Error) => core.setFailed(`Reporting the results failed: ${error.message}`))
  results.close()
  return results
}

/** Every stage after the inputs, a batch of targets at a time; returns why the step fails early, if it does. */
async function runStages(
  inputs: Inputs,
  targets: TargetSource,
  ledger: Ledger,
  deps: Dependencies,
  deletion: { deleter: Deleter | null },
): Promise<string | null> {
  const { core } = deps
  const files = await core.group('Find manifest files', () => findFiles(inputs.manifestPatterns, deps.workspace, core))
  if (files.length === 0) return noFiles(inputs, core)
  // One slice for all the checking: however big the files or the targets, the event loop gets a turn every few milliseconds.
  const slice = timeSlice()
  const sources = await readManifestFiles(files, { substituteEnv: inputs.substituteEnv }, slice)
  const check = { sources, slice, sent: new SentVersions() }

  // A dry run sends nothing, so it never loads the stage that sends.
  const deleter = (deletion.deleter = inputs.dryRun
    ? null
    : (await import('./deletion/deletion-stage.ts')).openDeletions(inputs, deps, ledger))
  // Overlapping batches: the next is listed and checked while the one before
  // is deleted, and its requests queue for the slots that batch frees. One
  // batch waits at most, so memory stays flat.
  let deleting: Promise<void> = Promise.resolve()
  try {
    for await (const batch of targets.batches) {
      const jobs: Job[] = []
      for (const target of batch.targets) jobs.push(...(await checkTarget(target, check, inputs, ledger, deps)))
      if (!deleter || jobs.length === 0) continue
      const versions = count(jobs.length, 'version')
      if (batch.overlapping === null) {
        await core.group(`Delete ${versions}`, () => deleter.delete(jobs))
        continue
      }
      // No group: the next batch's groups are written while these are deleted.
      core.info(`Deleting ${versions} of ${batch.overlapping}.`)
      const before = deleting
      deleting = deleter.delete(jobs)
      // Awaited below or in `finally`; until then a failure is held, not reported as unhandled.
      deleting.catch(() => undefined)
      await before
    }
    await deleting
  } finally {
    // Whatever stopped the listing, what was already sent to be deleted finishes first.
    await deleting.catch(() => undefined)
    deleter?.close()
  }
  return null
}

/**
 * Retention: the rule files found and checked, all or nothing; then every
 * rule's versions listed and selected (retention/apply-rules.ts), and, within
 * max-deletions, the selected versions deleted by id.
 */
async function runRetention(
  inputs: Inputs,
  retention: RetentionInputs,
  ledger: Ledger,
  deps: Dependencies,
  deletion: { deleter: Deleter | null; rules: RuleSummary[] | null },
): Promise<string | null> {
  const { core } = deps
  const files = await core.group('Find rule files', () => findFiles(retention.rulePatterns, deps.workspace, core))
  if (files.length === 0) {
    return `No retention rule files were found with the provided path: ${retention.rulePatterns.join(', ')}. Nothing was listed or deleted.`
  }
  const [sources, { applyRules, checkRuleFiles, refusedRules, unconfirmedDeletes }] = await Promise.all([
    readManifestFiles(files, { substituteEnv: false }, timeSlice()),
    loadRetention(),
  ])
  const checked = await core.group(`Validate ${count(files.length, 'rule file')}`, () => {
    const rules = checkRuleFiles(sources)
    for (const { findings } of rules) for (const { level, message, properties } of findings) core[level](message, properties)
    const invalid = rules.filter((rule) => !rule.valid).length
    core.info(`${count(rules.length, 'rule')} read, ${invalid} invalid.`)
    if (invalid > 0) core.info('Nothing will be listed or deleted: every rule must be valid before any version is.')
    return Promise.resolve(rules)
  })
  if (checked.length === 0) {
    return `The retention rule files (${files.map((file) => file.relative).join(', ')}) hold no rule: nothing was listed or deleted.`
  }
  if (checked.some((rule) => !rule.valid)) {
    for (const plan of refusedRules(checked)) ledger.planned(plan)
    return null
  }
  const rules = checked.flatMap((rule) => (rule.valid ? [rule.rule] : []))
  const { url, token } = inputs.controlPlane!
  // Listing needs the control plane's client even in a dry run.
  const { createControlPlane, openDeletions, templateUrl } = await import('./deletion/deletion-stage.ts')
  const client = (deps.connect ?? createControlPlane)({ url, token, timeoutMs: inputs.requestTimeoutMs, concurrency: inputs.concurrency })
  // How the deletes by id were answered: a run whose every answer is 404 does not pass (unconfirmedDeletes).
  const answered = { deleted: 0, notFound: 0 }
  const events = {
    sending: (job: Job) => ledger.sending(job),
    settled: (job: Job, outcome: Outcome) => {
      if (outcome.status === 'deleted') answered.deleted++
      if (outcome.status === 'not-found') answered.notFound++
      ledger.settled(job, outcome)
    },
  }
  // The deletes go through the listing's client: one pool of connections to the control plane.
  const deleter = (deletion.deleter = inputs.dryRun ? null : openDeletions(inputs, { ...deps, connect: () => client }, events))
  try {
    const policy = {
      maxAttempts: inputs.maxAttempts,
      backoff: deps.backoff ?? DEFAULT_BACKOFF,
      signal: deps.cancel,
      abortInFlight: deps.abortInFlight,
      random: deps.random ?? Math.random,
      now: deps.now ?? Date.now,
    }
    const applied = await core.group(`List the versions of ${count(rules.length, 'rule')}`, () =>
      applyRules(
        rules,
        {
          api: inputs.api,
          dryRun: inputs.dryRun,
          maxDeletions: retention.maxDeletions,
          maxDeletionsName: (deps.dialect ?? WORKFLOW_DIALECT).key('max-deletions'),
          concurrency: inputs.concurrency,
          startedAt: (deps.now ?? Date.now)(),
        },
        { client, policy, info: (line) => core.info(line), planned: (plan) => ledger.planned(plan) },
      ),
    )
    deletion.rules = applied.summaries
    if (applied.failure !== null) return applied.failure
    if (!deleter || applied.jobs.length === 0) return null
    await core.group(`Delete ${count(applied.jobs.length, 'version')}`, () => deleter.delete(applied.jobs))
    return unconfirmedDeletes(
      answered,
      deleter.endpoints().map((endpoint) => templateUrl(client, endpoint.path)),
    )
  } finally {
    // The deleter's client is this one.
    client.close()
  }
}

/** What every target is checked with: the files parsed once, the run's time slice and the versions sent so far. */
interface Checking {
  sources: ManifestSource[]
  slice: TimeSlice
  sent: SentVersions
}

/** Validation and plan for one target, its rows in the ledger; returns what is to be sent. */
function checkTarget(target: Target, checking: Checking, inputs: Inputs, ledger: Ledger, deps: Dependencies): Promise<Job[]> {
  const { core } = deps
  const { sources, slice, sent } = checking
  return core.group(target.group(count(sources.length, 'manifest file')), async () => {
    const manifests = await validateFiles(sources, { env: target.env, namedByNumber: target.namedByNumber }, core, slice)
    const invalid = manifests.filter((manifest) => !manifest.valid).length
    core.info(`${count(manifests.length, 'manifest')} read, ${invalid} invalid.`)
    if (invalid > 0 && !inputs.dryRun) core.info('Nothing will be sent: every manifest must be valid before any version is deleted.')
    return ledger.planned(plan(manifests, inputs, sent, target.pullRequest))
  })
}

/** With no file matched, if-no-files-found decides: the step's failure, or a warning or a line in the log. */
function noFiles(inputs: Inputs, core: Core): string | null {
  const message = `No files were found with the provided path: ${inputs.manifestPatterns.join(', ')}. Nothing will be deleted.`
  if (inputs.ifNoFilesFound === 'error') return message
  if (inputs.ifNoFilesFound === 'warn') core.warning(message)
  else core.info(message)
  return null
}

/** A row with every secret out of its text: manifest values may hold one by substitution, messages by a server's echo. */
function redactRow(row: Result, core: GuardedCore): Result {
  const text = (value: string | null) => (value === null ? null : core.redact(value))
  return {
    ...row,
    file: core.redact(row.file),
    ml_repo: text(row.ml_repo),
    name: text(row.name),
    version_alias: text(row.version_alias),
    id: text(row.id),
    message: core.redact(row.message),
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
