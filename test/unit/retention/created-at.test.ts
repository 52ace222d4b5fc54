import { describe, expect, it } from 'vitest'
import { parseCreatedAt } from '../../../src/retention/created-at.ts'

describe('parseCreatedAt', () => {
  it.each([
    ['2026-11-02T10:00:00Z', Date.UTC(2026, 10, 2, 10)],
    ['2026-11-02T10:00:00.123456+00:00', Date.UTC(2026, 10, 2, 10, 0, 0, 123)],
    ['2026-11-02T12:00:00+02:00', Date.UTC(2026, 10, 2, 10)],
    ['2026-11-02T10:00:00', Date.UTC(2026, 10, 2, 10)],
  ])('reads %s', (text, ms) => expect(parseCreatedAt(text)).toBe(ms))

  it.each([
    '',
    '2026-11-02',
    '11/02/2026 10:00',
    '2026-02-30T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '0050-01-01T00:00:00Z',
    'Mon, 02 Nov 2026',
  ])('refuses %j', (text) => expect(parseCreatedAt(text)).toBeNull())
})
