// One parsed YAML (or JSON) document as JSON data, in one walk of its nodes.
import { isAlias, isMap, isScalar, isSeq, visit, Scalar, type Alias, type Document, type Node, type Schema } from 'yaml'
import { CORE_TAG, KIND_OF_TAG, resolve, ScalarProblem, scalarKey, scalarValue, shortTag } from './json-scalars.ts'
import { Refusal, type Hole, type ParsedDocument, type PathPart, type Positions } from './parsed-document.ts'
import { MAX_PROBLEMS_KEPT, type Problem } from './problems.ts'
import { quote } from './words.ts'

/** Values a document's aliases may stand for, in all; more is how "billion laughs" bombs work. */
const MAX_ALIASED_VALUES = 100_000
/** Deeper values are refused: no manifest needs them, and JSON.stringify overflows its stack a few thousand levels down. Aliases can build depth the text does not show, so this holds after expansion too. */
const MAX_DEPTH = 500

/** One document of a file as JSON data, with what fillIn needs: `document` is its index in the file. */
export function convertDocument(
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
  /** The node each alias stands for. */
  private readonly targets: Map<Alias, Node>
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
    this.targets = mayHaveAliases ? aliasTargets(doc) : new Map<Alias, Node>()
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
          `the key ${quote(key)} appears twice in one mapping (lines ${this.lineOf(earlier)} and ${this.lineOf(offset)}), and only one value would be used; remove one`,
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
    const key = scalarKey(target, line, this.substituteEnv)
    if (typeof key === 'string') return key
    this.problem(key.message)
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
    if (this.problems.length < MAX_PROBLEMS_KEPT)
      this.problems.push({ problem: { path: [...this.path], message }, holesBefore: this.holes.length })
    else this.problemsLeftOut++
    return null
  }
}

function rangeStart(node: unknown): number | undefined {
  return (node as { range?: [number, number, number] } | null)?.range?.[0]
}

/** The node each alias stands for: the nearest anchor of its name before it, found in one walk. */
function aliasTargets(doc: Document): Map<Alias, Node> {
  const targets = new Map<Alias, Node>()
  const anchors = new Map<string, Node>()
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) {
        const target = anchors.get(node.source)
        if (target) targets.set(node, target)
      } else if (node.anchor) {
        anchors.set(node.anchor, node)
      }
    },
  })
  return targets
}
