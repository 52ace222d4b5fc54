import { capAnnotations } from './annotations.ts'
import type { AnnotationProperties } from './core.ts'
import { createControlPlane, type ControlPlane, type ControlPlaneOptions } from './control-plane.ts'
import { runDeletions } from './deletions.ts'
import { findManifestFiles, type ManifestFile } from './files.ts'
import { getInputs, InputError, type Inputs } from './inputs.ts'
import { formatBytes, loadManifestFile } from './manifests.ts'
import { plan, type CheckedManifest } from './plan.ts'
import { countStatuses, oneLine, renderLogTable, renderSummary, totalsLine, type RunContext } from './report.ts'
import { isFailure, NO_IDENTITY, type Identity, type Outcome, type Result } from './results.ts'
import { DEFAULT_BACKOFF, type Backoff } from './retry.ts'
import { checkManifest, describeProblems, isPlainObject, type Verdict } from './validate.ts'

/** What the run needs of @actions/core; the command line brings its own. */
export interface Core {
  getInput(name: string): string
  setSecret(secret: string): void
  info(message: string): void
  warning(message: string, properties?: AnnotationProperties): void
  error(message: string, properties?: AnnotationProperties): void
  notice(message: string, properties?: AnnotationProperties): void
  group<T>(name: string, fn: () => Promise<T>): Promise<T>
  setOutput(name: string, value: unknown): void
  setFailed(message: string): void
  summary: { addRaw(text: string): { write(): Promise<unknown> } }
}

export interface Dependencies {
  core: Core
  env: NodeJS.ProcessEnv
  workspace: string
  /** Aborted when the runner cancels the job: nothing new is sent. */
  cancel: AbortSignal
  /** Aborted when requests in flight must be cut short as well. */
  abortInFlight: AbortSignal
  runContext(): Promise<RunContext>
  connect?(options: ControlPlaneOptions): ControlPlane
  backoff?: Backoff
  now?(): number
  random?(): number
  /** How often a long deletion phase logs its progress. */
  progressIntervalMs?: number
  /** The results table for the log; plain text unless the command line colours it. */
  formatTable?(results: Result[]): string[]
  /** Warn when the `results` output is larger than this; the runner's limit, none on the command line. */
  outputLimitBytes?: number
}

/** GitHub documents 1 MB as the most an output can hold; a step that reads a larger one may fail. */
export const OUTPUT_LIMIT_BYTES = 1_000_000

/** inputs → files → manifests → validation → plan → deletions → report */
export async function run(deps: Dependencies): Promise<Result[]> {
  const { core } = deps
  let finished: { inputs: Inputs; results: Result[] } | null = null
  try {
    const inputs = getInputs({ read: (name) => core.getInput(name), env: deps.env, registerSecret: (secret) => core.setSecret(secret) })
    const files = await core.group('Find manifest files', () => findFiles(inputs, deps))
    if (files.length === 0) return []
    const manifests = await core.group(`Validate ${files.length} manifest ${files.length === 1 ? 'file' : 'files'}`, () =>
      checkFiles(files, inputs, deps),
    )
    const { outcomes, jobs } = plan(manifests, inputs)
    if (jobs.length > 0) {
      const deleted = await core.group(`Delete ${jobs.length} artifact ${jobs.length === 1 ? 'version' : 'versions'}`, () =>
        deleteVersions(jobs, inputs, deps),
      )
      for (const [index, outcome] of deleted) outcomes[index] = outcome
    }
    finished = { inputs, results: manifests.map((manifest, index) => toResult(manifest, outcomes[index]!)) }
    return finished.results
  } catch (error) {
    core.setFailed(error instanceof InputError ? error.message : `The cleanup stopped on an unexpected error: ${(error as Error).stack ?? String(error)}`)
    return []
  } finally {
    if (finished) {
      await report(finished.results, finished.inputs, deps).catch((error: Error) =>
        core.setFailed(`Reporting the results failed: ${error.message}`),
      )
    }
  }
}

async function findFiles(inputs: Inputs, deps: Dependencies): Promise<ManifestFile[]> {
  const { core } = deps
  const files = await findManifestFiles(inputs.manifestPatterns, deps.workspace)
  const patterns = inputs.manifestPatterns.join(', ')
  if (files.length === 0) {
    const message = `No files were found with the provided path: ${patterns}. No artifact versions will be deleted.`
    if (inputs.ifNoFilesFound === 'error') core.setFailed(message)
    else if (inputs.ifNoFilesFound === 'warn') core.warning(message)
    else core.info(message)
    writeOutputs(core, [], deps.outputLimitBytes)
  } else {
    core.info(`${files.length} ${files.length === 1 ? 'file matches' : 'files match'} ${patterns}:`)
    for (const file of files) core.info(`  ${oneLine(file.relative)}`)
  }
  return files
}

async function checkFiles(files: ManifestFile[], inputs: Inputs, deps: Dependencies): Promise<CheckedManifest[]> {
  const { core } = deps
  const { annotate, finish } = capAnnotations((kind, message, properties) => core[kind](message, properties))
  const checked: CheckedManifest[] = []
  for (const file of files) {
    const loaded = await loadManifestFile(file, { substituteEnv: inputs.substituteEnv, env: deps.env })
    if (!Array.isArray(loaded)) {
      const message = `the file ${loaded.reason}`
      annotate('error', message, { file: file.relative, startLine: loaded.line, startColumn: loaded.column, title: 'Unreadable manifest file' })
      checked.push({ file: file.relative, document: 0, line: loaded.line, ...NO_IDENTITY, valid: false, message })
      continue
    }
    for (const doc of loaded) {
      const location = { file: file.relative, document: doc.document, line: doc.line }
      // A value JSON cannot carry exactly is all there is to say: the schema would judge a value that is not the one written.
      const verdict: Verdict = doc.problems.length > 0 ? { valid: false, problems: doc.problems, unknownFields: [] } : checkManifest(doc.value)
      for (const { field, suggestion } of verdict.unknownFields) {
        const { line, col } = doc.positionOf([field])
        const shown = field.length > 80 ? `${field.slice(0, 80)}…` : field
        annotate('warning', `Unknown field "${shown}"${suggestion ? `: did you mean "${suggestion}"?` : ''} The control plane does not use it.`, {
          file: file.relative,
          startLine: line,
          startColumn: col,
          title: 'Unknown manifest field',
        })
      }
      if (verdict.valid) {
        const { kind, body, manifest } = verdict
        checked.push({ ...location, ...identityOf(doc.value), valid: true, kind, body, manifest })
        continue
      }
      const message = describeProblems(verdict.problems, doc.lineOf)
      const { line, col } = doc.positionOf(verdict.problems[0]!.path)
      annotate('error', message, { file: file.relative, startLine: line, startColumn: col, title: 'Invalid artifact-version manifest' })
      checked.push({ ...location, ...identityOf(doc.value), valid: false, message })
    }
  }
  finish()
  const invalid = checked.filter((manifest) => !manifest.valid).length
  core.info(`${checked.length} ${checked.length === 1 ? 'manifest' : 'manifests'} read, ${invalid} invalid.`)
  if (invalid > 0 && !inputs.dryRun) core.info('Nothing will be sent: every manifest must be valid before any version is deleted.')
  return checked
}

async function deleteVersions(jobs: Parameters<typeof runDeletions>[0], inputs: Inputs, deps: Dependencies) {
  const { core } = deps
  const now = deps.now ?? Date.now
  const controlPlane = (deps.connect ?? createControlPlane)({
    url: inputs.controlPlaneUrl!,
    token: inputs.token,
    timeoutMs: inputs.requestTimeoutMs,
    concurrency: inputs.concurrency,
  })
  core.info(`Sending to ${inputs.controlPlaneUrl!.origin}, ${inputs.concurrency} at a time, up to ${inputs.maxAttempts} attempts each.`)
  const progressEvery = deps.progressIntervalMs ?? 10_000
  let lastProgress = now()
  let settled = 0
  let deleted = 0
  let failed = 0
  try {
    return await runDeletions(
      jobs,
      {
        concurrency: inputs.concurrency,
        maxAttempts: inputs.maxAttempts,
        missingOk: inputs.missingOk,
        backoff: deps.backoff ?? DEFAULT_BACKOFF,
        cancel: deps.cancel,
        abortInFlight: deps.abortInFlight,
      },
      {
        send: (manifest, signal) => controlPlane.deleteVersion(manifest, signal),
        now,
        random: deps.random ?? Math.random,
        onSettled(outcome) {
          settled++
          if (outcome.status === 'deleted' || outcome.status === 'not-found') deleted++
          if (outcome.status === 'failed') failed++
          if (now() - lastProgress >= progressEvery && settled < jobs.length) {
            lastProgress = now()
            core.info(`deleted ${deleted}/${jobs.length}, ${failed} failed`)
          }
        },
      },
    )
  } finally {
    controlPlane.close()
  }
}

async function report(results: Result[], inputs: Inputs, deps: Dependencies): Promise<void> {
  const { core } = deps
  const totals = countStatuses(results)
  const problems = countProblems(results)
  for (const line of (deps.formatTable ?? renderLogTable)(results)) core.info(line)
  writeOutputs(core, results, deps.outputLimitBytes)
  try {
    const context = await deps.runContext()
    await core.summary.addRaw(renderSummary(results, context, { dryRun: inputs.dryRun })).write()
  } catch (error) {
    core.warning(`The job summary could not be written: ${(error as Error).message}`)
  }
  const line = totalsLine(totals)
  core.notice(line, { title: inputs.dryRun ? 'Artifact cleanup (dry run)' : 'Artifact cleanup' })
  if (deps.cancel.aborted) {
    core.setFailed(`The cleanup was cancelled: ${line}.`)
  } else if (problems > 0 && inputs.failOnError) {
    core.setFailed(`${problems} ${problems === 1 ? 'manifest' : 'manifests'} failed or ${problems === 1 ? 'was' : 'were'} invalid: ${line}. See the table above.`)
  } else if (problems > 0) {
    core.warning(`${problems} ${problems === 1 ? 'manifest' : 'manifests'} failed or ${problems === 1 ? 'was' : 'were'} invalid (fail-on-error is false): ${line}.`)
  }
}

function writeOutputs(core: Core, results: Result[], limit: number | undefined): void {
  core.setOutput('deleted', countStatuses(results).deleted)
  core.setOutput('failed', countProblems(results))
  const json = JSON.stringify(results)
  core.setOutput('results', json)
  const bytes = Buffer.byteLength(json)
  if (limit !== undefined && bytes > limit) {
    core.warning(
      `The results output is ${formatBytes(bytes)}, more than the ${limit / 1e6} MB GitHub allows an output: a step that reads it may fail. The log above lists every manifest.`,
    )
  }
}

/** Manifests that fail the step with fail-on-error: the `failed` output. */
function countProblems(results: Result[]): number {
  return results.filter((result) => isFailure(result.status)).length
}

function toResult(manifest: CheckedManifest, outcome: Outcome): Result {
  const { file, document, line, ml_repo, name, version, version_alias } = manifest
  return { file, document, line, ml_repo, name, version, version_alias, ...outcome }
}

function identityOf(value: unknown): Identity {
  if (!isPlainObject(value)) return NO_IDENTITY
  const text = (field: unknown) => (typeof field === 'string' ? field : null)
  return {
    ml_repo: text(value.ml_repo),
    name: text(value.name),
    version: typeof value.version === 'number' && Number.isFinite(value.version) ? value.version : null,
    version_alias: text(value.version_alias),
  }
}

