import type { ErrorObject } from 'ajv'
import {
  DEFAULT_KIND,
  fieldsOnlyIn,
  isManifestKind,
  KIND_NAMES,
  MANIFEST_KINDS,
  schemaAt,
  type ManifestKind,
  type ManifestKindSpec,
} from './kinds.ts'
import type { Manifest } from './types.ts'
import { referencesIn, type WrittenField } from './load.ts'

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

export type Verdict =
  | {
      valid: true
      /** Which kind of version it deletes: its `type`. */
      type: ManifestKind
      manifest: Manifest
      /** The request body, serialized once here: these exact bytes are sent. */
      body: string
      unknownFields: UnknownField[]
    }
  | {
      valid: false
      /** The kind it claims, when that is plain: a known `type`, or none and nothing of another kind. */
      type: ManifestKind | null
      problems: Problem[]
      unknownFields: UnknownField[]
    }

/** Problems a message lists; a document can have thousands, and one message must stay readable. */
export const MAX_PROBLEMS_LISTED = 10
const ALL_KNOWN_FIELDS = [...new Set(KIND_NAMES.flatMap((kind) => MANIFEST_KINDS[kind].knownFields))]

/** Which kind a manifest is: the one its `type` names; without `type`, the default, unless it has fields only another kind has. */
export type KindClaim = { kind: ManifestKind; problem: null } | { kind: null; problem: Problem }

export function claimKind(manifest: Record<string, unknown>): KindClaim {
  const type = manifest.type
  if (isManifestKind(type)) return { kind: type, problem: null }
  if (type !== undefined) {
    const close = typeof type === 'string' ? closestField(type, KIND_NAMES) : null
    const hint = close ? `; did you mean "${close}"?` : ''
    return { kind: null, problem: { path: ['type'], message: `must be ${listWords(KIND_NAMES)}, got ${quote(type)}${hint}` } }
  }
  for (const kind of KIND_NAMES) {
    if (kind === DEFAULT_KIND) continue
    const found = fieldsOnlyIn(kind).filter((path) => hasPath(manifest, path))
    if (found.length === 0) continue
    const fields = listWords(found.map(formatPath), 'and')
    const label = MANIFEST_KINDS[kind].label
    return {
      kind: null,
      problem: {
        path: [...found[0]!],
        message: `has no "type" but has ${fields}, ${found.length === 1 ? 'a field' : 'fields'} of a ${label} only: add "type: ${kind}" to delete a ${label} (without "type", a manifest is an ${MANIFEST_KINDS[DEFAULT_KIND].label})`,
      },
    }
  }
  return { kind: DEFAULT_KIND, problem: null }
}

/** The kind a document claims, for a row of a document judged by its loader alone. */
export function claimedKind(value: unknown): ManifestKind | null {
  return isPlainObject(value) ? claimKind(value).kind : null
}

function hasPath(value: Record<string, unknown>, path: readonly string[]): boolean {
  let node: unknown = value
  for (const part of path) {
    if (!isPlainObject(node) || !Object.hasOwn(node, part)) return false
    node = node[part]
  }
  return true
}

/**
 * Checks one parsed document: its kind by `type`, then that kind's schema
 * (generated from its OpenAPI document) and the action's own rule.
 */
export function checkManifest(value: unknown): Verdict {
  if (!isPlainObject(value)) {
    return {
      valid: false,
      type: null,
      problems: [{ path: [], message: `must be a mapping of manifest fields, got ${describeType(value)}` }],
      unknownFields: [],
    }
  }
  const claim = claimKind(value)
  return claim.kind ? checkManifestAs(MANIFEST_KINDS[claim.kind], value) : refuse(null, value, [claim.problem], ALL_KNOWN_FIELDS)
}

/** Checks a manifest against one kind's schema, whatever its `type` says: what that kind's endpoint would make of it. */
export function checkManifestAs(spec: ManifestKindSpec, value: unknown): Verdict {
  if (!isPlainObject(value)) return checkManifest(value)
  const problems = spec.validate(value) ? [] : (spec.validate.errors ?? []).map((error) => toProblem(error, spec))
  if (problems.length > 0) return refuse(spec.type, value, problems, spec.knownFields)
  const unknownFields = findUnknownFields(value, spec.knownFields)
  const identity = identityProblem(value)
  if (identity) return { valid: false, type: spec.type, problems: [identity], unknownFields }
  let body: string
  try {
    body = JSON.stringify({ manifest: value })
  } catch (error) {
    // The loader gives JSON data; a caller passing a value that contains itself or nests thousands deep lands here.
    return {
      valid: false,
      type: spec.type,
      problems: [{ path: [], message: `cannot be written as JSON: ${(error as Error).message}` }],
      unknownFields,
    }
  }
  return { valid: true, type: spec.type, manifest: value as unknown as Manifest, body, unknownFields }
}

/** An invalid verdict with every problem: the ones given and the action's own rule. */
function refuse(type: ManifestKind | null, value: Record<string, unknown>, problems: Problem[], known: readonly string[]): Verdict {
  const identity = identityProblem(value)
  return {
    valid: false,
    type,
    problems: dedupe(identity ? [...problems, identity] : problems),
    unknownFields: findUnknownFields(value, known),
  }
}

/** The action's own rule: a delete names one version. */
function identityProblem(value: Record<string, unknown>): Problem | null {
  if (value.version !== undefined || value.version_alias !== undefined) return null
  return { path: [], message: 'names neither "version" nor "version_alias", so it does not identify one version; add one of them' }
}

/** What a sweep sets for each pull request; its head's branch and commit are the author's choice, and only the number is the pull request's own. */
const CHOSEN_BY_AUTHOR: Record<string, string> = {
  PR_HEAD_REF:
    'the head branch is named by whoever opens the pull request (a fork can name it main or release), and later pull requests use the same names again, open ones included',
  PR_HEAD_SHA: 'the head commit is whatever the author pushed, which can be any commit that already exists',
}

/**
 * A sweep's rule, on a manifest as written: the version it names (by
 * `ml_repo`, `name`, and `version` or, without it, `version_alias`) is its
 * pull request's own, so it names ${PR_NUMBER}, and nothing the author of the
 * pull request chooses. Otherwise every pull request swept would delete the
 * same version, or one another pull request named.
 */
export function sweepProblems(written: (field: string) => WrittenField | null): Problem[] {
  const problems: Problem[] = []
  for (const field of ['ml_repo', 'name', 'version', 'version_alias']) {
    for (const name of new Set(written(field)?.variables ?? [])) {
      const why = CHOSEN_BY_AUTHOR[name]
      if (!why) continue
      problems.push({
        path: [field],
        message: `names \${${name}}, which a sweep may not use to name a version: ${why}, so it could name another pull request's version; only \${PR_NUMBER} is unique and not chosen by the author. Name the version with \${PR_NUMBER}; \${PR_HEAD_REF} and \${PR_HEAD_SHA} may stay in the other fields (description, metadata)`,
      })
    }
  }
  // The number picks the version when there is one: an alias beside it only names it again.
  const picking = written('version') ? 'version' : 'version_alias'
  const naming = ['ml_repo', 'name', picking]
  for (const field of naming) {
    if (!numberTouches(written(field)?.text ?? '')) continue
    problems.push({
      path: [field],
      message:
        'puts a digit or another variable right beside ${PR_NUMBER}, so one pull request could name the version of another: v0-pr1${PR_NUMBER} for pull request #1 is v0-pr11, which v0-pr${PR_NUMBER} names for #11. ' +
        'Put a character that is not a digit between ${PR_NUMBER} and the rest, e.g. v0-pr${PR_NUMBER}-try1',
    })
  }
  if (naming.some((field) => written(field)?.variables.includes('PR_NUMBER'))) return problems
  const braces = naming.some((field) => /\$PR_NUMBER(?![A-Za-z0-9_])/.test(written(field)?.text ?? ''))
    ? ' ($PR_NUMBER without braces is not filled in)'
    : ''
  const where =
    picking === 'version'
      ? 'its version is a number written out, the same for every pull request (a version_alias beside it only names that version again), and neither ml_repo nor name holds ${PR_NUMBER}'
      : 'none of ml_repo, name and version_alias holds ${PR_NUMBER}'
  problems.push({
    path: written(picking) ? [picking] : [],
    message: `names nothing that belongs to a pull request: ${where}${braces}, so the sweep would delete the same version for every pull request it sweeps. Name a version per pull request, e.g. version_alias: v0-pr\${PR_NUMBER}${picking === 'version' ? ' in place of version' : ''}`,
  })
  return problems
}

/** Whether a ${PR_NUMBER} of the text has a digit or another ${NAME} right beside it, where the number's own digits would run into others. */
function numberTouches(text: string): boolean {
  const references = referencesIn(text)
  return references.some(
    (reference, index) =>
      reference.name === 'PR_NUMBER' &&
      (/\d/.test(text[reference.start - 1] ?? '') ||
        /\d/.test(text[reference.end] ?? '') ||
        references[index - 1]?.end === reference.start ||
        references[index + 1]?.start === reference.end),
  )
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

export function formatPath(path: Readonly<FieldPath>): string {
  let out = ''
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part
  return out || '(manifest)'
}

function toProblem(error: ErrorObject, spec: ManifestKindSpec): Problem {
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
      return discriminatorProblem(path, params, error, spec)
    default:
      return { path, message: error.message ?? `fails the schema rule "${error.keyword}"` }
  }
}

function discriminatorProblem(path: FieldPath, params: Record<string, unknown>, error: ErrorObject, spec: ManifestKindSpec): Problem {
  const tag = String(params.tag)
  if (params.error === 'tag' && params.tagValue === undefined) {
    return { path, message: `missing required field "${tag}"` }
  }
  const branches = (error.parentSchema?.oneOf ?? []) as { $ref: string }[]
  const allowed = branches.map((branch) => schemaAt(spec.schema, branch.$ref).properties?.[tag]?.enum?.[0])
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

function findUnknownFields(value: Record<string, unknown>, known: readonly string[]): UnknownField[] {
  return Object.keys(value)
    .filter((field) => !known.includes(field))
    .map((field) => ({ field, suggestion: closestField(field, known) }))
}

/** The known field a typo most likely meant, by edit distance, or null when none is close. */
export function closestField(field: string, knownFields: readonly string[] = MANIFEST_KINDS[DEFAULT_KIND].knownFields): string | null {
  let best: string | null = null
  let bestDistance = Infinity
  const lowered = field.toLowerCase().replaceAll('-', '_')
  const tolerance = Math.max(1, Math.floor(field.length / 3))
  for (const known of knownFields) {
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
  if (typeof value === 'boolean') return `boolean ${value}`
  return typeof value
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

function listWords(values: unknown, conjunction: 'or' | 'and' = 'or'): string {
  const words = (Array.isArray(values) ? values : []).map((value) => JSON.stringify(value))
  if (words.length <= 1) return words.join('')
  return `${words.slice(0, -1).join(', ')} ${conjunction} ${words.at(-1)}`
}
