// What a YAML scalar is as JSON data: the rules that keep a value from being
// sent as anything but what was written.
import { isScalar, type Scalar, type Schema } from 'yaml'
import { unescapeReferences, variablesIn } from './substitution.ts'
import { quote } from './words.ts'

export const CORE_TAG = 'tag:yaml.org,2002:'
/** The kind of value each tag of the core and JSON schemas resolves to; a value with any other tag has no JSON form. */
export const KIND_OF_TAG = new Map([
  ['str', 'string'],
  ['int', 'bigint'],
  ['float', 'number'],
  ['bool', 'boolean'],
  ['null', 'null'],
  ['map', 'map'],
  ['seq', 'seq'],
])
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/** Why a scalar cannot be sent as written. */
export class ScalarProblem {
  readonly message: string

  constructor(message: string) {
    this.message = message
  }
}

/** A scalar's value as JSON data, or why it has none: `written` is its text, `tag` the tag written on it. */
export function scalarValue(value: unknown, written: string, fullTag: string | undefined): unknown {
  const tag = fullTag?.startsWith(CORE_TAG) ? fullTag.slice(CORE_TAG.length) : undefined
  const kind = value === null ? 'null' : typeof value
  if (tag !== undefined && KIND_OF_TAG.get(tag) !== kind && !(tag === 'float' && kind === 'bigint')) {
    return new ScalarProblem(`is tagged !!${tag}, but ${quote(written)} is not one; remove the tag or fix the value`)
  }
  switch (typeof value) {
    case 'string':
      if (LONE_SURROGATE.test(value)) {
        return new ScalarProblem(
          'holds half of a UTF-16 surrogate pair (a \\uD800-\\uDFFF escape on its own), which is not text; write the whole character',
        )
      }
      return value
    case 'bigint':
      if (value > MAX_SAFE || value < -MAX_SAFE) return new ScalarProblem(beyondSafe(written, Number(value)))
      return Number(value)
    case 'number':
      if (!Number.isFinite(value))
        return new ScalarProblem(`is ${quote(written)}, which JSON has no number for (it would be sent as null); quote it to send text`)
      if (Math.abs(value) > Number.MAX_SAFE_INTEGER) return new ScalarProblem(beyondSafe(written, value))
      if (value === 0 && /[1-9]/.test(written.split(/[eE]/)[0] ?? '')) {
        return new ScalarProblem(`is ${quote(written)}, too small for a JSON number (it would be sent as 0); quote it to send text`)
      }
      return value === 0 ? 0 : value // -0 and 0 are one number in JSON: JSON.stringify(-0) is "0"
    case 'boolean':
      return value
    default:
      return value === null ? null : new ScalarProblem('is a value JSON has no form for')
  }
}

/** What a filled-in scalar means: its text read as the scalar alone, so it can be a number but never change the document's structure. */
export function resolve(tag: string | undefined, plain: boolean, tags: Schema['tags'], text: string): unknown {
  if (tag === '!' || (tag === undefined && !plain)) return text
  for (const candidate of tags) {
    if (candidate.collection) continue
    if (tag === undefined ? !candidate.default || !candidate.test : candidate.tag !== tag) continue
    if (candidate.test && !candidate.test.test(text)) continue
    const resolved = candidate.resolve(text, () => {}, { intAsBigInt: true })
    return isScalar(resolved) ? resolved.value : resolved // the boolean tag answers with a node
  }
  return text
}

function beyondSafe(written: string, rounded: number): string {
  return `is ${quote(written)}, beyond ${Number.MAX_SAFE_INTEGER} (2^53 - 1), the largest a JSON number holds exactly: it would be sent as ${JSON.stringify(rounded)}; quote it to send text`
}

export function shortTag(tag: string): string {
  return tag.startsWith(CORE_TAG) ? `!!${tag.slice(CORE_TAG.length)}` : tag
}

function describeScalar(value: unknown): string {
  if (value === null) return 'null (nothing)'
  if (typeof value === 'boolean') return `the boolean ${value}`
  if (typeof value === 'number' || typeof value === 'bigint') return `the number ${value}`
  return typeof value
}

/**
 * A scalar key as JSON text, or why it has none: not text, or text that would
 * not read the same. With substitute-env a key is written out: $${NAME} in it
 * is a literal ${NAME}, and a ${NAME} is refused.
 */
export function scalarKey(target: Scalar, line: number, substituteEnv: boolean): string | ScalarProblem {
  const { value } = target
  if (typeof value === 'string') {
    if (!substituteEnv) return value
    if (variablesIn(value).length > 0) {
      return new ScalarProblem(
        `has the key ${quote(value)} on line ${line}: substitute-env fills in values, not keys; write the key out (or $\${NAME} for a literal \${NAME})`,
      )
    }
    return unescapeReferences(value)
  }
  // 1, true or 1.5 as a key is the text it was written as; 0x1F, ~ or 1.0 would become other text ("31", "null", "1").
  const written = target.source ?? ''
  if ((value === null || typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') && String(value) === written)
    return written
  return new ScalarProblem(
    `has the key ${written === '' ? '(empty)' : written} on line ${line}, which YAML reads as ${describeScalar(value)}, not as the text written; quote the key to keep it as written`,
  )
}
