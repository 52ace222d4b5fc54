import type { ControlPlane, ControlPlaneOptions } from './control-plane.ts'
import { deleteVersions } from './deletions.ts'
import { findFiles } from './files.ts'
import { getInputs, type Dialect, type Inputs } from './inputs.ts'
import { Ledger } from './ledger.ts'
import { plan } from './plan.ts'
import { report, type RunContext } from './report.ts'
import type { Result } from './results.ts'
import type { Backoff } from './retry.ts'
import { StepFailure, withSafeLog, type Core } from './runner.ts'
import { validateFiles } from './validation.ts'

export type { Core } from './runner.ts'

export interface Dependencies {
  core: Core
  env: NodeJS.ProcessEnv
  workspace: string
  /** Aborted when the runner cancels the job: nothing new is sent. */
  cancel: AbortSignal
  /** Aborted when requests in flight must be cut short as well. */
  abortInFlight: AbortSignal
  runContext(): Promise<RunContext>
  /** How messages name the inputs; the workflow's words unless given. */
  dialect?: Dialect
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

/**
 * inputs → files → manifests → validation → plan → deletions → report.
 * The ledger keeps what each stage did, so the report has every row, whatever stops the run.
 */
export async function run(deps: Dependencies): Promise<Result[]> {
  const core = withSafeLog(deps.core)
  const ledger = new Ledger()
  let inputs: Inputs | null = null
  let failure: string | null
  let unexpected = false
  try {
    inputs = getInputs({ read: (name) => core.getInput(name), env: deps.env, registerSecret: (secret) => core.setSecret(secret), dialect: deps.dialect })
    failure = await runStages(inputs, ledger, { ...deps, core })
  } catch (error) {
    unexpected = !(error instanceof StepFailure)
    failure = unexpected ? `The cleanup stopped on an unexpected error: ${(error as Error).stack ?? String(error)}` : (error as Error).message
  }
  const results = ledger.results(unexpected ? 'the run stopped on an unexpected error' : undefined)
  await report(
    results,
    { dryRun: inputs?.dryRun ?? false, failOnError: inputs?.failOnError ?? true, cancelled: deps.cancel.aborted, failure },
    { ...deps, core },
  ).catch((error: Error) => core.setFailed(`Reporting the results failed: ${error.message}`))
  return results
}

/** Every stage after the inputs; returns why the step fails early, if it does. */
async function runStages(inputs: Inputs, ledger: Ledger, deps: Dependencies): Promise<string | null> {
  const { core } = deps
  const files = await core.group('Find manifest files', () => findFiles(inputs.manifestPatterns, deps.workspace, core))
  if (files.length === 0) return noFiles(inputs, core)

  const manifests = await core.group(`Validate ${count(files.length, 'manifest file')}`, () =>
    validateFiles(files, { substituteEnv: inputs.substituteEnv, env: deps.env }, core),
  )
  ledger.checked(manifests)
  const invalid = manifests.filter((manifest) => !manifest.valid).length
  core.info(`${count(manifests.length, 'manifest')} read, ${invalid} invalid.`)
  if (invalid > 0 && !inputs.dryRun) core.info('Nothing will be sent: every manifest must be valid before any version is deleted.')

  const planned = plan(manifests, inputs)
  ledger.planned(planned)
  if (planned.jobs.length > 0 && !inputs.dryRun) {
    await core.group(`Delete ${count(planned.jobs.length, 'version')}`, () => deleteVersions(planned.jobs, inputs, deps, ledger))
  }
  return null
}

/** With no file matched, if-no-files-found decides: the step's failure, or a warning or a line in the log. */
function noFiles(inputs: Inputs, core: Core): string | null {
  const message = `No files were found with the provided path: ${inputs.manifestPatterns.join(', ')}. No artifact versions will be deleted.`
  if (inputs.ifNoFilesFound === 'error') return message
  if (inputs.ifNoFilesFound === 'warn') core.warning(message)
  else core.info(message)
  return null
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
