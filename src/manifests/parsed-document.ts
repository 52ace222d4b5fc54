// A document as the parser leaves it for fillIn: its JSON data as written, and
// the places of its values and of those a target fills in.
import type { Problem } from './problems.ts'

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
export interface Hole {
  path: PathPart[]
  /** The text as written, before substitution (after YAML's or JSON's own escapes). */
  text: string
  line: number
  col: number
  /** The filled-in text read as this scalar would read it: its value, or why it cannot be sent. */
  value(filled: string): unknown
}

/** What makes a whole file unusable, found while converting one of its documents. */
export class Refusal extends Error {
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

export type PathPart = string | number
/** Offset of each key or item in the source, by the object (keys) or array (indexes) that holds it. */
export type Positions = Map<object, Map<string, number> | number[]>

/** A manifest file parsed once for the run: each document as written, filled in for each target by fillIn. */
export interface ParsedFile {
  kind: 'parsed'
  documents: ParsedDocument[]
}
