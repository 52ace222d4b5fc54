// One document of a rule file checked against the rule's schema
// (src/schema/retention-rule.schema.json), each problem an error at its line.
// An unknown key is an error, not a warning as in a manifest: a rule must mean
// exactly what it says, and a misspelt keep_latest would keep nothing.
import type { ErrorObject } from 'ajv'
import type { Finding } from '../manifests/check-file.ts'
import type { LoadedDocument } from '../manifests/fill-in.ts'
import { formatPath, type FieldPath, type Problem } from '../manifests/problems.ts'
import { closestField } from '../manifests/unknown-fields.ts'
import { describeType, isPlainObject, listWords, quote } from '../manifests/words.ts'
import ruleSchema from '../schema/retention-rule.schema.json' with { type: 'json' }
import validateRule from '../schema/rule-validator.cjs'
import type { CheckedRule, RuleKind } from './rule-file.ts'

const RULE_KEYS = Object.keys(ruleSchema.properties)
const RULE_KINDS = ruleSchema.properties.type.enum as RuleKind[]
const DEFAULT_KIND = ruleSchema.properties.type.default as RuleKind
/** Problems a rule's message and annotations show: a list of 100 bad globs stays readable. */
const MAX_SHOWN = 10
const TYPE_WORDS: Record<string, string> = { string: 'a string', integer: 'an integer', array: 'a list', object: 'a mapping' }

export function checkRule(file: string, doc: LoadedDocument): CheckedRule {
  const location = { file, document: doc.document, line: doc.line }
  // A value JSON cannot carry exactly (parse.ts) is all there is to say: the schema would judge another value.
  const problems = doc.problems.length > 0 ? doc.problems : schemaProblems(doc.value)
  if (problems.length === 0) {
    const value = doc.value as Record<string, unknown>
    const rule = {
      ...location,
      type: (value.type ?? DEFAULT_KIND) as RuleKind,
      ml_repo: value.ml_repo as string,
      name: value.name as string,
      aliases: (value.aliases ?? null) as string[] | null,
      keep_latest: (value.keep_latest ?? null) as number | null,
      older_than_days: (value.older_than_days ?? null) as number | null,
    }
    return { valid: true, rule, findings: [] }
  }
  const placed = problems.map((problem) => ({ problem, ...doc.positionOf(problem.path) }))
  placed.sort((a, b) => a.line - b.line || a.col - b.col)
  const shown = placed.slice(0, MAX_SHOWN)
  const findings: Finding[] = shown.map(({ problem, line, col }) => ({
    level: 'error',
    message: describe(problem),
    properties: { file, startLine: line, startColumn: col, title: 'Invalid retention rule' },
  }))
  const rest = placed.length - shown.length
  const message =
    shown.map(({ problem, line }) => `${describe(problem)} (line ${line})`).join('; ') +
    (rest > 0 ? `; and ${rest} more ${rest === 1 ? 'problem' : 'problems'}` : '')
  return { valid: false, ...location, ...identityOf(doc.value), message, findings }
}

/** A problem whose message names the key it is at: an unknown key, shown once, quoted. */
interface KeyProblem extends Problem {
  named: true
}

/** A problem after the path of its value, unless it is about the whole rule or names its key. */
function describe(problem: Problem | KeyProblem): string {
  return problem.path.length === 0 || 'named' in problem ? problem.message : `${formatPath(problem.path)}: ${problem.message}`
}

/** What the rule names, as far as it says: its row's columns even when it is invalid. */
function identityOf(value: unknown): { type: RuleKind | null; ml_repo: string | null; name: string | null } {
  if (!isPlainObject(value)) return { type: null, ml_repo: null, name: null }
  const text = (field: unknown) => (typeof field === 'string' ? field : null)
  const type = value.type ?? DEFAULT_KIND
  return { type: RULE_KINDS.find((kind) => kind === type) ?? null, ml_repo: text(value.ml_repo), name: text(value.name) }
}

function schemaProblems(value: unknown): Problem[] {
  if (!isPlainObject(value)) {
    return [{ path: [], message: `a rule must be a mapping of ${listWords(RULE_KEYS, 'and')}, got ${describeType(value)}` }]
  }
  if (validateRule(value)) return []
  // The branches of "keep_latest or older_than_days" each fail; their anyOf says it once.
  return (validateRule.errors ?? []).filter((error) => !error.schemaPath.startsWith('#/anyOf/')).map(toProblem)
}

function toProblem(error: ErrorObject): Problem {
  const params = error.params as Record<string, unknown>
  // A rule's values are one level deep, or an item of aliases: "/aliases/3".
  const path: FieldPath = error.instancePath
    .split('/')
    .slice(1)
    .map((part, depth) => (depth === 1 ? Number(part) : part.replaceAll('~1', '/').replaceAll('~0', '~')))
  const at = (message: string): Problem => ({ path, message })
  const limit = Number(params.limit)
  switch (error.keyword) {
    case 'additionalProperties':
      return unknownKey(String(params.additionalProperty))
    case 'required':
      return at(`missing the required key "${String(params.missingProperty)}"`)
    case 'anyOf':
      return at('a rule without keep_latest or older_than_days would delete every version: give it one of them, or both')
    case 'type':
      return at(`must be ${TYPE_WORDS[String(params.type)] ?? String(params.type)}, got ${describeType(error.data)}`)
    case 'enum':
      return at(`must be ${listWords(params.allowedValues)}, got ${quote(error.data)}`)
    case 'pattern':
      return at(`${quote(error.data)} is not a valid ${String(path[0])}: it must match ${String(params.pattern)}`)
    case 'minLength':
      return at('must not be empty')
    case 'maxLength':
      return at(`must be at most ${limit} characters, got ${[...String(error.data)].length}`)
    case 'minItems':
      return at('must hold at least one glob (a rule without aliases touches every version)')
    case 'maxItems':
      return at(`must hold at most ${limit} globs, got ${Array.isArray(error.data) ? error.data.length : 0}`)
    case 'minimum':
      return at(`must be at least ${limit}, got ${String(error.data)}`)
    case 'maximum':
      return at(`must be at most ${limit}, got ${String(error.data)}`)
    default:
      return at(error.message ?? `fails the schema's "${error.keyword}"`)
  }
}

function unknownKey(key: string): KeyProblem {
  const suggestion = closestField(key, RULE_KEYS)
  const message = suggestion
    ? `unknown key ${quote(key)}: did you mean "${suggestion}"? A rule must mean exactly what it says, so it is refused`
    : `unknown key ${quote(key)}: a rule takes ${listWords(RULE_KEYS, 'and')}, and must mean exactly what it says, so it is refused`
  return { path: [key], message, named: true }
}
