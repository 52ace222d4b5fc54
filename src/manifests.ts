import { readFile, stat } from 'node:fs/promises'
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml'
import type { ManifestFile } from './files.ts'
import type { FieldPath } from './validate.ts'

/** Larger files are refused unread: manifests are a few hundred bytes. */
export const MAX_FILE_BYTES = 1024 * 1024
/** Aliases a document may expand; more is how "billion laughs" bombs work. */
const MAX_ALIAS_COUNT = 100

export interface LoadedDocument {
  kind: 'document'
  document: number
  line: number
  value: unknown
  /** Line of the value at `path`, or of its nearest present ancestor. */
  lineOf(path: FieldPath): number
  /** Line and column (1-based) of the same value, for annotations. */
  positionOf(path: FieldPath): { line: number; col: number }
}

export interface UnreadableFile {
  kind: 'unreadable'
  line: number
  reason: string
}

export interface LoadOptions {
  substituteEnv: boolean
  env: NodeJS.ProcessEnv
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Reads one manifest file: every YAML document of a .yaml/.yml file, the one value of a .json file. */
export async function loadManifestFile(file: ManifestFile, options: LoadOptions): Promise<LoadedDocument[] | UnreadableFile> {
  if (file.refusal) return unreadable(file.refusal)
  try {
    const { size } = await stat(file.absolute)
    if (size > MAX_FILE_BYTES) {
      return unreadable(`is ${formatBytes(size)}, larger than the ${formatBytes(MAX_FILE_BYTES)} a manifest file may be`)
    }
    return parseManifests(await readFile(file.absolute), file.relative, options)
  } catch (error) {
    return unreadable(`could not be read: ${(error as Error).message}`)
  }
}

/** Parses file contents (pure: no I/O), so the loader can be tested on any bytes. */
export function parseManifests(bytes: Uint8Array, fileName: string, options: LoadOptions): LoadedDocument[] | UnreadableFile {
  const isJson = fileName.toLowerCase().endsWith('.json')
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    return unreadable(`is not UTF-8 text (invalid byte sequence at offset ${firstInvalidOffset(bytes)})`)
  }
  const nul = text.indexOf('\0')
  if (nul !== -1) return unreadable(`is not a text file (NUL character on line ${lineAt(text, nul)})`)

  if (options.substituteEnv) {
    const substituted = substituteEnv(text, options.env)
    if (typeof substituted !== 'string') return substituted
    text = substituted
  }

  const lineCounter = new LineCounter()
  // Keys are checked for duplicates below: yaml's uniqueKeys compares each key with every earlier one.
  // logLevel error: yaml's warnings (e.g. a list used as a key) would go to stderr, which is the step's log.
  const documents = parseAllDocuments(text, { lineCounter, uniqueKeys: false, prettyErrors: false, logLevel: 'error', schema: isJson ? 'json' : 'core' })
  // parseAllDocuments returns an EmptyStream (no documents) for a file with no content.
  const list = Array.isArray(documents) ? documents : []
  const lineOfOffset = (offset: number) => lineCounter.linePos(offset).line

  const notValid = isJson ? 'is not valid JSON' : 'is not valid YAML'
  for (const doc of list) {
    const error = doc.errors[0]
    if (error) return unreadable(`${notValid}: ${firstLine(error.message)}`, lineOfOffset(error.pos[0]))
    const duplicate = firstDuplicateKey(doc)
    if (duplicate !== null) return unreadable(`${notValid}: Map keys must be unique`, lineOfOffset(duplicate))
  }
  if (isJson && list.length > 1) {
    return unreadable('holds more than one JSON value; a .json file is one manifest (use a .yaml file with --- for several)', lineOfOffset(list[1]!.range[0]))
  }

  const loaded: LoadedDocument[] = []
  for (const [index, doc] of list.entries()) {
    if (isEmptyDocument(doc)) continue // e.g. after a trailing ---
    let value: unknown
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
    } catch (error) {
      return unreadable(`document ${index} cannot be expanded: ${(error as Error).message}`, lineOfOffset(doc.range[0]))
    }
    loaded.push({
      kind: 'document',
      document: index,
      line: lineOfOffset(doc.contents?.range?.[0] ?? doc.range[0]),
      value,
      lineOf: (path) => lineCounter.linePos(rangeStart(doc, path)).line,
      positionOf: (path) => lineCounter.linePos(rangeStart(doc, path)),
    })
  }
  if (loaded.length === 0) return unreadable('holds no manifest (it is empty or only comments)')
  return loaded
}

/** `---` followed by nothing (or only comments) parses as a null scalar with no source text. */
function isEmptyDocument(doc: Document): boolean {
  const contents = doc.contents
  return contents === null || (isScalar(contents) && contents.value === null && contents.source === '')
}

/** Offset of the first key a mapping repeats, or null. A Set per mapping: yaml's uniqueKeys compares each key with every earlier one, minutes for 50,000 keys. */
function firstDuplicateKey(doc: Document): number | null {
  let first: number | null = null
  const pending: unknown[] = [doc.contents]
  while (pending.length > 0) {
    const node = pending.pop()
    if (isMap(node)) {
      const seen = new Set<unknown>()
      for (const { key, value } of node.items) {
        // yaml's own rule: scalar keys are equal when their values are; other keys only when they are the same node.
        const identity = isScalar(key) ? key.value : key
        if (seen.has(identity)) {
          const offset = (isNode(key) ? key.range?.[0] : undefined) ?? node.range?.[0] ?? 0
          first = Math.min(first ?? offset, offset)
        }
        seen.add(identity)
        pending.push(key, value)
      }
    } else if (isSeq(node)) {
      for (const item of node.items) pending.push(item)
    } else if (isPair(node)) {
      pending.push(node.key, node.value)
    }
  }
  return first
}

/** Where the field at `path` starts: its key in a mapping, its item in a list, else its nearest present ancestor. */
function rangeStart(doc: Document, path: FieldPath): number {
  for (let depth = path.length; depth > 0; depth--) {
    const parent = depth === 1 ? doc.contents : doc.getIn(path.slice(0, depth - 1), true)
    const key = path[depth - 1]
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === key)
      if (isScalar(pair?.key) && pair.key.range) return pair.key.range[0]
    }
    const node = doc.getIn(path.slice(0, depth), true)
    if (isNode(node) && node.range) return node.range[0]
  }
  return doc.contents?.range?.[0] ?? 0
}

const ENV_REFERENCE = /\$(\$?)\{([^}\n]*)\}/g
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Replaces ${NAME} with the variable's value; $${NAME} stays a literal ${NAME}. */
export function substituteEnv(text: string, env: NodeJS.ProcessEnv): string | UnreadableFile {
  const missing: string[] = []
  let firstMissingLine = 0
  const result = text.replace(ENV_REFERENCE, (match, escape: string, name: string, offset: number) => {
    if (escape) return match.slice(1)
    const value = ENV_NAME.test(name) ? env[name] : undefined
    if (value === undefined) {
      if (!missing.includes(name)) missing.push(name)
      firstMissingLine ||= lineAt(text, offset)
      return match
    }
    return value
  })
  if (missing.length === 0) return result
  const names = missing.map((name) => `\${${name}}`).join(', ')
  const verb = missing.length === 1 ? 'which is not set' : 'which are not set'
  return unreadable(`refers to ${names}, ${verb} in the environment (substitute-env is on)`, firstMissingLine)
}

function unreadable(reason: string, line = 1): UnreadableFile {
  return { kind: 'unreadable', line, reason }
}

function lineAt(text: string, offset: number): number {
  let line = 1
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++
  return line
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

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`
}
