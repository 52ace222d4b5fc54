import { readFile, stat } from 'node:fs/promises'
import {
  Composer,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  Parser,
  Scalar,
  visit,
  type Alias,
  type Document,
  type Node,
  type Schema,
} from 'yaml'
import type { ManifestFile } from './find.ts'
import { firstJsonSyntaxError } from './strict-json.ts'
import { runSliced, type TimeSlice } from '../runner/time-slice.ts'
import type { FieldPath, Problem } from './validate.ts'
import { sizeOverLimit } from '../text/format.ts'

/** Larger files are refused unread: manifests are a few hundred bytes. */
export const MAX_FILE_BYTES = 1024 * 1024
/** Values a document's aliases may stand for, in all; more is how "billion laughs" bombs work. */
export const MAX_ALIASED_VALUES = 100_000
/** Deeper values are refused: no manifest needs them, and JSON.stringify overflows its stack a few thousand levels down. Aliases can build depth the text does not show, so this holds after expansion too. */
export const MAX_DEPTH = 500
/**
 * Lists and mappings written inside one another deeper than this make the file
 * unreadable before it is parsed further: a manifest nests a few levels, and
 * yaml's parser and composer cost several times more per token when deeply nested.
 */
export const MAX_WRITTEN_DEPTH = 64
/**
 * yaml's parser and composer cost about 2 µs a token (more for a token that
 * opens a list or mapping), and 1 MiB of `1,` is 1.5 million tokens. A file
 * of 1 MiB of real manifests is under 600,000 tokens and 30,000 flow
 * collections; past these bounds a file is refused while it is parsed.
 */
export const MAX_TOKENS = 800_000
export const MAX_FLOW_COLLECTIONS = 100_000
/** Problems kept for one document; the rest are counted in one more. */
const MAX_PROBLEMS = 20

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

export interface UnreadableFile {
  kind: 'unreadable'
  line: number
  column: number
  reason: string
}

/** A manifest file parsed once for the run: each document as written, filled in for each target by fillIn. */
export interface ParsedFile {
  kind: 'parsed'
  documents: ParsedDocument[]
}

export interface ParseOptions {
  /** Values that name ${NAME} are filled in, by fillIn, from the target's environment. */
  substituteEnv: boolean
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** A manifest file's bytes, or why it is not read: refused by the file stage, too large, or unreadable. */
export async function readManifestFile(file: ManifestFile): Promise<Uint8Array | UnreadableFile> {
  if (file.refusal) return unreadable(file.refusal)
  try {
    const { size } = await stat(file.absolute)
    if (size > MAX_FILE_BYTES) {
      const shown = sizeOverLimit(size, MAX_FILE_BYTES)
      return unreadable(`is ${shown.size}, larger than the ${shown.limit} a manifest file may be`)
    }
    return await readFile(file.absolute)
  } catch (error) {
    return unreadable(`could not be read: ${(error as Error).message}`)
  }
}

/**
 * Parses file contents (no I/O), once for the run, giving way to the event
 * loop whenever `slice` is used up. A .json file must be strict JSON; a YAML
 * file is read with the YAML 1.2 core schema. Either way each document becomes
 * JSON data here, once: what cannot become JSON exactly is a problem of that
 * document, never a silent change. With substitute-env, the values that name
 * a variable are kept as written, for fillIn to fill in for each target.
 */
export function parseManifestFile(
  bytes: Uint8Array,
  fileName: string,
  options: ParseOptions,
  slice: TimeSlice,
): Promise<ParsedFile | UnreadableFile> {
  return runSliced(parseManifestSteps(bytes, fileName, options, slice), slice)
}

/** The parse as steps: a generator that yields when `slice` is due, and returns the file parsed. */
export function* parseManifestSteps(
  bytes: Uint8Array,
  fileName: string,
  options: ParseOptions,
  slice: TimeSlice,
): Generator<void, ParsedFile | UnreadableFile> {
  const isJson = fileName.toLowerCase().endsWith('.json')
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    return unreadable(`is not UTF-8 text (invalid byte sequence at offset ${firstInvalidOffset(bytes)})`)
  }
  const nul = text.indexOf('\0')
  if (nul !== -1) return unreadable(`is not a text file (NUL character on line ${lineAt(text, nul)})`)

  const lineCounter = new LineCounter()
  const position = (offset: number) => lineCounter.linePos(offset)
  if (isJson) {
    // A byte order mark is allowed before JSON (RFC 8259 lets a parser ignore it); a space keeps the offsets.
    if (text.startsWith('\uFEFF')) text = ` ${text.slice(1)}`
    if (text.trim() === '') return unreadable('holds no manifest (it is empty or only comments)')
    const error = firstJsonSyntaxError(text)
    if (error) {
      const { line, col } = positionIn(text, error.offset)
      if (error.secondValue) {
        return unreadable(
          `holds more than one JSON value (the second at line ${line}, column ${col}); a .json file is one manifest (use a .yaml file with --- for several)`,
          line,
          col,
        )
      }
      return unreadable(`is not valid JSON at line ${line}, column ${col}: ${error.reason}`, line, col)
    }
  }

  // Strict JSON is read by yaml too (with its JSON schema), for the positions of values and the source text of numbers.
  const notValid = isJson ? 'is not valid JSON' : 'is not valid YAML'
  const documents: ParsedDocument[] = []
  /** A document that cannot be expanded; a syntax error in a later document still comes first. */
  let refusal: UnreadableFile | null = null
  let index = 0
  // An alias is written with *: without one, the walk that pairs aliases with anchors is skipped.
  const mayHaveAliases = text.includes('*')
  try {
    for (const doc of composeDocuments(text, lineCounter, isJson, slice)) {
      if (doc === PAUSE) {
        yield
        continue
      }
      const error = doc.errors[0]
      if (error) {
        const { line, col } = position(error.pos[0])
        // Substitution happens after parsing: ${NAME} must itself be valid YAML where it stands.
        const hint =
          options.substituteEnv && !isJson && text.includes('${')
            ? ' (with substitute-env, a ${NAME} inside { } or [ ] must be quoted: "${NAME}")'
            : ''
        return unreadable(`${notValid}: ${firstLine(error.message)}${hint}`, line, col)
      }
      const document = index++
      if (refusal || isEmptyDocument(doc)) continue // e.g. after a trailing ---
      try {
        documents.push(convertDocument(doc, document, options.substituteEnv, position, mayHaveAliases))
      } catch (error) {
        if (!(error instanceof Refusal)) throw error
        const { line, col } = position(error.offset)
        refusal = unreadable(
          error.syntax
            ? `${notValid}: ${error.reason}`
            : `holds a document at line ${position(doc.contents?.range?.[0] ?? doc.range[0]).line} that ${error.reason}`,
          line,
          col,
        )
      }
      if (slice.due()) yield
    }
  } catch (error) {
    if (!(error instanceof TooDense)) throw error
    const { line, col } = position(error.offset)
    return unreadable(
      `${error.message} (at line ${line}), far more than manifests need, so it is not read further: ${error.message.startsWith('nests') ? 'flatten the value there, or quote it to send it as text' : 'split it into several files, or write the values out in fewer tokens'}`,
      line,
      col,
    )
  }
  if (refusal) return refusal
  if (documents.length === 0) return unreadable('holds no manifest (it is empty or only comments)')
  return { kind: 'parsed', documents }
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
    if (problems.length < MAX_PROBLEMS) problems.push(problem)
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

/** What composeDocuments yields when its slice is due, between documents. */
const PAUSE = Symbol('pause')

/** Thrown while parsing, before the nesting that costs is built. */
class TooDense extends Error {
  readonly offset: number

  constructor(offset: number, reason: string) {
    super(reason)
    this.offset = offset
  }
}

/**
 * Every document of the text, one at a time, as yaml's parseAllDocuments
 * composes them; each is dropped once converted, so a file of many documents
 * holds one at a time. Stops with TooDense where the text nests deeper than
 * MAX_WRITTEN_DEPTH or holds more than MAX_TOKENS or MAX_FLOW_COLLECTIONS,
 * before yaml builds (and pays for) the rest.
 */
function* composeDocuments(
  text: string,
  lineCounter: LineCounter,
  isJson: boolean,
  slice: TimeSlice,
): Generator<Document.Parsed | typeof PAUSE> {
  // Keys are checked for duplicates by the converter, with a set per mapping: yaml's uniqueKeys compares each key with every other.
  // logLevel error: yaml's warnings (e.g. a list used as a key) would go to stderr, which is the step's log.
  const composer = new Composer({
    uniqueKeys: false,
    prettyErrors: false,
    logLevel: 'error',
    schema: isJson ? 'json' : 'core',
    intAsBigInt: true,
  })
  const parser = new Parser(lineCounter.addNewLine)
  lineCounter.addNewLine(0)
  // The parser's stack holds the document, then each collection being built inside the one before it.
  const maxStack = MAX_WRITTEN_DEPTH + 2
  let tokens = 0
  let flowCollections = 0
  for (const lexeme of new Lexer().lex(text)) {
    const offset = parser.offset
    for (const token of parser.next(lexeme)) yield* composer.next(token)
    if (parser.stack.length > maxStack) throw new TooDense(offset, `nests lists and mappings more than ${MAX_WRITTEN_DEPTH} levels deep`)
    if (++tokens > MAX_TOKENS)
      throw new TooDense(offset, `holds more than ${MAX_TOKENS.toLocaleString('en-US')} YAML tokens (values, indicators and spaces)`)
    // A flow collection starts with a token that is only [ or {: a scalar that holds [ is a longer token, or a quoted one.
    if ((lexeme === '[' || lexeme === '{') && ++flowCollections > MAX_FLOW_COLLECTIONS) {
      throw new TooDense(
        offset,
        `holds more than ${MAX_FLOW_COLLECTIONS.toLocaleString('en-US')} lists and mappings written with [ ] or { }`,
      )
    }
    // The clock is read every few hundred tokens: each read costs about as much as a token.
    if ((tokens & 0xff) === 0 && slice.due()) yield PAUSE
  }
  for (const token of parser.end()) yield* composer.next(token)
  yield* composer.end(false, text.length)
}

/** A document as parsed: its JSON data as written, and what fillIn needs to fill it in and to place its values. */
export interface ParsedDocument {
  document: number
  line: number
  /** Where the document's value starts: the place of a path that names nothing in it. */
  start: number
  /** The document as JSON data, each value that names a variable holding its text as written. */
  value: unknown
  /** The values that name a variable (substitute-env), in source order. */
  holes: Hole[]
  /** Problems found while parsing, each with how many holes come before it in the source. */
  problems: { problem: Problem; holesBefore: number }[]
  problemsLeftOut: number
  positions: Positions
  position(offset: number): { line: number; col: number }
}

/** A scalar whose text names a variable: where it is, and what a filled-in text of it means. */
interface Hole {
  path: PathPart[]
  /** The text as written, before substitution (after YAML's or JSON's own escapes). */
  text: string
  line: number
  col: number
  /** The filled-in text read as this scalar would read it: its value, or why it cannot be sent. */
  value(filled: string): unknown
}

function convertDocument(
  doc: Document.Parsed,
  document: number,
  substituteEnv: boolean,
  position: (offset: number) => { line: number; col: number },
  mayHaveAliases: boolean,
): ParsedDocument {
  const converter = new JsonConverter(doc, substituteEnv, position, mayHaveAliases)
  const value = converter.convert(doc.contents, 0)
  const start = doc.contents?.range?.[0] ?? doc.range[0]
  return {
    document,
    line: position(start).line,
    start,
    value,
    holes: converter.holes,
    problems: converter.problems,
    problemsLeftOut: converter.problemsLeftOut,
    positions: converter.positions,
    position,
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

/** `---` followed by nothing (or only comments) parses as a null scalar with no source text. */
function isEmptyDocument(doc: Document): boolean {
  const contents = doc.contents
  return contents === null || (isScalar(contents) && contents.value === null && contents.source === '')
}

/** What makes a whole file unusable, found while converting one of its documents. */
class Refusal extends Error {
  readonly offset: number
  readonly reason: string
  /** Broken syntax ("is not valid YAML: …") rather than a document that cannot be expanded. */
  readonly syntax: boolean

  constructor(offset: number, reason: string, syntax: boolean) {
    super(reason)
    this.offset = offset
    this.reason = reason
    this.syntax = syntax
  }
}

type PathPart = string | number
/** Offset of each key or item in the source, by the object (keys) or array (indexes) that holds it. */
type Positions = Map<object, Map<string, number> | number[]>

const CORE_TAG = 'tag:yaml.org,2002:'
/** The kind of value each tag of the core and JSON schemas resolves to; a value with any other tag has no JSON form. */
const KIND_OF_TAG = new Map([
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

/**
 * Turns one parsed document into JSON data, in one walk of its nodes, noting
 * where each key and item came from. Anything JSON would change (a number
 * rounded, Infinity turned to null, a key retyped, a value that contains
 * itself) becomes a problem naming the field instead.
 */
class JsonConverter {
  readonly problems: { problem: Problem; holesBefore: number }[] = []
  problemsLeftOut = 0
  readonly holes: Hole[] = []
  /** Kept with the value for lineOf; a strong map costs the garbage collector less than a WeakMap of as many entries. */
  readonly positions: Positions = new Map()
  /** Where the value being converted sits. Copied only into problems. */
  private readonly path: PathPart[] = []
  /** The node each alias stands for: the nearest anchor of its name before it, found in one walk. */
  private readonly targets = new Map<Alias, Node>()
  /** Collections being converted: an alias to one of them is a value inside itself. */
  private readonly open = new Set<Node>()
  private aliasDepth = 0
  private aliasedValues = 0

  private readonly tags: Schema['tags']
  private readonly substituteEnv: boolean
  private readonly position: (offset: number) => { line: number; col: number }

  constructor(doc: Document, substituteEnv: boolean, position: (offset: number) => { line: number; col: number }, mayHaveAliases: boolean) {
    this.tags = doc.schema.tags
    this.substituteEnv = substituteEnv
    this.position = position
    const anchors = new Map<string, Node>()
    if (!mayHaveAliases) return
    visit(doc, {
      Node: (_key, node) => {
        if (isAlias(node)) {
          const target = anchors.get(node.source)
          if (target) this.targets.set(node, target)
        } else if (node.anchor) {
          anchors.set(node.anchor, node)
        }
      },
    })
  }

  convert(node: unknown, depth: number): unknown {
    if (node === null || node === undefined) return null // `key:` with no value
    if (depth > MAX_DEPTH)
      return this.problem(`is nested more than ${MAX_DEPTH} levels deep; no manifest needs that, and JSON tools refuse it`)
    if (isAlias(node)) return this.expand(node, depth)
    if (this.aliasDepth > 0 && ++this.aliasedValues > MAX_ALIASED_VALUES) {
      throw new Refusal(
        rangeStart(node) ?? 0,
        `cannot be expanded: its aliases stand for more than ${MAX_ALIASED_VALUES.toLocaleString('en-US')} values, the mark of an alias bomb; write the values out`,
        false,
      )
    }
    const tag = (node as Node).tag
    if (tag !== undefined && tag !== '!' && !(tag.startsWith(CORE_TAG) && KIND_OF_TAG.has(tag.slice(CORE_TAG.length)))) {
      return this.problem(`is tagged ${shortTag(tag)}, a type JSON does not have; remove the tag (and quote the value to send it as text)`)
    }
    if (isScalar(node)) return this.scalar(node)
    if (isMap(node)) return this.mapping(node.items, node, depth)
    if (isSeq(node)) return this.sequence(node.items, node, depth)
    return this.problem('is not a value JSON can hold')
  }

  private expand(alias: Alias, depth: number): unknown {
    const target = this.targets.get(alias)
    if (!target) return this.problem(`is an alias (*${alias.source}) with no anchor &${alias.source} before it`)
    if (this.open.has(target)) {
      return this.problem(
        `is an alias (*${alias.source}) inside the very value its anchor &${alias.source} names, so the value would contain itself, which JSON cannot hold; write the inner value out`,
      )
    }
    this.aliasDepth++
    try {
      return this.convert(target, depth)
    } finally {
      this.aliasDepth--
    }
  }

  private mapping(pairs: { key: unknown; value: unknown }[], node: Node, depth: number): Record<string, unknown> {
    const object: Record<string, unknown> = {}
    const offsets = new Map<string, number>()
    this.positions.set(object, offsets)
    this.open.add(node)
    for (const pair of pairs) {
      const key = this.key(pair.key)
      if (key === null) continue
      const offset = rangeStart(pair.key) ?? rangeStart(node) ?? 0
      const earlier = offsets.get(key)
      if (earlier !== undefined) {
        throw new Refusal(
          offset,
          `the key ${quoteText(key)} appears twice in one mapping (lines ${this.lineOf(earlier)} and ${this.lineOf(offset)}), and only one value would be used; remove one`,
          true,
        )
      }
      offsets.set(key, offset)
      this.path.push(key)
      const value = this.convert(pair.value, depth + 1)
      this.path.pop()
      // JSON.parse makes "__proto__" an own property; plain assignment would set the prototype instead.
      if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true })
      else object[key] = value
    }
    this.open.delete(node)
    return object
  }

  private sequence(items: unknown[], node: Node, depth: number): unknown[] {
    const array: unknown[] = []
    const offsets: number[] = []
    this.positions.set(array, offsets)
    this.open.add(node)
    for (const [index, item] of items.entries()) {
      offsets.push(rangeStart(item) ?? rangeStart(node) ?? 0)
      this.path.push(index)
      array.push(this.convert(item, depth + 1))
      this.path.pop()
    }
    this.open.delete(node)
    return array
  }

  /** A key as JSON text, or null (and a problem) when it is not text or would not read the same. */
  private key(node: unknown): string | null {
    const target = isAlias(node) ? this.targets.get(node) : node
    const line = this.lineOf(rangeStart(node) ?? 0)
    if (!isScalar(target)) {
      const what = isMap(target) ? 'a mapping' : isSeq(target) ? 'a list' : 'nothing'
      this.problem(`has a key on line ${line} that is ${what}; JSON keys are text`)
      return null
    }
    const { value } = target
    if (typeof value === 'string') {
      if (!this.substituteEnv) return value
      if (variablesIn(value).length > 0) {
        this.problem(
          `has the key ${quoteText(value)} on line ${line}: substitute-env fills in values, not keys; write the key out (or $\${NAME} for a literal \${NAME})`,
        )
        return null
      }
      return unescapeReferences(value)
    }
    // 1, true or 1.5 as a key is the text it was written as; 0x1F, ~ or 1.0 would become other text ("31", "null", "1").
    const written = target.source ?? ''
    if (
      (value === null || typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') &&
      String(value) === written
    )
      return written
    this.problem(
      `has the key ${written === '' ? '(empty)' : written} on line ${line}, which YAML reads as ${describeScalar(value)}, not as the text written; quote the key to keep it as written`,
    )
    return null
  }

  private scalar(node: Scalar): unknown {
    const { value, tag } = node
    if (typeof value === 'string' && this.substituteEnv && value.includes('${')) {
      // Filled in for each target by fillIn; until then the value is its text as written.
      const { tags } = this
      const plain = node.type === Scalar.PLAIN
      this.holes.push({
        path: [...this.path],
        text: value,
        ...this.position(rangeStart(node) ?? 0),
        value: (filled) => scalarValue(resolve(tag, plain, tags, filled), filled, tag),
      })
      return value
    }
    const checked = scalarValue(value, node.source ?? '', tag)
    return checked instanceof ScalarProblem ? this.problem(checked.message) : checked
  }

  private lineOf(offset: number): number {
    return this.position(offset).line
  }

  private problem(message: string): null {
    if (this.problems.length < MAX_PROBLEMS)
      this.problems.push({ problem: { path: [...this.path], message }, holesBefore: this.holes.length })
    else this.problemsLeftOut++
    return null
  }
}

/** Why a scalar cannot be sent as written. */
class ScalarProblem {
  readonly message: string

  constructor(message: string) {
    this.message = message
  }
}

/** A scalar's value as JSON data, or why it has none: `written` is its text, `tag` the tag written on it. */
function scalarValue(value: unknown, written: string, fullTag: string | undefined): unknown {
  const tag = fullTag?.startsWith(CORE_TAG) ? fullTag.slice(CORE_TAG.length) : undefined
  const kind = value === null ? 'null' : typeof value
  if (tag !== undefined && KIND_OF_TAG.get(tag) !== kind && !(tag === 'float' && kind === 'bigint')) {
    return new ScalarProblem(`is tagged !!${tag}, but ${quoteText(written)} is not one; remove the tag or fix the value`)
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
        return new ScalarProblem(`is ${quoteText(written)}, which JSON has no number for (it would be sent as null); quote it to send text`)
      if (Math.abs(value) > Number.MAX_SAFE_INTEGER) return new ScalarProblem(beyondSafe(written, value))
      if (value === 0 && /[1-9]/.test(written.split(/[eE]/)[0] ?? '')) {
        return new ScalarProblem(`is ${quoteText(written)}, too small for a JSON number (it would be sent as 0); quote it to send text`)
      }
      return value === 0 ? 0 : value // -0 and 0 are one number in JSON: JSON.stringify(-0) is "0"
    case 'boolean':
      return value
    default:
      return value === null ? null : new ScalarProblem('is a value JSON has no form for')
  }
}

/** What a filled-in scalar means: its text read as the scalar alone, so it can be a number but never change the document's structure. */
function resolve(tag: string | undefined, plain: boolean, tags: Schema['tags'], text: string): unknown {
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
  return `is ${quoteText(written)}, beyond ${Number.MAX_SAFE_INTEGER} (2^53 - 1), the largest a JSON number holds exactly: it would be sent as ${JSON.stringify(rounded)}; quote it to send text`
}

function rangeStart(node: unknown): number | undefined {
  return (node as { range?: [number, number, number] } | null)?.range?.[0]
}

function shortTag(tag: string): string {
  return tag.startsWith(CORE_TAG) ? `!!${tag.slice(CORE_TAG.length)}` : tag
}

function describeScalar(value: unknown): string {
  if (value === null) return 'null (nothing)'
  if (typeof value === 'boolean') return `the boolean ${value}`
  if (typeof value === 'number' || typeof value === 'bigint') return `the number ${value}`
  return typeof value
}

/** Text in quotes for a message, cut when long. */
function quoteText(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)
}

const ENV_REFERENCE = /\$(\$?)\{([^}\n]*)\}/g
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * substitute-env: ${NAME} in a value is replaced with the variable's value;
 * $${NAME} stays a literal ${NAME}. A variable that is not set, or set to the
 * empty string, is not replaced and makes the file invalid.
 */
class Substitution {
  /** Names not filled in, in the order met, and whether each was set but empty. */
  readonly missing = new Map<string, { empty: boolean }>()
  /** Where the first value with a name not filled in stands. */
  firstMissing: { line: number; col: number } | null = null

  private readonly env: NodeJS.ProcessEnv

  constructor(env: NodeJS.ProcessEnv) {
    this.env = env
  }

  /** The text filled in; null, with the names noted in `missing`, when one of them has no value. */
  fill(text: string): string | null {
    let complete = true
    const filled = text.replace(ENV_REFERENCE, (match, escape: string, name: string) => {
      if (escape) return match.slice(1)
      const value = ENV_NAME.test(name) ? this.env[name] : undefined
      if (value) return value
      complete = false
      if (!this.missing.has(name)) this.missing.set(name, { empty: value === '' })
      return match
    })
    return complete ? filled : null
  }

  describeMissing(): string {
    const unset = [...this.missing].filter(([, { empty }]) => !empty).map(([name]) => `\${${name}}`)
    const empty = [...this.missing].filter(([, { empty }]) => empty).map(([name]) => `\${${name}}`)
    const parts: string[] = []
    if (unset.length > 0) parts.push(`${unset.join(', ')}, ${unset.length === 1 ? 'which is not set' : 'which are not set'}`)
    if (empty.length > 0) parts.push(`${empty.join(', ')}, ${empty.length === 1 ? 'which is set but empty' : 'which are set but empty'}`)
    const why = empty.length > 0 ? '; an empty value counts as not set, since pasting nothing in would name another version' : ''
    const them = this.missing.size === 1 ? 'it' : 'them'
    return `refers to ${parts.join(', and ')} (substitute-env is on${why}): give ${them} a value in the step's env, or write $\${NAME} for a literal \${NAME}`
  }
}

/** The names a text refers to for substitution, in order: not those written $${NAME}, which stay as text. */
function variablesIn(text: string): string[] {
  return referencesIn(text).map((reference) => reference.name)
}

/** Each ${NAME} a text refers to for substitution, where it starts and where it ends; not those written $${NAME}. */
export function referencesIn(text: string): { name: string; start: number; end: number }[] {
  const references: { name: string; start: number; end: number }[] = []
  for (const match of text.matchAll(ENV_REFERENCE)) {
    if (!match[1]) references.push({ name: match[2]!, start: match.index, end: match.index + match[0].length })
  }
  return references
}

/** A text with each $${NAME} made the literal ${NAME} it stands for. */
function unescapeReferences(text: string): string {
  return text.replace(ENV_REFERENCE, (match, escape: string) => (escape ? match.slice(1) : match))
}

function unreadable(reason: string, line = 1, column = 1): UnreadableFile {
  return { kind: 'unreadable', line, column, reason }
}

function lineAt(text: string, offset: number): number {
  return positionIn(text, offset).line
}

function positionIn(text: string, offset: number): { line: number; col: number } {
  let line = 1
  let start = 0
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++
    start = i + 1
  }
  return { line, col: offset - start + 1 }
}

/** Offset where the first invalid sequence starts: the end of the longest prefix that decodes (a cut-off character at its end is fine while streaming), moved back to the start of that cut-off character. */
function firstInvalidOffset(bytes: Uint8Array): number {
  let low = 0
  let high = bytes.length
  while (low < high) {
    const mid = (low + high + 1) >> 1
    if (decodes(bytes.subarray(0, mid), { stream: true })) low = mid
    else high = mid - 1
  }
  while (low > 0 && !decodes(bytes.subarray(0, low), { stream: false })) low--
  return low
}

function decodes(bytes: Uint8Array, options: { stream: boolean }): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, options)
    return true
  } catch {
    return false
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim()
}
