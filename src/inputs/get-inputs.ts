// The inputs of a run, read once, typed and checked: a bad value fails the
// step before anything else happens, naming the input in the run's dialect.
import { WORKFLOW_DIALECT, type Dialect, type InputName } from './dialect.ts'
import { InputError } from './input-error.ts'
import { parseControlPlaneUrl, parseGitHubApiUrl } from './urls.ts'
import { fitsInHeader, parseBoolean, parseEnum, parseNumber, parsePatterns, patternLines } from './values.ts'
import type { ApiGeneration } from '../manifests/kinds.ts'

export const IF_NO_FILES_FOUND = ['warn', 'error', 'ignore'] as const
export type IfNoFilesFound = (typeof IF_NO_FILES_FOUND)[number]

/** The `api` input: `auto` asks which generation serves each kind; the others pin one (src/deletion/discovery.ts). */
export const API_CHOICES = ['auto', 'ml-v1', 'svc-v1'] as const satisfies readonly ('auto' | ApiGeneration)[]
export type ApiChoice = (typeof API_CHOICES)[number]

/** Where to send deletes: a live run always has both. */
export interface ControlPlaneInputs {
  url: URL
  token: string
}

/** A sweep over the repository's pull requests closed within the window, each with its own manifests' substitution. */
export interface SweepInputs {
  closedWithinDays: number
  githubToken: string
  owner: string
  repo: string
  /** GitHub's REST API: GITHUB_API_URL, which is GitHub Enterprise Server's own API there. */
  apiUrl: string
}

/** Retention: rule files whose rules select the versions to delete, and the most versions a run may delete. */
export interface RetentionInputs {
  rulePatterns: string[]
  maxDeletions: number
}

interface CommonInputs {
  /** Empty under retention, which reads rule files instead. */
  manifestPatterns: string[]
  /** Null outside a sweep: the run deletes what the manifests name, once. */
  sweep: SweepInputs | null
  /** Null outside retention. */
  retention: RetentionInputs | null
  failOnError: boolean
  ifNoFilesFound: IfNoFilesFound
  api: ApiChoice
  missingOk: boolean
  maxAttempts: number
  requestTimeoutMs: number
  concurrency: number
  substituteEnv: boolean
}

/** A dry run sends nothing, so it needs no control plane, but under retention it lists; a live run always has one. */
export type Inputs = CommonInputs &
  ({ dryRun: true; controlPlane?: ControlPlaneInputs } | { dryRun: false; controlPlane: ControlPlaneInputs })

export interface InputSource {
  /** The raw value, '' when not given (as the runner passes INPUT_* variables). */
  read(name: InputName): string
  env: NodeJS.ProcessEnv
  /** Called with the token before anything can be logged, so the runner masks it. */
  registerSecret(secret: string): void
  /** The workflow's words unless given. */
  dialect?: Dialect
}

const DEFAULTS: Record<Exclude<InputName, 'manifest-path' | 'retention-rules'>, string> = {
  'control-plane-url': '',
  token: '',
  api: 'auto',
  'dry-run': 'false',
  'fail-on-error': 'true',
  'if-no-files-found': 'warn',
  'missing-ok': 'true',
  'max-attempts': '5',
  'request-timeout': '30',
  concurrency: '4',
  'substitute-env': 'false',
  'closed-within-days': '',
  'github-token': '',
  'max-deletions': '100',
}

export function getInputs(source: InputSource): Inputs {
  const token = (source.read('token').trim() || source.env.TFY_API_KEY?.trim()) ?? ''
  if (token) source.registerSecret(token)
  const githubToken = source.read('github-token').trim()
  if (githubToken) source.registerSecret(githubToken)
  const dialect = source.dialect ?? WORKFLOW_DIALECT
  const say = dialect.input

  const value = (name: keyof typeof DEFAULTS) => source.read(name).trim() || DEFAULTS[name]
  const maxDeletions = parseNumber('max-deletions', value('max-deletions'), { min: 1, max: 100_000, integer: true }, say)
  const retention = parseRetention(source, maxDeletions, dialect)
  const common: CommonInputs = {
    manifestPatterns: retention ? [] : parsePatterns(source.read('manifest-path'), say),
    failOnError: parseBoolean('fail-on-error', value('fail-on-error'), say),
    ifNoFilesFound: parseEnum('if-no-files-found', value('if-no-files-found'), IF_NO_FILES_FOUND, say),
    api: parseEnum('api', value('api'), API_CHOICES, say),
    missingOk: parseBoolean('missing-ok', value('missing-ok'), say),
    maxAttempts: parseNumber('max-attempts', value('max-attempts'), { min: 1, max: 20, integer: true }, say),
    requestTimeoutMs: parseNumber('request-timeout', value('request-timeout'), { min: 0.001, max: 600, integer: false }, say) * 1000,
    concurrency: parseNumber('concurrency', value('concurrency'), { min: 1, max: 64, integer: true }, say),
    substituteEnv: parseBoolean('substitute-env', value('substitute-env'), say),
    sweep: null,
    retention,
  }
  const closedWithinDays = value('closed-within-days')
  if (closedWithinDays) common.sweep = parseSweep(closedWithinDays, githubToken, common.substituteEnv, source.env, dialect)
  const dryRun = parseBoolean('dry-run', value('dry-run'), say)
  const rawUrl = source.read('control-plane-url').trim() || source.env.TFY_HOST?.trim() || ''
  // Checked in a dry run too: the dry run is where a wrong URL should show.
  const url = rawUrl ? parseControlPlaneUrl(rawUrl, dialect) : null
  if (dryRun && !retention) return { ...common, dryRun }

  if (!url) {
    throw new InputError(
      retention
        ? `${say('control-plane-url')} is empty and TFY_HOST is not set. Retention rules list the versions on the control plane, in a dry run too: give its URL, e.g. ${dialect.example.url}.`
        : `${say('control-plane-url')} is empty and TFY_HOST is not set. Give the TrueFoundry control-plane URL, e.g. ${dialect.example.url}, or use ${dialect.example.dryRun} to only validate.`,
    )
  }
  if (!token) {
    throw new InputError(
      `${say('token')} is empty and TFY_API_KEY is not set. Pass the API key from a secret (${dialect.example.token}).${retention ? ' Retention rules list the versions on the control plane, in a dry run too.' : dialect.emptyTokenHint}`,
    )
  }
  if (!fitsInHeader(token)) {
    throw new InputError(
      `${say('token')} (or TFY_API_KEY) holds a line break or another character an HTTP header cannot carry. Check that the secret holds only the API key, on one line.`,
    )
  }
  return { ...common, dryRun, controlPlane: { url, token } }
}

/** Retention rules, when given: alone, since a step either applies rules or deletes what manifests name. */
function parseRetention(source: InputSource, maxDeletions: number, dialect: Dialect): RetentionInputs | null {
  const raw = source.read('retention-rules')
  if (patternLines(raw).length === 0) return null
  for (const other of ['manifest-path', 'closed-within-days'] as const) {
    if (source.read(other).trim() === '') continue
    throw new InputError(
      `${dialect.input('retention-rules')} and ${dialect.inline(other)} were both given: a step either applies retention rules or deletes what manifests name${other === 'closed-within-days' ? ' for closed pull requests' : ''}. Use two steps, one for each.`,
    )
  }
  return { rulePatterns: parsePatterns(raw, dialect.input, 'retention-rules'), maxDeletions }
}

function parseSweep(days: string, githubToken: string, substituteEnv: boolean, env: NodeJS.ProcessEnv, dialect: Dialect): SweepInputs {
  const say = dialect.input
  const closedWithinDays = parseNumber('closed-within-days', days, { min: 1, max: 365, integer: true }, say)
  if (!substituteEnv) {
    throw new InputError(
      `${say('closed-within-days')} sweeps the pull requests closed in the last ${closedWithinDays} days, and tells their versions apart only through substitution (\${PR_NUMBER}): without ${dialect.inline('substitute-env')} on, every pull request would name the same versions. Turn it on.`,
    )
  }
  const [owner, repo, ...rest] = (env.GITHUB_REPOSITORY ?? '').split('/')
  if (!owner || !repo || rest.length > 0) {
    throw new InputError(
      `${say('closed-within-days')} sweeps the pull requests of GITHUB_REPOSITORY (owner/name), which is ${env.GITHUB_REPOSITORY ? `"${env.GITHUB_REPOSITORY}"` : 'not set'}.`,
    )
  }
  if (!githubToken) {
    throw new InputError(
      `${say('github-token')} is empty, so the pull requests of ${owner}/${repo} cannot be listed. ${dialect.example.githubToken}`,
    )
  }
  if (!fitsInHeader(githubToken)) {
    throw new InputError(
      `${say('github-token')} holds a line break or another character an HTTP header cannot carry. Check that it holds only the token, on one line.`,
    )
  }
  const apiUrl = parseGitHubApiUrl(env, dialect)
  return { closedWithinDays, githubToken, owner, repo, apiUrl }
}
