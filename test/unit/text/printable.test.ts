import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { printable } from '../../../src/text/printable.ts'

/** The characters a terminal or a viewer obeys rather than shows, as printable.ts lists them. */
function isUnprintable(code: number): boolean {
  return (
    (code <= 0x1f && code !== 0x09 && code !== 0x0a && code !== 0x0d) ||
    (code >= 0x7f && code <= 0x9f) ||
    [0x061c, 0x200e, 0x200f, 0x2028, 0x2029].includes(code) ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  )
}

const UNPRINTABLE_CHARS = Array.from({ length: 0x2070 }, (_, code) => code)
  .filter(isUnprintable)
  .map((code) => String.fromCharCode(code))
/** Any text, with the characters that matter likely. */
const textArbitrary = fc
  .array(fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom(...UNPRINTABLE_CHARS, '\r', '\n', '\r\n', '\\', '\t')), {
    maxLength: 30,
  })
  .map((parts) => parts.join(''))

describe('printable', () => {
  it('writes out each unprintable character of the Basic Multilingual Plane as \\u and four hex digits, and leaves every other one', () => {
    for (let code = 0; code <= 0xffff; code++) {
      const char = String.fromCharCode(code)
      if (code === 0x0d) continue
      const expected = isUnprintable(code) ? `\\u${code.toString(16).padStart(4, '0')}` : char
      expect({ code, shown: printable(`a${char}b`) }).toEqual({ code, shown: `a${expected}b` })
    }
    for (const char of ['🚀', '\u{1F46A}', '\u{E0001}', '\u{10FFFF}']) expect(printable(char)).toBe(char)
  })

  it('shows ESC, BEL and backspace as escapes, so a server cannot clear the screen, retitle it or rub out text', () => {
    expect(printable('\u001b[2J\u001b]0;pwned\u0007ok\b\b')).toBe('\\u001b[2J\\u001b]0;pwned\\u0007ok\\u0008\\u0008')
    expect(printable('deleted\u009b31m')).toBe('deleted\\u009b31m')
  })

  it('keeps tab, line feed and CRLF, and writes out a carriage return that would overwrite its line', () => {
    expect(printable('a\tb\nc\r\nd')).toBe('a\tb\nc\r\nd')
    expect(printable('failed\rdeleted')).toBe('failed\\u000ddeleted')
    expect(printable('a\r\r\n')).toBe('a\\u000d\r\n')
    expect(printable('end\r')).toBe('end\\u000d')
  })

  it('leaves nothing unprintable, and changes nothing on a second pass', () => {
    fc.assert(
      fc.property(textArbitrary, (text) => {
        const shown = printable(text)
        expect([...shown.replaceAll('\r\n', '\n')].some((char) => isUnprintable(char.charCodeAt(0)) || char === '\r')).toBe(false)
        expect(printable(shown)).toBe(shown)
      }),
    )
  })

  it('keeps JSON valid JSON, with the same value', () => {
    fc.assert(
      fc.property(fc.array(textArbitrary, { maxLength: 4 }), (values) => {
        const json = JSON.stringify({ values, [values[0] ?? 'k']: values })
        expect(JSON.parse(printable(json))).toEqual(JSON.parse(json))
      }),
    )
  })
})
