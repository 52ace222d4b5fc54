// An input's text read as the value it stands for, or refused with a message
// that names the input, quotes the value and says what it accepts.
import { validateHeaderValue } from 'node:http'
import type { Dialect, InputName } from './dialect.ts'
import { InputError } from './input-error.ts'

type Say = Dialect['input']

/** The glob patterns of an input, one a line; blank lines and `#` comments left out. */
export function patternLines(raw: string): string[] {
  return raw
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
}

export function parsePatterns(raw: string, say: Say, name: 'manifest-path' | 'retention-rules' = 'manifest-path'): string[] {
  const patterns = patternLines(raw)
  if (patterns.length === 0) {
    throw new InputError(
      `${say('manifest-path')} is required: give one or more glob patterns, one per line, e.g. .truefoundry/preview/*.yaml`,
    )
  }
  if (patterns.every((pattern) => pattern.startsWith('!'))) {
    throw new InputError(`${say(name)} has only exclusions (patterns starting with "!"); add a pattern that includes files.`)
  }
  return patterns
}

// core.getBooleanInput's words, but not core.getBooleanInput: it reads INPUT_* only (the command line reads its flags), and its message names neither the value nor the dialect's flag.
const TRUE_WORDS = ['true', 'True', 'TRUE']
const FALSE_WORDS = ['false', 'False', 'FALSE']

export function parseBoolean(name: InputName, raw: string, say: Say): boolean {
  if (TRUE_WORDS.includes(raw)) return true
  if (FALSE_WORDS.includes(raw)) return false
  throw new InputError(`${say(name)} must be true or false, got "${raw}".`)
}

export function parseEnum<T extends string>(name: InputName, raw: string, allowed: readonly T[], say: Say): T {
  const word = raw.toLowerCase()
  if ((allowed as readonly string[]).includes(word)) return word as T
  throw new InputError(`${say(name)} must be one of ${allowed.join(', ')}, got "${raw}".`)
}

export function parseNumber(name: InputName, raw: string, range: { min: number; max: number; integer: boolean }, say: Say): number {
  const number = /^[+]?(\d+\.?\d*|\.\d+)$/.test(raw) ? Number(raw) : NaN
  const kind = range.integer ? 'a whole number' : 'a number'
  if (!Number.isFinite(number) || number < range.min || number > range.max || (range.integer && !Number.isInteger(number))) {
    throw new InputError(`${say(name)} must be ${kind} from ${range.min} to ${range.max}, got "${raw}".`)
  }
  return number
}

/** Whether the token can go in the Authorization header; node:http would throw while sending it. */
export function fitsInHeader(token: string): boolean {
  try {
    validateHeaderValue('authorization', `Bearer ${token}`)
    return true
  } catch {
    return false
  }
}
