import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { firstJsonSyntaxError } from '../../../src/manifests/strict-json.ts'

const parses = (text: string) => {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/** Pieces of JSON and of what people write instead. */
const piece = fc.constantFrom(
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  ' ',
  '\n',
  '\t',
  '\r',
  '"a"',
  '"',
  "'",
  '\\',
  '\\n',
  '\\u00e9',
  '\\ud800',
  '\\x',
  '\u0001',
  '\u2028',
  '1',
  '-',
  '0',
  '01',
  '1.',
  '.5',
  '1e5',
  '1E+2',
  'e',
  'true',
  'false',
  'null',
  'nul',
  'NaN',
  'Infinity',
  '//',
  '/*',
  '*/',
  '#',
  '\uFEFF',
  'é',
)

describe('firstJsonSyntaxError', () => {
  test('agrees with JSON.parse on text built from pieces of JSON and near-JSON', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const text = pieces.join('')
        expect(firstJsonSyntaxError(text) === null).toBe(parses(text))
      }),
      { numRuns: 20_000 },
    )
  })

  test('accepts any JSON.stringify output, and points inside the text when it refuses', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), fc.string({ maxLength: 2 }), (value, at, insert) => {
        const text = JSON.stringify(value, null, at % 3)
        expect(firstJsonSyntaxError(text)).toBeNull()
        const cut = at % (text.length + 1)
        const mutated = text.slice(0, cut) + insert + text.slice(cut)
        const error = firstJsonSyntaxError(mutated)
        expect(error === null).toBe(parses(mutated))
        if (error) expect(error.offset).toBeGreaterThanOrEqual(0)
        if (error) expect(error.offset).toBeLessThanOrEqual(mutated.length)
      }),
      { numRuns: 2000 },
    )
  })

  test('scans deep nesting without recursion', () => {
    expect(firstJsonSyntaxError(`${'['.repeat(500_000)}${']'.repeat(500_000)}`)).toBeNull()
    expect(firstJsonSyntaxError('['.repeat(500_000))).toEqual({ offset: 500_000, reason: 'the file ends where a value should be' })
  })
})
