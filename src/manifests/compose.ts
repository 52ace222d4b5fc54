import { Composer, Lexer, Parser, type Document, type LineCounter } from 'yaml'
import type { TimeSlice } from '../runner/time-slice.ts'

/**
 * Lists and mappings written inside one another deeper than this make the file
 * unreadable before it is parsed further: a manifest nests a few levels, and
 * yaml's parser and composer cost several times more per token when deeply nested.
 */
const MAX_WRITTEN_DEPTH = 64
/**
 * yaml's parser and composer cost about 2 µs a token (more for a token that
 * opens a list or mapping), and 1 MiB of `1,` is 1.5 million tokens. A file
 * of 1 MiB of real manifests is under 600,000 tokens and 30,000 flow
 * collections; past these bounds a file is refused while it is parsed.
 */
const MAX_TOKENS = 800_000
const MAX_FLOW_COLLECTIONS = 100_000

/** What composeDocuments yields when its slice is due, between documents. */
export const PAUSE = Symbol('pause')

/** Thrown while parsing, before the nesting that costs is built. */
export class TooDense extends Error {
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
export function* composeDocuments(
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
