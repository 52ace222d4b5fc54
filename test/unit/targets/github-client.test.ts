import { describe, expect, test } from 'vitest'
import { github } from '../../../fakes/stand-in-github.ts'
import { expectNoToken, list, standIn, TOKEN } from './listing.ts'

describe("Octokit's own log", () => {
  test.each(['deprecation', 'sunset', 'link'])(
    'a %s header echoing the token, raw, percent- or \\u-encoded, reaches the warnings redacted',
    async (header) => {
      const escaped = [...TOKEN].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')
      const percent = [...TOKEN].map((char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`).join('')
      const echo = `${TOKEN} ${percent} ${escaped}`
      const headers = {
        deprecation: header === 'deprecation' ? `@1 ${echo}` : '@1',
        sunset: header === 'sunset' ? echo : 'Wed, 31 Dec 2025 00:00:00 GMT',
        ...(header === 'link'
          ? { link: `<https://docs.example/${encodeURIComponent(TOKEN)}/${percent}/${escaped}>; rel="deprecation"` }
          : {}),
      }
      const stand = await standIn([], { answers: () => github.answer(200, [], headers) })
      const listing = await list(stand)
      expect(listing.failure).toBeNull()
      expect(listing.warnings.length).toBeGreaterThan(0)
      expect(listing.warnings.join('\n')).toContain('is deprecated')
      expectNoToken(listing)
      for (const warning of listing.warnings) {
        expect(warning).not.toContain(percent)
        expect(warning).not.toContain(escaped)
      }
    },
  )
})
