import { validateHeaderValue } from 'node:http'
import { isIP } from 'node:net'
import { StepFailure } from '../runner/step-failure.ts'

export const IF_NO_FILES_FOUND = ['warn', 'error', 'ignore'] as const
export type IfNoFilesFound = (typeof IF_NO_FILES_FOUND)[number]

/** The inputs of action.yml; test/unit/inputs.test.ts keeps the two in step. */
export const INPUT_NAMES = [
  'manifest-path',
  'control-plane-url',
  'token',
  'dry-run',
  'fail-on-error',
  'if-no-files-found',
  'missing-ok',
  'max-attempts',
  'request-timeout',
  'concurrency',
  'substitute-env',
  'closed-within-days',
  'github-token',
] as const
export type InputName = (typeof INPUT_NAMES)[number]

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

interface CommonInputs {
  manifestPatterns: string[]
  /** Null outside a sweep: the run deletes what the manifests name, once. */
  sweep: SweepInputs | null
  failOnError: boolean
  ifNoFilesFound: IfNoFilesFound
  missingOk: boolean
  maxAttempts: number
  requestTimeoutMs: number
  concurrency: number
  substituteEnv: boolean
}

/** A dry run sends nothing, so it needs no control plane; a live run always has one. */
export type Inputs = CommonInputs & ({ dryRun: true } | { dryRun: false; controlPlane: ControlPlaneInputs })

/** How messages name inputs and show how to give them, in the language of where they are read. */
export interface Dialect {
  /** `Input "token"` in a workflow, `--token` on the command line: the subject of a message. */
  input: (name: InputName) => string
  /** `"token"` in a workflow, `--token` on the command line: within a sentence. */
  inline: (name: InputName) => string
  example: { url: string; token: string; dryRun: string; githubToken: string }
  /** Why a token may be empty where this dialect runs, if there is a reason. */
  emptyTokenHint: string
}

export const WORKFLOW_DIALECT: Dialect = {
  input: (name) => `Input "${name}"`,
  inline: (name) => `"${name}"`,
  example: {
    url: 'control-plane-url: ${{ vars.TFY_HOST }}',
    token: 'token: ${{ secrets.TFY_API_KEY }}',
    dryRun: 'dry-run: true',
    githubToken:
      'Leave it at its default, ${{ github.token }}, with `permissions: pull-requests: read` in the workflow, or pass a token that can read them.',
  },
  emptyTokenHint: ' Workflows run for pull requests from forks receive no secrets: skip this step for them, or set dry-run: true.',
}

export const COMMAND_LINE_DIALECT: Dialect = {
  // The command line takes the GitHub token from GITHUB_TOKEN too.
  input: (name) => (name === 'github-token' ? '--github-token (or GITHUB_TOKEN)' : `--${name}`),
  inline: (name) => `--${name}`,
  example: {
    url: 'export TFY_HOST=https://acme.truefoundry.cloud',
    token: 'export TFY_API_KEY=<your API key>',
    dryRun: '--dry-run',
    githubToken: "Pass a token that can read the repository's pull requests.",
  },
  emptyTokenHint: '',
}

/** A bad input value; the step fails before anything else happens. */
export class InputError extends StepFailure {
  override name = 'InputError'
}

export interface InputSource {
  /** The raw value, '' when not given (as the runner passes INPUT_* variables). */
  read(name: InputName): string
  env: NodeJS.ProcessEnv
  /** Called with the token before anything can be logged, so the runner masks it. */
  registerSecret(secret: string): void
  /** The workflow's words unless given. */
  dialect?: Dialect
}

const DEFAULTS: Record<Exclude<InputName, 'manifest-path'>, string> = {
  'control-plane-url': '',
  token: '',
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
}

export function getInputs(source: InputSource): Inputs {
  const token = (source.read('token').trim() || source.env.TFY_API_KEY?.trim()) ?? ''
  if (token) source.registerSecret(token)
  const githubToken = source.read('github-token').trim()
  if (githubToken) source.registerSecret(githubToken)
  const dialect = source.dialect ?? WORKFLOW_DIALECT
  const say = dialect.input

  const value = (name: Exclude<InputName, 'manifest-path'>) => source.read(name).trim() || DEFAULTS[name]
  const common: CommonInputs = {
    manifestPatterns: parsePatterns(source.read('manifest-path'), say),
    failOnError: parseBoolean('fail-on-error', value('fail-on-error'), say),
    ifNoFilesFound: parseEnum('if-no-files-found', value('if-no-files-found'), IF_NO_FILES_FOUND, say),
    missingOk: parseBoolean('missing-ok', value('missing-ok'), say),
    maxAttempts: parseNumber('max-attempts', value('max-attempts'), { min: 1, max: 20, integer: true }, say),
    requestTimeoutMs: parseNumber('request-timeout', value('request-timeout'), { min: 0.001, max: 600, integer: false }, say) * 1000,
    concurrency: parseNumber('concurrency', value('concurrency'), { min: 1, max: 64, integer: true }, say),
    substituteEnv: parseBoolean('substitute-env', value('substitute-env'), say),
    sweep: null,
  }
  const closedWithinDays = value('closed-within-days')
  if (closedWithinDays) common.sweep = parseSweep(closedWithinDays, githubToken, common.substituteEnv, source.env, dialect)
  const dryRun = parseBoolean('dry-run', value('dry-run'), say)
  const rawUrl = source.read('control-plane-url').trim() || source.env.TFY_HOST?.trim() || ''
  // Checked in a dry run too: the dry run is where a wrong URL should show.
  const url = rawUrl ? parseControlPlaneUrl(rawUrl, dialect) : null
  if (dryRun) return { ...common, dryRun }

  if (!url) {
    throw new InputError(
      `${say('control-plane-url')} is empty and TFY_HOST is not set. Give the TrueFoundry control-plane URL, e.g. ${dialect.example.url}, or use ${dialect.example.dryRun} to only validate.`,
    )
  }
  if (!token) {
    throw new InputError(
      `${say('token')} is empty and TFY_API_KEY is not set. Pass the API key from a secret (${dialect.example.token}).${dialect.emptyTokenHint}`,
    )
  }
  if (!fitsInHeader(token)) {
    throw new InputError(
      `${say('token')} (or TFY_API_KEY) holds a line break or another character an HTTP header cannot carry. Check that the secret holds only the API key, on one line.`,
    )
  }
  return { ...common, dryRun, controlPlane: { url, token } }
}

type Say = Dialect['input']

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
  // Read as @actions/github reads it while it loads (set and not empty, untrimmed), so a value it cannot parse is refused here, named, before it crashes there.
  const apiUrl = env.GITHUB_API_URL || 'https://api.github.com'
  if (apiUrl.trim() === '')
    throw new InputError(
      `GITHUB_API_URL is set to blank space. It must be ${GITHUB_API_SHAPE}; unset or empty, it is https://api.github.com.`,
    )
  parseGitHubApiUrl(apiUrl, dialect)
  return { closedWithinDays, githubToken, owner, repo, apiUrl }
}

const GITHUB_API_SHAPE = "GitHub's REST API: https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server"

/** GITHUB_API_URL, which the runner sets; checked only in a sweep, the one run that reads it. */
function parseGitHubApiUrl(raw: string, dialect: Dialect): URL {
  return parseHttpUrl(raw, {
    name: 'GITHUB_API_URL',
    shape: `It must be ${GITHUB_API_SHAPE}.`,
    schemes: 'an https:// (or http://) URL',
    credentials: `pass the token in ${dialect.inline('github-token')}`,
  })
}

/** Whether the token can go in the Authorization header; node:http would throw while sending it. */
function fitsInHeader(token: string): boolean {
  try {
    validateHeaderValue('authorization', `Bearer ${token}`)
    return true
  } catch {
    return false
  }
}

function parsePatterns(raw: string, say: Say): string[] {
  const patterns = raw
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
  if (patterns.length === 0) {
    throw new InputError(
      `${say('manifest-path')} is required: give one or more glob patterns, one per line, e.g. .truefoundry/preview/*.yaml`,
    )
  }
  if (patterns.every((pattern) => pattern.startsWith('!'))) {
    throw new InputError(`${say('manifest-path')} has only exclusions (patterns starting with "!"); add a pattern that includes files.`)
  }
  return patterns
}

const TRUE_WORDS = ['true', 'True', 'TRUE']
const FALSE_WORDS = ['false', 'False', 'FALSE']

function parseBoolean(name: InputName, raw: string, say: Say): boolean {
  if (TRUE_WORDS.includes(raw)) return true
  if (FALSE_WORDS.includes(raw)) return false
  throw new InputError(`${say(name)} must be true or false, got "${raw}".`)
}

function parseEnum<T extends string>(name: InputName, raw: string, allowed: readonly T[], say: Say): T {
  const word = raw.toLowerCase()
  if ((allowed as readonly string[]).includes(word)) return word as T
  throw new InputError(`${say(name)} must be one of ${allowed.join(', ')}, got "${raw}".`)
}

function parseNumber(name: InputName, raw: string, range: { min: number; max: number; integer: boolean }, say: Say): number {
  const number = /^[+]?(\d+\.?\d*|\.\d+)$/.test(raw) ? Number(raw) : NaN
  const kind = range.integer ? 'a whole number' : 'a number'
  if (!Number.isFinite(number) || number < range.min || number > range.max || (range.integer && !Number.isInteger(number))) {
    throw new InputError(`${say(name)} must be ${kind} from ${range.min} to ${range.max}, got "${raw}".`)
  }
  return number
}

function parseControlPlaneUrl(raw: string, dialect: Dialect): URL {
  const name = dialect.input('control-plane-url')
  const url = parseHttpUrl(raw, {
    name,
    shape: "Give the control plane's address, e.g. https://acme.truefoundry.cloud",
    schemes: 'an https:// URL',
    credentials: `pass the API key in ${dialect.inline('token')}`,
  })
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new InputError(
      `${name} uses plain http:// for ${url.hostname}; the token would cross the network unencrypted. Use https:// (http:// is allowed only for localhost, 127.0.0.0/8 and ::1).`,
    )
  }
  return url
}

interface UrlWords {
  /** The input or variable, as a message's subject. */
  name: string
  /** What a good value looks like, as a sentence. */
  shape: string
  /** The schemes accepted, for "must be …". */
  schemes: string
  /** Where credentials go instead. */
  credentials: string
}

/**
 * An http(s) URL with no user-info, query or fragment. No message repeats
 * the user-info (a user name or password, a token most often) or the query.
 */
function parseHttpUrl(raw: string, words: UrlWords): URL {
  const { name } = words
  const shown = withoutUserInfo(raw)
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new InputError(`${name} is not a URL: "${shown}". ${words.shape}`)
  }
  if (url.username || url.password || shown !== raw) {
    throw new InputError(`${name} must not carry a user name or password ("${shown}"); ${words.credentials}.`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(`${name} must be ${words.schemes}, got "${url.protocol}" in "${shown}". ${words.shape}`)
  }
  if (url.search || url.hash) {
    // Not echoed: a query is where API keys end up.
    throw new InputError(`${name} must not have a query or fragment; give only the address, e.g. "${url.origin}${url.pathname}".`)
  }
  return url
}

/**
 * The URL as given, with anything that may be a user name or password (all of
 * the authority up to its last @) replaced by ***. Works on text that does not
 * parse as a URL too, since that text is echoed in the message that says so.
 */
export function withoutUserInfo(raw: string): string {
  return raw.replace(/^([^/?#@]*\/\/)?[^/?#]*@/, (_, scheme: string | undefined) => `${scheme ?? ''}***@`)
}

export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '')
  if (host === 'localhost') return true
  if (isIP(host) === 4) return host.startsWith('127.')
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1'
  return false
}
