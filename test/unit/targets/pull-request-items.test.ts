import { describe, expect, test } from 'vitest'
import { closedPullRequest, github } from '../../../fakes/stand-in-github.ts'
import { list, NOW, standIn } from './listing.ts'

describe('what GitHub lists is checked, pull request by pull request', () => {
  test('numbers that cannot be a pull request’s, and a close after the listing began, are refused with a warning naming each; the rest are listed', async () => {
    const good = closedPullRequest(7, NOW, 1)
    const bad = (number: string, daysAgo: number, fields: Record<string, unknown> = {}) =>
      JSON.stringify({ ...closedPullRequest(900, NOW, daysAgo), html_url: `https://github.com/o/r/pull/x${daysAgo}`, ...fields }).replace(
        '"number":900',
        `"number":${number}`,
      )
    const page = `[${[
      bad('-1', 0.1),
      bad('0', 0.2),
      bad('1e21', 0.3),
      bad('1.5', 0.4),
      bad('"12"', 0.5),
      bad('12345678901234567890', 0.6),
      bad('null', 0.7),
      JSON.stringify(closedPullRequest(8, NOW, 0.8, { closed_at: '2029-01-01T00:00:00Z', updated_at: '2029-01-01T00:00:00Z' })),
      JSON.stringify(closedPullRequest(9, NOW, 0.9, { closed_at: new Date(NOW.getTime() + 1000).toISOString() })),
      JSON.stringify(good),
    ].join(',')}]`
    const stand = await standIn([], { answers: (index) => (index === 0 ? github.raw(200, page) : github.answer(200, [])) })
    const listing = await list(stand)

    expect(listing.failure).toBeNull()
    expect(listing.pullRequests.map((pr) => pr.number)).toEqual([7])
    const refused = (name: string, reason: string) =>
      `GitHub listed a pull request of octo-org/previews that is not swept, and nothing is deleted for it: ${name}: ${reason}.`
    const notANumber = (shown: string, day: number) =>
      refused(`"https://github.com/o/r/pull/x${day}"`, `its number, ${shown}, is not a whole number from 1 to 9007199254740991`)
    expect(listing.warnings).toEqual([
      notANumber('-1', 0.1),
      notANumber('0', 0.2),
      notANumber('1e+21', 0.3),
      notANumber('1.5', 0.4),
      notANumber('"12"', 0.5),
      notANumber('12345678901234567890', 0.6),
      notANumber('null', 0.7),
      refused(
        '#8 ("https://github.com/o/r/pull/8")',
        'its closed_at, "2029-01-01T00:00:00Z", is later than 2025-06-30T03:00:00.000Z, when the listing began (one closed during the sweep is swept by the next)',
      ),
      refused(
        '#9 ("https://github.com/o/r/pull/9")',
        `its closed_at, "${new Date(NOW.getTime() + 1000).toISOString()}", is later than 2025-06-30T03:00:00.000Z, when the listing began (one closed during the sweep is swept by the next)`,
      ),
    ])
  })

  test('a closed_at or updated_at that is not a date refuses its pull request with a warning, not the page, and the listing goes on', async () => {
    const page = [
      closedPullRequest(11, NOW, 0.1, { closed_at: 'not a date' }),
      closedPullRequest(12, NOW, 0.2, { updated_at: 'yesterday' }),
      closedPullRequest(14, NOW, 0.4),
    ]
    const stand = await standIn([], { answers: (index) => (index === 0 ? github.raw(200, JSON.stringify(page)) : github.answer(200, [])) })
    const listing = await list(stand)
    expect(listing.failure).toBeNull()
    expect(listing.pullRequests.map((pr) => pr.number)).toEqual([14])
    expect(listing.warnings).toEqual([
      expect.stringMatching(
        /nothing is deleted for it: #11 \("https:\/\/github\.com\/.*\/pull\/11"\): its closed_at, "not a date", is not a date\.$/,
      ),
      expect.stringMatching(/nothing is deleted for it: #12 .*: its updated_at, "yesterday", is not a date\.$/),
    ])
  })

  test('an item whose closed_at is not even text is not a pull request: the page is refused, naming GITHUB_API_URL', async () => {
    const stand = await standIn([], {
      answers: () => github.raw(200, JSON.stringify([closedPullRequest(13, NOW, 0.3, { closed_at: 17 as unknown as string })])),
    })
    const listing = await list(stand)
    expect(listing.failure).toMatch(/is not a list of pull requests: .*Is GITHUB_API_URL/)
  })

  test('a refused pull request is warned of once, however many passes list it', async () => {
    const stand = await standIn([
      closedPullRequest(5, NOW, 1, { closed_at: '2029-01-01T00:00:00Z', updated_at: '2029-01-01T00:00:00Z' }),
      closedPullRequest(4, NOW, 1),
    ])
    const listing = await list(stand)
    expect(listing.pullRequests.map((pr) => pr.number)).toEqual([4])
    expect(listing.warnings).toHaveLength(1)
  })
})
