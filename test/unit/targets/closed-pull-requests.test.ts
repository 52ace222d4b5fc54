import { describe, expect, test } from 'vitest'
import { COMMAND_LINE_DIALECT } from '../../../src/inputs/dialect.ts'
import { listClosedPullRequests } from '../../../src/targets/closed-pull-requests.ts'
import type { ClosedPullRequest } from '../../../src/targets/pull-request-items.ts'
import { closedPullRequest, github, type StandInGitHub, type StandInPullRequest } from '../../../fakes/stand-in-github.ts'
import { closedWithin, expectNoToken, list, NOW, standIn, sweepOptions, TOKEN } from './listing.ts'

describe('listClosedPullRequests', () => {
  test('follows the Link pages and lists every pull request closed within the window, with what the sweep needs', async () => {
    const stand = await standIn(closedWithin(250, 6))
    const { pullRequests, failure } = await list(stand)

    expect(failure).toBeNull()
    expect(pullRequests).toHaveLength(250)
    expect(pullRequests.map((pr) => pr.number)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1))
    expect(pullRequests[0]).toEqual({
      number: 1,
      head_ref: 'feature-1',
      head_sha: '00000001'.repeat(5),
      closed_at: expect.stringMatching(/^2025-06-30T/),
      merged: true,
      html_url: 'https://github.com/o/r/pull/1',
    })
    // Three pages, then the first again: nothing was updated while they were read, so the listing ends.
    expect(stand.pagesServed).toBe(4)
    const [first, ...rest] = stand.requests.map((request) => new URL(request.path, stand.origin))
    expect(first!.pathname).toBe('/repos/octo-org/previews/pulls')
    expect(Object.fromEntries(first!.searchParams)).toEqual({ state: 'closed', sort: 'updated', direction: 'desc', per_page: '100' })
    expect(rest.map((url) => `${url.pathname} page ${url.searchParams.get('page')}`)).toEqual([
      `/repositories/${stand.repositoryId}/pulls page 2`,
      `/repositories/${stand.repositoryId}/pulls page 3`,
      '/repos/octo-org/previews/pulls page null',
    ])
  })

  test('stops at the first pull request updated before the window: later pages are never fetched', async () => {
    // 150 closed this week, 850 closed from 8 to 400 days ago: 10 pages in all.
    const older = Array.from({ length: 850 }, (_, i) => closedPullRequest(151 + i, NOW, 8 + i * 0.46))
    const stand = await standIn([...closedWithin(150, 7), ...older])
    const { pullRequests } = await list(stand)

    expect(pullRequests).toHaveLength(150)
    // Two pages, and the first again for what was updated meanwhile.
    expect(stand.pagesServed).toBe(3)
  })

  test('keeps only pull requests closed within the window, whenever they were last updated', async () => {
    const stand = await standIn([
      closedPullRequest(1, NOW, 40, { updatedDaysAgo: 0.1 }), // commented on today, closed long ago
      closedPullRequest(2, NOW, 6.99, { merged: false }),
      closedPullRequest(3, NOW, 7.01, { updatedDaysAgo: 1 }),
      { ...closedPullRequest(4, NOW, 1), state: 'open', closed_at: null, merged_at: null },
      closedPullRequest(5, NOW, 0),
    ])
    const { pullRequests } = await list(stand)

    expect(pullRequests.map(({ number, merged }) => ({ number, merged }))).toEqual([
      { number: 5, merged: true },
      { number: 2, merged: false },
    ])
  })

  test('reads a page only when the caller has taken every pull request of the one before', async () => {
    const stand = await standIn(closedWithin(250, 6))
    const listing = listClosedPullRequests(sweepOptions(stand))
    for (let taken = 0; taken < 100; taken++) await listing.next()
    expect(stand.pagesServed).toBe(1)
    await listing.next()
    expect(stand.pagesServed).toBe(2)
    await listing.return()
    expect(stand.pagesServed).toBe(2)
  })

  test('a pull request that comes again on a later page (the pages shifted while listing) is listed once', async () => {
    const pullRequests = closedWithin(150, 5)
    const stand = await standIn(pullRequests, {
      // Page 2 as GitHub gives it after pull request 100 was updated during the listing: it moved from page 1's end to page 2's start.
      answers: [undefined, (request, response) => github.answer(200, [pullRequests[99], ...pullRequests.slice(100)])(request, response)],
    })
    const { pullRequests: listed, failure } = await list(stand)
    expect(failure).toBeNull()
    expect(listed.map((pr) => pr.number)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1))
  })

  test.each([
    [
      'empty pages, each linking to the same next one',
      (_page: number, path: string) => ({ items: [] as StandInPullRequest[], next: path }),
      'is empty',
    ],
    [
      'empty pages, each linking to a new one',
      (page: number) => ({ items: [], next: `/repos/octo-org/previews/pulls?page=${page + 1}&cursor=${Math.random()}` }),
      'is empty',
    ],
    [
      'the same pull requests on every page, each linking to a new one',
      (page: number) => ({ items: closedWithin(100, 5), next: `/repos/octo-org/previews/pulls?page=${page + 1}` }),
      'lists no pull request the pages before it did not',
    ],
  ])('%s: the listing stops at the first page that adds nothing, with a clear error', async (_name, answer, what) => {
    let origin = ''
    const stand = await standIn(closedWithin(250, 5), {
      answers: (index) =>
        index === 0
          ? undefined
          : (request, response) => {
              const { items, next } = answer(index + 1, request.path)
              void github.answer(200, items, { link: `<${origin}${next}>; rel="next"` })(request, response)
            },
    })
    origin = stand.origin
    const started = performance.now()
    const listing = await list(stand)
    expect(listing.pullRequests).toHaveLength(100)
    expect(listing.failure).toBe(
      `GitHub's page 2 of the pull requests of octo-org/previews ${what}, yet links to a next page; the listing stops rather than read pages without end. 100 closed pull requests were listed and swept before this; the rest were not listed.`,
    )
    expect(stand.requests).toHaveLength(2)
    expect(performance.now() - started).toBeLessThan(2000)
  })

  test('pages that each bring new pull requests without end stop at the page cap, with a clear error', async () => {
    let origin = ''
    const stand = await standIn([], {
      answers: (index) => (request, response) =>
        github.answer(200, closedWithin(100, 5, index * 100 + 1), {
          link: `<${origin}/repos/octo-org/previews/pulls?page=${index + 2}>; rel="next"`,
        })(request, response),
    })
    origin = stand.origin
    const listing = await list(stand, { maxPages: 30 })
    expect(listing.pullRequests).toHaveLength(3000)
    expect(listing.failure).toMatch(
      /^GitHub's answers for the pull requests of octo-org\/previews went on for more than 30 pages \(3000 pull requests\) without leaving the window; the listing stops rather than read without end\./,
    )
    expect(stand.requests).toHaveLength(30)
  })

  test('lists nothing, in one request, when nothing closed in the window', async () => {
    const stand = await standIn([closedPullRequest(1, NOW, 30)])
    const { pullRequests, failure } = await list(stand)
    expect(failure).toBeNull()
    expect(pullRequests).toEqual([])
    // The first page, and the first again for what was updated meanwhile.
    expect(stand.requests).toHaveLength(2)
  })

  test.each(['/api/v3', '/api/v3/'])('keeps a GitHub Enterprise Server path prefix in the API URL (%s)', async (suffix) => {
    const stand = await standIn(closedWithin(120, 5), { pathPrefix: '/api/v3' })
    const { pullRequests, failure } = await list(stand, { baseUrl: `${stand.origin}${suffix}` })

    expect(failure).toBeNull()
    expect(pullRequests).toHaveLength(120)
    expect(stand.requests.map((request) => request.path.split('?')[0])).toEqual([
      '/api/v3/repos/octo-org/previews/pulls',
      `/api/v3/repositories/${stand.repositoryId}/pulls`,
      '/api/v3/repos/octo-org/previews/pulls',
    ])
  })

  test.each([
    ['a bad token (401)', github.badCredentials(), 'GitHub rejected the github-token input (HTTP 401: Bad credentials)'],
    [
      'a token without pull-requests: read (403)',
      github.resourceNotAccessible(),
      'The github-token input may not read the pull requests of octo-org/previews (HTTP 403: Resource not accessible by integration)',
    ],
    [
      'a private repository the token cannot see (404)',
      github.notFound(),
      'The github-token input may not read the pull requests of octo-org/previews (HTTP 404: Not Found)',
    ],
  ])('%s fails at once, naming github-token and the permission', async (_name, answer, start) => {
    const stand = await standIn(closedWithin(5, 1), { answers: [answer] })
    const listing = await list(stand)

    expect(listing.pullRequests).toEqual([])
    expect(listing.failure?.startsWith(start)).toBe(true)
    expect(listing.failure).toContain('`permissions: pull-requests: read`')
    expect(stand.requests).toHaveLength(1)
    expectNoToken(listing, stand)
  })

  test.each([
    [
      'a bad token (401)',
      github.badCredentials(),
      'GitHub rejected --github-token (HTTP 401: Bad credentials) when listing the pull requests of octo-org/previews. Pass a valid token for 127.0.0.1:PORT with --github-token or GITHUB_TOKEN.',
    ],
    [
      'a token without pull-requests: read (403)',
      github.resourceNotAccessible(),
      "--github-token may not read the pull requests of octo-org/previews (HTTP 403: Resource not accessible by integration). Pass a token that can read this repository's pull requests.",
    ],
  ])('on the command line, %s names --github-token where the workflow names the github-token input', async (_name, answer, said) => {
    const stand = await standIn(closedWithin(5, 1), { answers: [answer] })
    const listing = await list(stand, { dialect: COMMAND_LINE_DIALECT })
    expect(listing.failure).toBe(said.replace('PORT', new URL(stand.url).port))
    expect(listing.failure).not.toMatch(/github-token input|permissions:|\$\{\{/)
  })

  test('on the command line, a listing cut short names --closed-within-days, and a refused next page the GitHub token', async () => {
    let origin = ''
    const endless = await standIn([], {
      answers: (index) => (request, response) =>
        github.answer(200, closedWithin(100, 5, index * 100 + 1), {
          link: `<${origin}/repos/octo-org/previews/pulls?page=${index + 2}>; rel="next"`,
        })(request, response),
    })
    origin = endless.origin
    const cut = await list(endless, { maxPages: 2, dialect: COMMAND_LINE_DIALECT })
    expect(cut.failure).toMatch(/ Sweep fewer days with --closed-within-days\.$/)

    const elsewhere = await standIn([], {
      answers: [github.answer(200, [], { link: '<https://elsewhere.example/pulls?page=2>; rel="next"' })],
    })
    const refused = await list(elsewhere, { dialect: COMMAND_LINE_DIALECT })
    expect(refused.failure).toContain('The listing stops rather than send the GitHub token there.')
  })

  test('a token GitHub echoes back, as sent, percent-encoded or escaped, is redacted from the message', async () => {
    const escaped = [...TOKEN].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')
    const percent = [...TOKEN].map((char) => `%${char.charCodeAt(0).toString(16)}`).join('')
    const stand = await standIn([], {
      answers: [github.answer(403, { message: `token ${TOKEN} or ${encodeURIComponent(TOKEN)} or ${escaped} or ${percent}?` })],
    })
    const listing = await list(stand)
    expect(listing.failure).toContain('HTTP 403: token *** or *** or *** or ***?')
    expectNoToken(listing)
  })

  test('waits out the primary rate limit until x-ratelimit-reset, then goes on', async () => {
    const reset = NOW.getTime() / 1000 + 90
    const stand = await standIn(closedWithin(150, 5), { answers: [undefined, github.primaryRateLimit(reset)] })
    const listing = await list(stand)

    expect(listing.failure).toBeNull()
    expect(listing.pullRequests).toHaveLength(150)
    expect(listing.sleeps).toEqual([91_000])
    expect(listing.logs).toEqual([
      "GitHub's rate limit (HTTP 403: API rate limit exceeded for installation ID 1.; resets at 2025-06-30T03:01:30.000Z): waiting 1 min 31 s before page 2 of the pull requests of octo-org/previews.",
    ])
    expect(stand.pagesServed).toBe(3)
  })

  test('waits out a secondary rate limit for retry-after seconds, in real time, then goes on', async () => {
    const stand = await standIn(closedWithin(3, 1), { answers: [github.secondaryRateLimit(1, 429)] })
    const started = performance.now()
    const listing = await list(stand, { sleep: undefined })

    expect(listing.failure).toBeNull()
    expect(listing.pullRequests).toHaveLength(3)
    expect(performance.now() - started).toBeGreaterThanOrEqual(950)
    expect(listing.logs).toEqual([expect.stringContaining('; retry-after 1): waiting 1 s before page 1')])
    expect(stand.requests).toHaveLength(3)
  })

  test('a secondary rate limit that names no time is waited out for a minute, then two', async () => {
    const stand = await standIn(closedWithin(3, 1), { answers: [github.secondaryRateLimit(null), github.secondaryRateLimit(null)] })
    const listing = await list(stand)

    expect(listing.failure).toBeNull()
    expect(listing.pullRequests).toHaveLength(3)
    expect(listing.sleeps).toEqual([60_000, 120_000])
  })

  test.each([
    ['a 429 alone, without headers or body', github.raw(429, ''), 60_000],
    ['a 429 with an HTML body', github.raw(429, '<html>slow down</html>', { 'content-type': 'text/html' }), 60_000],
    [
      'a 429 with retry-after as an HTTP date',
      github.answer(429, {}, { 'retry-after': new Date(NOW.getTime() + 45_000).toUTCString() }),
      45_000,
    ],
    ['a 403 with retry-after and another message', github.answer(403, { message: 'Forbidden' }, { 'retry-after': '30' }), 30_000],
    ['a 403 saying rate limit, without x-ratelimit headers', github.answer(403, { message: 'API rate limit exceeded' }), 60_000],
  ])('%s is waited out as a rate limit, then the listing goes on', async (_case, answer, ms) => {
    const stand = await standIn(closedWithin(150, 5), { answers: [undefined, answer] })
    const listing = await list(stand)

    expect(listing.failure).toBeNull()
    expect(listing.pullRequests).toHaveLength(150)
    expect(listing.sleeps).toEqual([ms])
    expect(listing.logs).toEqual([
      expect.stringMatching(
        /^GitHub's rate limit \(HTTP 4\d\d.*\): waiting .* before page 2 of the pull requests of octo-org\/previews\.$/,
      ),
    ])
  })

  test('gives up at once on a wait beyond the bound, saying how long GitHub asked for', async () => {
    const stand = await standIn(closedWithin(3, 1), { answers: [github.primaryRateLimit(NOW.getTime() / 1000 + 3600)] })
    const listing = await list(stand)

    expect(listing.sleeps).toEqual([])
    expect(listing.failure).toContain(
      'asks for a wait of 60 min 1 s before page 1 of the pull requests of octo-org/previews, more than the 15 min left of the 15 min the sweep waits in all',
    )
    expectNoToken(listing)
  })

  test('the bound counts every wait of the listing together', async () => {
    const stand = await standIn(closedWithin(3, 1), {
      answers: [github.secondaryRateLimit(400), github.secondaryRateLimit(400), github.secondaryRateLimit(400)],
    })
    const listing = await list(stand)
    expect(listing.sleeps).toEqual([400_000, 400_000])
    expect(listing.failure).toContain(
      'asks for a wait of 6 min 40 s before page 1 of the pull requests of octo-org/previews, more than the 1 min 40 s left of the 15 min',
    )
  })

  test('a rate limit that asks for no wait at all is given up on after 10 waits, not tried forever', async () => {
    const stand = await standIn([], { answers: () => github.secondaryRateLimit(0, 429) })
    const listing = await list(stand)
    expect(listing.sleeps).toEqual(Array(10).fill(0))
    expect(listing.failure).toContain('held for 10 waits before page 1 of the pull requests of octo-org/previews')
    expect(stand.requests).toHaveLength(11)
  })

  test('cancellation during a rate-limit wait ends the listing at once with a clear error', async () => {
    const stand = await standIn(closedWithin(3, 1), { answers: [github.secondaryRateLimit(60)] })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 200)
    const started = performance.now()
    const listing = await list(stand, { signal: controller.signal, sleep: undefined })
    expect(listing.failure).toBe(
      "Cancelled while waiting out GitHub's rate limit for page 1 of the pull requests of octo-org/previews; no more pull requests were listed.",
    )
    expect(performance.now() - started).toBeLessThan(10_000)
    expect(stand.requests).toHaveLength(1)
  })

  test.each([1, 2])('cancellation while the request for page %i is in flight ends the listing at once', async (page) => {
    const stand = await standIn(closedWithin(150, 5), { answers: (index) => (index === page - 1 ? github.hang() : undefined) })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 300)
    const listing = await list(stand, { signal: controller.signal })
    expect(listing.failure).toContain(`Cancelled while a request was in flight for page ${page}`)
  })

  test('cancellation while the caller works on a pull request stops before the next page is asked for', async () => {
    const stand = await standIn(closedWithin(150, 5))
    const abort = new AbortController()
    const seen: ClosedPullRequest[] = []
    const listing = listClosedPullRequests(sweepOptions(stand, abort.signal))
    await expect(async () => {
      for await (const pullRequest of listing) {
        seen.push(pullRequest)
        if (seen.length === 100) abort.abort()
      }
    }).rejects.toThrow(
      'Cancelled before asking GitHub for page 2 of the pull requests of octo-org/previews; no more pull requests were listed.',
    )
    expect(seen).toHaveLength(100)
    expect(stand.pagesServed).toBe(1)
  })

  test('GitHub errors (5xx) are tried again, and reported after the last try', async () => {
    const flaky = await standIn(closedWithin(3, 1), { answers: [github.answer(502, { message: 'Server Error' })] })
    const recovered = await list(flaky)
    expect(recovered.failure).toBeNull()
    expect(recovered.pullRequests).toHaveLength(3)
    expect(recovered.logs).toEqual([
      expect.stringMatching(
        /^GitHub failed page 1 of the pull requests of octo-org\/previews \(HTTP 502: Server Error\): trying again in .* \(attempt 2 of 3\)\.$/,
      ),
    ])

    const down = await standIn([], { answers: () => github.answer(503, 'upstream connect error') })
    const listing = await list(down)
    expect(listing.failure).toBe(
      `GitHub's API at ${down.url}/ failed page 1 of the pull requests of octo-org/previews 3 times (HTTP 503: upstream connect error). Try again later; the sweep reads GITHUB_API_URL for the API's address.`,
    )
    expect(down.requests).toHaveLength(3)
  })

  test('a GitHub that never answers is given up on after the request timeout, each try', async () => {
    const stand = await standIn([], { answers: () => github.hang() })
    const listing = await list(stand, { requestTimeoutMs: 200, maxAttempts: 2 })
    expect(listing.failure).toContain('2 times (no complete answer within 0.2 s (request-timeout))')
    expect(stand.requests).toHaveLength(2)
  })

  test('an answer that is not a list of pull requests fails with what came back', async () => {
    const stand = await standIn([], { answers: [github.answer(200, { message: 'Moved', items: [] })] })
    const listing = await list(stand)
    expect(listing.failure).toBe(
      `GitHub's answer for page 1 of the pull requests of octo-org/previews is not a list of pull requests: Moved. Is GITHUB_API_URL (${stand.url}/) GitHub's REST API?`,
    )
  })

  test.each([
    ['1e20', '1e+20'],
    ['99999999999999999999', '99999999999999999999'],
    ['8.64e15', '8.64e15'],
  ])('x-ratelimit-reset: %s fails at once, saying how long GitHub asked to wait, not with a crash', async (reset) => {
    const resetting = await standIn(closedWithin(3, 1), {
      answers: [
        (request, response) =>
          void github.answer(
            403,
            { message: 'API rate limit exceeded' },
            { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
          )(request, response),
      ],
    })
    const listing = await list(resetting)
    expect(listing.sleeps).toEqual([])
    expect(listing.failure).toMatch(
      /asks for a wait of [\d,]+ days before page 1 of the pull requests of octo-org\/previews, more than the 15 min left/,
    )
    expect(listing.failure).toMatch(/; resets at (epoch second \S+|\+?\d{6}-\S+|\d{4}-\S+)\)/)
  })
})

describe('a pull request updated while the listing runs', () => {
  test.each([
    ['from the last page to the top, while page 2 is read', 1, 250],
    ['from page 3 to the top, while page 3 is read', 2, 230],
    ['from page 2 to the top, while page 2 is read', 1, 150],
  ])('moved %s: it is listed all the same, by the pass from the top', async (_name, during, moved) => {
    // 300 pull requests, one a day apart in updates, all closed this week: 1 is the newest.
    const pullRequests = Array.from({ length: 300 }, (_, i) =>
      closedPullRequest(i + 1, NOW, 1 + i / 100, { updatedDaysAgo: (i + 1) / 1000 }),
    )
    let stand: StandInGitHub | null = null
    stand = await standIn(pullRequests, {
      answers: (index) => {
        if (index === during) stand!.update(moved, { updated_at: NOW.toISOString() })
        return undefined
      },
    })
    const listing = await list(stand, { clock: () => NOW.getTime() })

    expect(listing.failure).toBeNull()
    expect(new Set(listing.pullRequests.map((pr) => pr.number))).toEqual(new Set(pullRequests.map((pr) => pr.number)))
    expect(listing.pullRequests).toHaveLength(300)
    expect(listing.pullRequests.at(-1)!.number).toBe(moved)
    // Three pages, the top again (where the moved one is found), and the top once more (nothing new).
    expect(stand.pagesServed).toBe(5)
  })
})
