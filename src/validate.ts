import type { ErrorObject } from 'ajv'
import schema from './schema/artifact-manifest.schema.json' with { type: 'json' }
import validateSchema from './schema/validate-manifest.cjs'
import type { ArtifactManifest } from './manifest-types.ts'

/** A path into a manifest: object keys and array indexes. */
export type FieldPath = (string | number)[]

export interface Problem {
  /** Where the offending value is; `[]` is the whole manifest. */
  path: FieldPath
  message: string
}

export interface UnknownField {
  field: string
  suggestion: string | null
}

/** The kinds of manifest the action sends; each has its endpoint and its validator. */
export type ManifestKind = 'artifact-version'

export type Verdict =
  | {
      valid: true
      kind: ManifestKind
      manifest: ArtifactManifest
      /** The request body, serialized once here: these exact bytes are sent. */
      body: string
      unknownFields: UnknownField[]
    }
  | { valid: false; problems: Problem[]; unknownFields: UnknownField[] }

export const KNOWN_FIELDS: readonly string[] = Object.keys(schema.$defs.ArtifactManifest.properties)
const KNOWN = new Set(KNOWN_FIELDS)
/** Problems a message lists; a document can have thousands, and one message must stay readable. */
export const MAX_PROBLEMS_LISTED = 10

/** Checks one parsed document against the ArtifactManifest schema and the action's own rule. */
export function checkManifest(value: unknown): Verdict {
  if (!isPlainObject(value)) {
    return { valid: false, problems: [{ path: [], message: `must be a mapping of manifest fields, got ${describeType(value)}` }], unknownFields: [] }
  }
  const unknownFields = findUnknownFields(value)
  const problems = validateSchema(value) ? [] : (validateSchema.errors ?? []).map(toProblem)
  if (value.version === undefined && value.version_alias === undefined) {
    problems.push({
      path: [],
      message: 'names neither "version" nor "version_alias", so it does not identify one version; add one of them',
    })
  }
  if (problems.length > 0) return { valid: false, problems: dedupe(problems), unknownFields }
  let body: string
  try {
    body = JSON.stringify({ manifest: value })
  } catch (error) {
    // The loader gives JSON data; a caller passing a value that contains itself or nests thousands deep lands here.
    return { valid: false, problems: [{ path: [], message: `cannot be written as JSON: ${(error as Error).message}` }], unknownFields }
  }
  return { valid: true, kind: 'artifact-version', manifest: value as unknown as ArtifactManifest, body, unknownFields }
}

/** Every problem with its line, `; `-separated; past MAX_PROBLEMS_LISTED, a count of the rest. */
export function describeProblems(problems: Problem[], lineOf: (path: FieldPath) => number): string {
  const listed = problems.slice(0, MAX_PROBLEMS_LISTED).map((problem) => `${describeProblem(problem)} (line ${lineOf(problem.path)})`)
  const rest = problems.length - listed.length
  return rest > 0 ? `${listed.join('; ')}; and ${rest} more ${rest === 1 ? 'problem' : 'problems'}` : listed.join('; ')
}

/** `source.uri: message`, or the bare message when it is about the whole manifest. */
export function describeProblem(problem: Problem): string {
  return problem.path.length > 0 ? `${formatPath(problem.path)}: ${problem.message}` : `manifest: ${problem.message}`
}

export function formatPath(path: FieldPath): string {
  let out = ''
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part
  return out || '(manifest)'
}

function toProblem(error: ErrorObject): Problem {
  const path = parsePointer(error.instancePath)
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'required':
      return { path, message: `missing required field "${String(params.missingProperty)}"` }
    case 'type':
      return { path, message: `expected ${String(params.type)}, got ${describeType(error.data)}` }
    case 'pattern':
      return { path, message: `${quote(error.data)} does not match the pattern ${String(params.pattern)}` }
    case 'maxLength':
      return { path, message: `must be at most ${String(params.limit)} characters, got ${[...String(error.data)].length}` }
    case 'minimum':
      return { path, message: `must be at least ${String(params.limit)}, got ${String(error.data)}` }
    case 'enum':
      return { path, message: `must be ${listWords(params.allowedValues)}, got ${quote(error.data)}` }
    case 'discriminator':
      return discriminatorProblem(path, params, error)
    default:
      return { path, message: error.message ?? `fails the schema rule "${error.keyword}"` }
  }
}

function discriminatorProblem(path: FieldPath, params: Record<string, unknown>, error: ErrorObject): Problem {
  const tag = String(params.tag)
  if (params.error === 'tag' && params.tagValue === undefined) {
    return { path, message: `missing required field "${tag}"` }
  }
  const branches = (error.parentSchema?.oneOf ?? []) as { $ref: string }[]
  const allowed = branches.map((branch) => {
    const name = branch.$ref.split('/').pop() ?? ''
    const properties = (schema.$defs as Record<string, { properties?: Record<string, { enum?: string[] }> }>)[name]?.properties
    return properties?.[tag]?.enum?.[0]
  })
  return { path: [...path, tag], message: `must be ${listWords(allowed)}, got ${quote(params.tagValue)}` }
}

function parsePointer(pointer: string): FieldPath {
  if (pointer === '') return []
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((part) => (/^(0|[1-9][0-9]*)$/.test(part) ? Number(part) : part))
}

function findUnknownFields(value: Record<string, unknown>): UnknownField[] {
  return Object.keys(value)
    .filter((field) => !KNOWN.has(field))
    .map((field) => ({ field, suggestion: closestField(field) }))
}

/** The known field a typo most likely meant, by edit distance, or null when none is close. */
export function closestField(field: string): string | null {
  let best: string | null = null
  let bestDistance = Infinity
  const lowered = field.toLowerCase().replaceAll('-', '_')
  const tolerance = Math.max(1, Math.floor(field.length / 3))
  for (const known of KNOWN_FIELDS) {
    // The distance is at least the difference in length: no need to compute it for a long key.
    if (Math.abs(lowered.length - known.length) > tolerance) continue
    const distance = editDistance(lowered, known)
    if (distance < bestDistance) [best, bestDistance] = [known, distance]
  }
  return bestDistance <= tolerance ? best : null
}

/** Damerau-Levenshtein (optimal string alignment): a swap of two letters counts as one edit. Three rolling rows: it runs once per unknown field and known field. */
function editDistance(a: string, b: string): number {
  let before = new Int32Array(b.length + 1)
  let previous = Int32Array.from({ length: b.length + 1 }, (_, j) => j)
  let current = new Int32Array(b.length + 1)
  for (let i = 1; i <= a.length; i++) {
    current[0] = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1)
      current[j] = d
    }
    ;[before, previous, current] = [previous, current, before]
  }
  return previous[b.length]!
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>()
  return problems.filter((problem) => {
    const key = `${formatPath(problem.path)}\0${problem.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function describeType(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'string') return `the string ${quote(value)}`
  if (typeof value === 'number') return Number.isInteger(value) ? `the integer ${value}` : `the number ${value}`
  return `${typeof value} ${String(value)}`
}

const MAX_QUOTED = 80

/** A string in quotes, anything else as its JSON (so 1 and "1" read differently); long values cut. */
function quote(value: unknown): string {
  let text: string
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))
  } catch {
    // A value that contains itself (a YAML alias inside its own anchor) or is nested too deep to print.
    return describeType(value)
  }
  const cut = text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text
  return typeof value === 'string' ? JSON.stringify(cut) : cut
}

function listWords(values: unknown): string {
  const words = (Array.isArray(values) ? values : []).map((value) => JSON.stringify(value))
  if (words.length <= 1) return words.join('')
  return `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`
}
