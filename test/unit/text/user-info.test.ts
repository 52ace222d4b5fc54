import { describe, expect, it } from 'vitest'
import { shownUrl, withoutUserInfo } from '../../../src/text/user-info.ts'

describe('withoutUserInfo', () => {
  it.each([
    ['https://user:pass@host/x', 'https://***@host/x'],
    ['user:pass@host', '***@host'],
    ['https://host/a@b', 'https://host/a@b'],
    ['https://host?q=a@b', 'https://host?q=a@b'],
    ['host', 'host'],
  ])('withoutUserInfo(%s) is %s', (raw, shown) => {
    expect(withoutUserInfo(raw)).toBe(shown)
  })
})

describe('shownUrl', () => {
  it.each([
    ['https://someone:pw@host:8080/api/v3/pulls?page=2#x', 'https://***@host:8080/api/v3/pulls'],
    ['https://someone@host/a', 'https://***@host/a'],
    ['https://:pw@host/a', 'https://***@host/a'],
    ['https://host/a@b?token=t', 'https://host/a@b'],
    ['http://host', 'http://host/'],
  ])('shownUrl(%s) is %s', (raw, shown) => {
    expect(shownUrl(new URL(raw))).toBe(shown)
  })
})
