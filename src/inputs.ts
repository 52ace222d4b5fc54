import { validateHeaderValue } from 'node:http'
import { isIP } from 'node:net'

export const IF_NO_FILES_FOUND = ['warn', 'error', 'ignore'] as const
export type IfNoFilesFound = (typeof IF_NO_FILES_FOUND)[number]

/** The inputs of action.yml; test/inputs.test.ts keeps the two in step. */
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
] as const
export type InputName = (typeof INPUT_NAMES)[number]

export interface Inputs {
  manifestPatterns: string[]
  /** Null only in a dry run that was given no URL. */
  controlPlaneUrl: URL | null
  token: string
  dryRun: boolean
  failOnError: boolean
  ifNoFilesFound: IfNoFilesFound
  missingOk: boolean
  maxAttempts: number
  requestTimeoutMs: number
  concurrency: number
  substituteEnv: boolean
}

/** A bad input value; the step fails before anything else happens. */
export class InputError extends Error {
  override name = 'InputError'
}

export interface InputSource {
  /** The raw value, '' when not given (as the runner passes INPUT_* variables). */
  read(name: InputName): string
  env: NodeJS.ProcessEnv
  /** Called with the token before anything can be logged, so the runner masks it. */
  registerSecret(secret: string): void
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
}

export function getInputs(source: InputSource): Inputs {
  const token = (source.read('token').trim() || source.env.TFY_API_KEY?.trim()) ?? ''
  if (token) source.registerSecret(token)

  const value = (name: Exclude<InputName, 'manifest-path'>) => source.read(name).trim() || DEFAULTS[name]
  const dryRun = parseBoolean('dry-run', value('dry-run'))
  const inputs: Inputs = {
    manifestPatterns: parsePatterns(source.read('manifest-path')),
    controlPlaneUrl: null,
    token,
    dryRun,
    failOnError: parseBoolean('fail-on-error', value('fail-on-error')),
    ifNoFilesFound: parseEnum('if-no-files-found', value('if-no-files-found'), IF_NO_FILES_FOUND),
    missingOk: parseBoolean('missing-ok', value('missing-ok')),
    maxAttempts: parseNumber('max-attempts', value('max-attempts'), { min: 1, max: 20, integer: true }),
    requestTimeoutMs: parseNumber('request-timeout', value('request-timeout'), { min: 0.001, max: 600, integer: false }) * 1000,
    concurrency: parseNumber('concurrency', value('concurrency'), { min: 1, max: 64, integer: true }),
    substituteEnv: parseBoolean('substitute-env', value('substitute-env')),
  }

  const url = source.read('control-plane-url').trim() || source.env.TFY_HOST?.trim() || ''
  if (url) inputs.controlPlaneUrl = parseControlPlaneUrl(url)
  if (!dryRun) {
    if (!inputs.controlPlaneUrl) {
      throw new InputError(
        'Input "control-plane-url" is empty and TFY_HOST is not set. Give the TrueFoundry control-plane URL, e.g. control-plane-url: ${{ vars.TFY_HOST }}, or set dry-run: true to only validate.',
      )
    }
    if (!token) {
      throw new InputError(
        'Input "token" is empty and TFY_API_KEY is not set. Pass the API key from a secret (token: ${{ secrets.TFY_API_KEY }}). ' +
          'Workflows run for pull requests from forks receive no secrets: skip this step for them, or set dry-run: true.',
      )
    }
    if (!fitsInHeader(token)) {
      throw new InputError(
        'Input "token" (or TFY_API_KEY) holds a line break or another character an HTTP header cannot carry. Check that the secret holds only the API key, on one line.',
      )
    }
  }
  return inputs
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

function parsePatterns(raw: string): string[] {
  const patterns = raw
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
  if (patterns.length === 0) {
    throw new InputError('Input "manifest-path" is required: give one or more glob patterns, one per line, e.g. .truefoundry/preview/*.yaml')
  }
  if (patterns.every((pattern) => pattern.startsWith('!'))) {
    throw new InputError('Input "manifest-path" has only exclusions (lines starting with "!"); add a pattern that includes files.')
  }
  return patterns
}

const TRUE_WORDS = ['true', 'True', 'TRUE']
const FALSE_WORDS = ['false', 'False', 'FALSE']

function parseBoolean(name: InputName, raw: string): boolean {
  if (TRUE_WORDS.includes(raw)) return true
  if (FALSE_WORDS.includes(raw)) return false
  throw new InputError(`Input "${name}" must be true or false, got "${raw}".`)
}

function parseEnum<T extends string>(name: InputName, raw: string, allowed: readonly T[]): T {
  const word = raw.toLowerCase()
  if ((allowed as readonly string[]).includes(word)) return word as T
  throw new InputError(`Input "${name}" must be one of ${allowed.join(', ')}, got "${raw}".`)
}

function parseNumber(name: InputName, raw: string, range: { min: number; max: number; integer: boolean }): number {
  const number = /^[+]?(\d+\.?\d*|\.\d+)$/.test(raw) ? Number(raw) : NaN
  const kind = range.integer ? 'a whole number' : 'a number'
  const bounds = range.integer ? `from ${range.min} to ${range.max}` : `greater than 0 and at most ${range.max}`
  if (!Number.isFinite(number) || number < range.min || number > range.max || (range.integer && !Number.isInteger(number))) {
    throw new InputError(`Input "${name}" must be ${kind} ${bounds}, got "${raw}".`)
  }
  return number
}

function parseControlPlaneUrl(raw: string): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new InputError(`Input "control-plane-url" is not a URL: "${raw}". Give the control plane's address, e.g. https://acme.truefoundry.cloud`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(`Input "control-plane-url" must be an https:// URL, got "${url.protocol}" in "${raw}".`)
  }
  if (url.username || url.password) {
    throw new InputError('Input "control-plane-url" must not carry a user name or password; pass the API key in "token".')
  }
  if (url.search || url.hash) {
    // Not echoed: a query is where API keys end up.
    throw new InputError(`Input "control-plane-url" must not have a query or fragment; give only the address, e.g. "${url.origin}${url.pathname}".`)
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new InputError(
      `Input "control-plane-url" uses plain http:// for ${url.hostname}; the token would cross the network unencrypted. Use https:// (http:// is allowed only for localhost, 127.0.0.0/8 and ::1).`,
    )
  }
  return url
}

export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '')
  if (host === 'localhost') return true
  if (isIP(host) === 4) return host.startsWith('127.')
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1'
  return false
}
