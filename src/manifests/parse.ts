import { isScalar, LineCounter, type Document } from 'yaml'
import { composeDocuments, PAUSE, TooDense } from './compose.ts'
import { Refusal, type ParsedDocument, type ParsedFile } from './parsed-document.ts'
import { decodeText, positionIn, unreadable, type UnreadableFile } from './read.ts'
import { firstJsonSyntaxError } from './strict-json.ts'
import { convertDocument } from './to-json.ts'
import { runSliced, type TimeSlice } from '../runner/time-slice.ts'

export interface ParseOptions {
  /** Values that name ${NAME} are filled in, by fillIn, from the target's environment. */
  substituteEnv: boolean
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
function* parseManifestSteps(
  bytes: Uint8Array,
  fileName: string,
  options: ParseOptions,
  slice: TimeSlice,
): Generator<void, ParsedFile | UnreadableFile> {
  const isJson = fileName.toLowerCase().endsWith('.json')
  const decoded = decodeText(bytes)
  if (typeof decoded !== 'string') return decoded
  // A byte order mark is allowed before JSON (RFC 8259 lets a parser ignore it); a space keeps the offsets.
  const text = isJson && decoded.startsWith('\uFEFF') ? ` ${decoded.slice(1)}` : decoded

  const lineCounter = new LineCounter()
  const position = (offset: number) => lineCounter.linePos(offset)
  const notJson = isJson ? strictJsonRefusal(text) : null
  if (notJson) return notJson

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
    return tooDense(error, position(error.offset))
  }
  if (refusal) return refusal
  if (documents.length === 0) return unreadable('holds no manifest (it is empty or only comments)')
  return { kind: 'parsed', documents }
}

/** Why a .json file is not read as one: nothing in it, a syntax error, or a second value. */
function strictJsonRefusal(text: string): UnreadableFile | null {
  if (text.trim() === '') return unreadable('holds no manifest (it is empty or only comments)')
  const error = firstJsonSyntaxError(text)
  if (!error) return null
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

function tooDense(error: TooDense, { line, col }: { line: number; col: number }): UnreadableFile {
  const what = error.message.startsWith('nests')
    ? 'flatten the value there, or quote it to send it as text'
    : 'split it into several files, or write the values out in fewer tokens'
  return unreadable(`${error.message} (at line ${line}), far more than manifests need, so it is not read further: ${what}`, line, col)
}

/** `---` followed by nothing (or only comments) parses as a null scalar with no source text. */
function isEmptyDocument(doc: Document): boolean {
  const contents = doc.contents
  return contents === null || (isScalar(contents) && contents.value === null && contents.source === '')
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim()
}
