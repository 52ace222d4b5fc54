import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { createRedactor } from '../../src/text/redact.ts'

const TOKEN = 'k3y/with+base64/chars== and "quotes" \\ ü 🚀'

/** How one character of a secret may be written by a server, a URL or a form. */
const ENCODINGS = {
  raw: (char: string) => char,
  json: (char: string) => JSON.stringify(char).slice(1, -1),
  'json \\u lower': (char: string) => unicode(char, (hex) => hex),
  'json \\u upper': (char: string) => unicode(char, (hex) => hex.toUpperCase()),
  'json \\/': (char: string) => (char === '/' ? '\\/' : JSON.stringify(char).slice(1, -1)),
  'percent upper': (char: string) => percent(char).toUpperCase(),
  'percent lower': (char: string) => percent(char).toLowerCase(),
  encodeURIComponent: (char: string) => encodeURIComponent(char),
  form: (char: string) => (char === ' ' ? '+' : percent(char).toUpperCase()),
} satisfies Record<string, (char: string) => string>
type Encoding = keyof typeof ENCODINGS

function unicode(char: string, hexCase: (hex: string) => string): string {
  return Array.from({ length: char.length }, (_, i) => `\\u${hexCase(char.charCodeAt(i).toString(16).padStart(4, '0'))}`).join('')
}

function percent(char: string): string {
  return [...Buffer.from(char, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('')
}

function encode(secret: string, encodings: Encoding[]): string {
  return [...secret].map((char, i) => ENCODINGS[encodings[i % encodings.length]!](char)).join('')
}

const encodingNames = Object.keys(ENCODINGS) as Encoding[]
const secretArbitrary = fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).filter((secret) => !secret.includes('~'))
const mixArbitrary = fc.array(fc.constantFrom(...encodingNames), { minLength: 1, maxLength: 8 })

describe('createRedactor', () => {
  test.each(encodingNames)('replaces a secret written %s', (encoding) => {
    const redact = createRedactor([TOKEN])
    const text = `{"detail": "bad header Bearer ${encode(TOKEN, [encoding])}", "next": 1}`
    expect(redact(text)).toBe('{"detail": "bad header Bearer ***", "next": 1}')
  })

  test('replaces every occurrence of every secret, longest first', () => {
    const redact = createRedactor(['abc', 'abcdef', '', 'xyz'])
    expect(redact('abcdef abc xyz abcxyz %61bc')).toBe('*** *** *** ****** ***')
  })

  test('leaves text without a secret as it is, and redacts nothing without secrets', () => {
    const text = '{"detail":"Service\\/gateway unavailable %2F"}'
    expect(createRedactor([TOKEN])(text)).toBe(text)
    expect(createRedactor([])(text)).toBe(text)
    expect(createRedactor([''])(text)).toBe(text)
  })

  test('keeps a JSON body that holds the secret parseable, decoding to ***', () => {
    const redact = createRedactor([TOKEN])
    for (const encoding of ['json', 'json \\u upper', 'json \\/'] as Encoding[]) {
      const body = `{"detail":"${encode(TOKEN, [encoding])}"}`
      expect(JSON.parse(redact(body))).toEqual({ detail: '***' })
    }
  })

  test('any secret, written in any mix of forms, at any place in any text, is gone', () => {
    fc.assert(
      fc.property(secretArbitrary, mixArbitrary, fc.string(), fc.string(), (secret, mix, before, after) => {
        const encoded = encode(secret, mix)
        const redacted = createRedactor([secret])(`${before}${encoded}${after}`)
        expect(redacted).toContain('***')
        expect(redacted.includes(encoded) && encoded !== '***').toBe(false)
      }),
    )
  })

  test('text cut short: nothing of a secret shows, wherever the cut falls inside any form of it', () => {
    fc.assert(
      fc.property(secretArbitrary, mixArbitrary, fc.nat(40), fc.nat(40), (secret, mix, beforeLength, afterLength) => {
        const redact = createRedactor([secret])
        const before = '~'.repeat(beforeLength)
        const encoded = encode(secret, mix)
        const text = `${before}${encoded}${'~'.repeat(afterLength)}`
        // Each cut's faults are collected and asserted once a run: an expect per cut and per end costs most of the test.
        const faults: string[] = []
        for (let cut = 0; cut <= text.length; cut++) {
          const redacted = redact(text.slice(0, cut), { truncated: true })
          // Nothing of the secret: no whole form, and no end that starts one.
          const left = redacted.split('***').join('')
          if (left.includes(encoded)) faults.push(`cut ${cut}: ${redacted} holds the secret`)
          for (let end = 1; end < encoded.length; end++) {
            const start = encoded.slice(0, end)
            if (left.endsWith(start) && !before.endsWith(start)) faults.push(`cut ${cut}: ${redacted} ends with ${start}`)
          }
          if (!redacted.startsWith(text.slice(0, Math.min(cut, before.length))))
            faults.push(`cut ${cut}: ${redacted} lost text before the secret`)
          // Nor more lost than that.
          const expected =
            cut <= before.length
              ? text.slice(0, cut)
              : cut < before.length + encoded.length
                ? before
                : `${before}***${'~'.repeat(cut - before.length - encoded.length)}`
          if (redacted !== expected) faults.push(`cut ${cut}: ${redacted}, not ${expected}`)
        }
        expect(faults).toEqual([])
      }),
      { numRuns: 300 },
    )
  })

  test('a cut in the middle of an escape drops the escape too', () => {
    const redact = createRedactor(['secret'])
    expect(redact('detail: \\u0073\\u00', { truncated: true })).toBe('detail: ')
    expect(redact('detail: se%6', { truncated: true })).toBe('detail: ')
    expect(redact('detail: s', { truncated: true })).toBe('detail: ')
    expect(redact('detail: sx', { truncated: true })).toBe('detail: sx')
    // Whole text may end with the start of a secret: only a cut can hide the rest.
    expect(redact('detail: se')).toBe('detail: se')
  })
})
