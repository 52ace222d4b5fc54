// A parsed document filled in for one target: its ${NAME} values from the
// target's environment, and the places of its values for annotations.
import type { ParsedDocument, ParsedFile, PathPart, Positions } from './parsed-document.ts'
import { MAX_PROBLEMS_KEPT, type FieldPath, type Problem } from './problems.ts'
import { unreadable, type UnreadableFile } from './read.ts'
import { ScalarProblem } from './json-scalars.ts'
import { Substitution, variablesIn } from './substitution.ts'

export interface LoadedDocument {
  kind: 'document'
  document: number
  line: number
  /** The document as JSON data: what JSON.parse gives back for it (plain objects and arrays, finite safe numbers, well-formed strings). */
  value: unknown
  /** Why the document cannot be sent as written (an alias inside its own anchor, a number JSON cannot carry, …); empty when it can. */
  problems: Problem[]
  /** Line of the value at `path`, or of its nearest present ancestor. */
  lineOf(path: FieldPath): number
  /** Line and column (1-based) of the same value, for annotations. */
  positionOf(path: FieldPath): { line: number; col: number }
  /** A top-level field as written, before substitution; null when the document has no such field. */
  written: (field: string) => WrittenField | null
}

/** A field as the file writes it: its text (null when it is not a scalar) and the variables its text names for substitution. */
export interface WrittenField {
  text: string | null
  variables: string[]
}

/**
 * Why a parsed file cannot be filled in from `env`: a variable it names that
 * is not set, or set but empty. Null when every one has a value (or the file
 * names none).
 */
export function unfilled(file: ParsedFile, env: NodeJS.ProcessEnv): UnreadableFile | null {
  const substitution = new Substitution(env)
  for (const doc of file.documents) {
    for (const hole of doc.holes) {
      // The message names every missing variable, and shows the place of the first.
      if (substitution.fill(hole.text) === null) substitution.firstMissing ??= hole
    }
  }
  if (substitution.missing.size === 0) return null
  const { line, col } = substitution.firstMissing!
  return unreadable(substitution.describeMissing(), line, col)
}

/**
 * One document with its ${NAME} values filled in from `env` (which unfilled
 * has found to name every one). The document as parsed is not changed: only
 * the lists and mappings on the way to a filled-in value are copied, so a
 * sweep's check of a big manifest costs what its variables cost.
 */
export function fillIn(doc: ParsedDocument, env: NodeJS.ProcessEnv): LoadedDocument {
  const { positions } = doc
  const offsetOf = (path: FieldPath) => offsetIn(positions, doc.value, path, doc.start)
  const loaded = (value: unknown, problems: Problem[]): LoadedDocument => ({
    kind: 'document',
    document: doc.document,
    line: doc.line,
    value,
    problems,
    lineOf: (path) => doc.position(offsetOf(path)).line,
    positionOf: (path) => doc.position(offsetOf(path)),
    written: (field) => writtenField(doc, field),
  })
  if (doc.holes.length === 0)
    return loaded(
      doc.value,
      withLeftOut(
        doc.problems.map(({ problem }) => problem),
        doc.problemsLeftOut,
      ),
    )

  const substitution = new Substitution(env)
  const copies = new Map<object, Record<PathPart, unknown>>()
  const copyOf = (node: object): Record<PathPart, unknown> => {
    let copy = copies.get(node)
    if (!copy) {
      copy = (Array.isArray(node) ? [...(node as unknown[])] : { ...node }) as Record<PathPart, unknown>
      copies.set(node, copy)
    }
    return copy
  }
  let root = doc.value
  const problems: Problem[] = []
  let leftOut = doc.problemsLeftOut
  let next = 0
  const keep = (problem: Problem) => {
    if (problems.length < MAX_PROBLEMS_KEPT) problems.push(problem)
    else leftOut++
  }
  for (const [index, hole] of doc.holes.entries()) {
    // Problems in source order: those found while parsing before this value, then this value's.
    while (next < doc.problems.length && doc.problems[next]!.holesBefore <= index) keep(doc.problems[next++]!.problem)
    const value = hole.value(substitution.fill(hole.text) ?? hole.text)
    const filled = value instanceof ScalarProblem ? null : value
    if (value instanceof ScalarProblem) keep({ path: hole.path, message: value.message })
    if (hole.path.length === 0) {
      root = filled
      continue
    }
    root = copyOf(root as object)
    let template = doc.value as Record<PathPart, unknown>
    let copy = root as Record<PathPart, unknown>
    for (const part of hole.path.slice(0, -1)) {
      template = template[part] as Record<PathPart, unknown>
      copy = setOwn(copy, part, copyOf(template))
    }
    setOwn(copy, hole.path.at(-1)!, filled)
  }
  while (next < doc.problems.length) keep(doc.problems[next++]!.problem)
  return loaded(root, withLeftOut(problems, leftOut))
}

/** Sets `object[key]`, and gives back the value set; "__proto__" stays an own property, as JSON.parse makes it. */
function setOwn<T>(object: Record<PathPart, unknown>, key: PathPart, value: T): T {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true })
  else object[key] = value
  return value
}

function withLeftOut(problems: Problem[], leftOut: number): Problem[] {
  return leftOut === 0
    ? problems
    : [...problems, { path: [], message: `${leftOut} more values cannot be sent as written, for the same kinds of reasons` }]
}

function writtenField(doc: ParsedDocument, field: string): WrittenField | null {
  const value = doc.value
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, field)) return null
  const hole = doc.holes.find((candidate) => candidate.path.length === 1 && candidate.path[0] === field)
  if (hole) return { text: hole.text, variables: variablesIn(hole.text) }
  const written = (value as Record<string, unknown>)[field]
  return {
    text: typeof written === 'string' || typeof written === 'number' || typeof written === 'boolean' ? String(written) : null,
    variables: [],
  }
}

/** Offset of the value at `path` (or of its nearest present ancestor) in the source. */
function offsetIn(positions: Positions, value: unknown, path: FieldPath, fallback: number): number {
  let offset = fallback
  let current = value
  for (const part of path) {
    if (typeof current !== 'object' || current === null) break
    const offsets = positions.get(current)
    const at = Array.isArray(offsets) ? offsets[Number(part)] : offsets?.get(String(part))
    if (at === undefined) break
    offset = at
    current = (current as Record<PathPart, unknown>)[part]
  }
  return offset
}
