/** Where a text stops being JSON (RFC 8259), and why, in words for the person who wrote it. */
export interface JsonSyntaxError {
  offset: number
  reason: string
  /** The text holds one whole JSON value, and then another. */
  secondValue?: true
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y
const WHITESPACE = /[ \t\n\r]*/y
// eslint-disable-next-line no-control-regex -- JSON forbids raw control characters in strings: this is the check
const STRING_BODY = /[^"\\\u0000-\u001f]*/y
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y

/**
 * The first place `text` is not strict JSON, or null when it is one JSON value.
 * JSON.parse answers the same question, but some of its messages give no
 * position and quote the text instead; this scan always gives an offset.
 * Linear, and iterative: nesting costs a stack entry, not a call frame.
 */
export function firstJsonSyntaxError(text: string): JsonSyntaxError | null {
  const open: ('{' | '[')[] = []
  let at = skipWhitespace(text, 0)
  const fail = (reason: string): JsonSyntaxError => ({ offset: at, reason })

  for (;;) {
    // Expecting a value.
    const char = text[at]
    if (char === '{' || char === '[') {
      open.push(char)
      at = skipWhitespace(text, at + 1)
      const close = char === '{' ? '}' : ']'
      if (text[at] === close) {
        open.pop()
        at++
      } else if (char === '{') {
        const key = readKey(text, at)
        if (typeof key !== 'number') return key
        at = key
        continue
      } else {
        continue
      }
    } else if (char === '"') {
      const end = readString(text, at)
      if (typeof end !== 'number') return end
      at = end
    } else if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) {
      NUMBER.lastIndex = at
      if (!NUMBER.test(text)) return fail('a number must have digits after "-"')
      at = NUMBER.lastIndex
      if (/[0-9.eExX]/.test(text[at] ?? '')) return fail('not a JSON number (no leading zeros, hex, or a dot without digits)')
    } else if (text.startsWith('true', at) || text.startsWith('null', at)) {
      at += 4
    } else if (text.startsWith('false', at)) {
      at += 5
    } else {
      return fail(describeUnexpected(text, at, 'a value'))
    }

    // After a value: close what is open, or move on to the next item.
    for (;;) {
      at = skipWhitespace(text, at)
      const container = open.at(-1)
      if (container === undefined) {
        if (at === text.length) return null
        if (/[[{"\-0-9tfn]/.test(text[at]!)) return { ...fail('a second JSON value'), secondValue: true }
        return fail(describeUnexpected(text, at, 'the end of the file'))
      }
      const close = container === '{' ? '}' : ']'
      if (text[at] === close) {
        open.pop()
        at++
        continue
      }
      if (text[at] !== ',') return fail(describeUnexpected(text, at, `"," or "${close}"`))
      at = skipWhitespace(text, at + 1)
      if (text[at] === close) return fail(`a comma before "${close}" (trailing commas are not JSON)`)
      if (container === '{') {
        const key = readKey(text, at)
        if (typeof key !== 'number') return key
        at = key
      }
      break
    }
  }
}

/** Reads `"key" :` and the whitespace after it; returns the offset of the value. */
function readKey(text: string, at: number): number | JsonSyntaxError {
  if (text[at] !== '"') return { offset: at, reason: describeUnexpected(text, at, 'a key in double quotes') }
  const end = readString(text, at)
  if (typeof end !== 'number') return end
  const colon = skipWhitespace(text, end)
  if (text[colon] !== ':') return { offset: colon, reason: describeUnexpected(text, colon, '":" after the key') }
  return skipWhitespace(text, colon + 1)
}

/** Reads a string starting at its opening quote; returns the offset after the closing one. */
function readString(text: string, start: number): number | JsonSyntaxError {
  let at = start + 1
  for (;;) {
    STRING_BODY.lastIndex = at
    STRING_BODY.test(text)
    at = STRING_BODY.lastIndex
    const char = text[at]
    if (char === '"') return at + 1
    if (char === undefined) return { offset: start, reason: 'a string that is never closed' }
    if (char === '\\') {
      ESCAPE.lastIndex = at
      if (!ESCAPE.test(text))
        return { offset: at, reason: 'an escape JSON does not have (it has \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX)' }
      at = ESCAPE.lastIndex
      continue
    }
    return { offset: at, reason: 'a line break or control character inside a string (write it as an escape such as \\n)' }
  }
}

function skipWhitespace(text: string, at: number): number {
  WHITESPACE.lastIndex = at
  WHITESPACE.test(text)
  return WHITESPACE.lastIndex
}

function describeUnexpected(text: string, at: number, expected: string): string {
  const char = text[at]
  if (char === undefined) return `the file ends where ${expected} should be`
  if (char === "'") return `expected ${expected}, found a single quote (JSON strings and keys use double quotes)`
  if (char === '/' || char === '#') return `expected ${expected}, found a comment (JSON has no comments)`
  if (char === '\uFEFF') return `expected ${expected}, found a byte order mark`
  const shown = /[\x21-\x7e]/.test(char)
    ? `"${char}"`
    : `the character U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
  return `expected ${expected}, found ${shown}${/[A-Za-z_]/.test(char) ? ' (keys and text must be in double quotes)' : ''}`
}
