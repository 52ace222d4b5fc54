import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import { linkTargets } from '../../src/targets/github-fetch.ts'
import {
  GitHubListingError,
  judgeGitHubAnswer,
  listClosedPullRequests,
  type ClosedPullRequest,
  type ListClosedPullRequestsOptions,
} from '../../src/targets/pull-requests.ts'
import {
  closedPullRequest,
  github,
  startStandInGitHub,
  type StandInGitHub,
  type StandInGitHubOptions,
  type StandInPullRequest,
} from '../../fakes/stand-in-github.ts'

const TOKEN = 'ghs_secretT0ken4f1c9a7eSweep'
const NOW = new Date('2025-06-30T03:00:00Z')
const cleanups: (() => unknown)[] = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function standIn(pullRequests: StandInPullRequest[], options: Partial<StandInGitHubOptions> = {}): Promise<StandInGitHub> {
  const started = await startStandInGitHub({ token: TOKEN, owner: 'octo-org', repo: 'previews', pullRequests, ...options })
  cleanups.push(() => started.close())
  return started
}

interface Listing {
  pullRequests: ClosedPullRequest[]
  error: GitHubListingError | null
  logs: string[]
  warnings: string[]
  sleeps: number[]
}

/** Lists through the real Octokit against `stand`; sleeps are recorded and return at once unless `sleep` is given. */
async function list(stand: StandInGitHub, options: Partial<ListClosedPullRequestsOptions> = {}): Promise<Listing> {
  const listing: Listing = { pullRequests: [], error: null, logs: [], warnings: [], sleeps: [] }
  try {
    for await (const pullRequest of listClosedPullRequests({
      token: TOKEN,
      baseUrl: stand.url,
      owner: 'octo-org',
      repo: 'previews',
      closedWithinDays: 7,
      now: NOW,
      signal: new AbortController().signal,
      log: (message) => listing.logs.push(message),
      warn: (message) => listing.warnings.push(message),
      sleep: (ms) => Promise.resolve(void listing.sleeps.push(ms)),
      clock: () => NOW.getTime(),
      random: () => 0.5,
      ...options,
    })) {
      listing.pullRequests.push(pullRequest)
    }
  } catch (error) {
    if (!(error instanceof GitHubListingError)) throw error
    listing.error = error
  }
  return listing
}

/** `count` pull requests closed within the last `days` days, numbered from `first`. */
function closedWithin(count: number, days: number, first = 1): StandInPullRequest[] {
  return Array.from({ length: count }, (_, i) => closedPullRequest(first + i, NOW, (days * (i + 0.5)) / count))
}

function expectNoToken(listing: Listing, stand?: StandInGitHub) {
  const text = JSON.stringify({ message: listing.error?.message, logs: listing.logs, warnings: listing.warnings })
  expect(text).not.toContain(TOKEN)
  expect(text).not.toContain(encodeURIComponent(TOKEN))
  if (stand) for (const request of stand.requests) expect(request.headers.authorization).toBe(`token ${TOKEN}`)
}

describe('listClosedPullRequests', () => {
  test('follows the Link pages and lists every pull request closed within the window, with what the sweep needs', async () => {
    const stand = await standIn(closedWithin(250, 6))
    const { pullRequests, error } = await list(stand)

    expect(error).toBeNull()
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
    const listing = listClosedPullRequests({
      token: TOKEN,
      baseUrl: stand.url,
      owner: 'octo-org',
      repo: 'previews',
      closedWithinDays: 7,
      now: NOW,
      signal: new AbortController().signal,
      log: () => undefined,
      warn: () => undefined,
    })
    for (let taken = 0; taken < 100; taken++) await listing.next()
    expect(stand.pagesServed).toBe(1)
    await listing.next()
    expect(stand.pagesServed).toBe(2)
    await listing.return()
    expect(stand.pagesServed).toBe(2)
  })

  test('an empty github-token fails before any request, naming the input', async () => {
    const stand = await standIn(closedWithin(3, 1))
    const listing = await list(stand, { token: '' })
    expect(listing.error).toMatchObject({ failure: 'token-rejected', status: null })
    expect(listing.error!.message).toBe(
      'The github-token input is empty, so the pull requests of octo-org/previews cannot be listed. Leave it at its default, ${{ github.token }}, with `permissions: pull-requests: read` in the workflow, or pass a token.',
    )
    expect(stand.requests).toEqual([])
  })

  test('a pull request that comes again on a later page (the pages shifted while listing) is listed once', async () => {
    const pullRequests = closedWithin(150, 5)
    const stand = await standIn(pullRequests, {
      // Page 2 as GitHub gives it after pull request 100 was updated during the listing: it moved from page 1's end to page 2's start.
      answers: [undefined, (request, response) => github.answer(200, [pullRequests[99], ...pullRequests.slice(100)])(request, response)],
    })
    const { pullRequests: listed, error } = await list(stand)
    expect(error).toBeNull()
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
    expect(listing.error).toMatchObject({ failure: 'unexpected-answer' })
    expect(listing.error!.message).toBe(
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
    expect(listing.error!.message).toMatch(
      /^GitHub's answers for the pull requests of octo-org\/previews went on for more than 30 pages \(3000 pull requests\) without leaving the window; the listing stops rather than read without end\./,
    )
    expect(stand.requests).toHaveLength(30)
  })

  test('lists nothing, in one request, when nothing closed in the window', async () => {
    const stand = await standIn([closedPullRequest(1, NOW, 30)])
    const { pullRequests, error } = await list(stand)
    expect(error).toBeNull()
    expect(pullRequests).toEqual([])
    // The first page, and the first again for what was updated meanwhile.
    expect(stand.requests).toHaveLength(2)
  })

  test.each(['/api/v3', '/api/v3/'])('keeps a GitHub Enterprise Server path prefix in the API URL (%s)', async (suffix) => {
    const stand = await standIn(closedWithin(120, 5), { pathPrefix: '/api/v3' })
    const { pullRequests, error } = await list(stand, { baseUrl: `${stand.origin}${suffix}` })

    expect(error).toBeNull()
    expect(pullRequests).toHaveLength(120)
    expect(stand.requests.map((request) => request.path.split('?')[0])).toEqual([
      '/api/v3/repos/octo-org/previews/pulls',
      `/api/v3/repositories/${stand.repositoryId}/pulls`,
      '/api/v3/repos/octo-org/previews/pulls',
    ])
  })

  test.each([
    ['a bad token (401)', github.badCredentials(), 'token-rejected', 'GitHub rejected the github-token input (HTTP 401: Bad credentials)'],
    [
      'a token without pull-requests: read (403)',
      github.resourceNotAccessible(),
      'permission-missing',
      'The github-token input may not read the pull requests of octo-org/previews (HTTP 403: Resource not accessible by integration)',
    ],
    [
      'a private repository the token cannot see (404)',
      github.notFound(),
      'permission-missing',
      'The github-token input may not read the pull requests of octo-org/previews (HTTP 404: Not Found)',
    ],
  ])('%s fails at once, naming github-token and the permission', async (_name, answer, failure, start) => {
    const stand = await standIn(closedWithin(5, 1), { answers: [answer] })
    const listing = await list(stand)

    expect(listing.pullRequests).toEqual([])
    expect(listing.error).toMatchObject({ failure, status: expect.any(Number) })
    expect(listing.error!.message.startsWith(start)).toBe(true)
    expect(listing.error!.message).toContain('`permissions: pull-requests: read`')
    expect(stand.requests).toHaveLength(1)
    expectNoToken(listing, stand)
  })

  test('a token GitHub echoes back, as sent, percent-encoded or escaped, is redacted from the message', async () => {
    const escaped = [...TOKEN].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')
    const percent = [...TOKEN].map((char) => `%${char.charCodeAt(0).toString(16)}`).join('')
    const stand = await standIn([], {
      answers: [github.answer(403, { message: `token ${TOKEN} or ${encodeURIComponent(TOKEN)} or ${escaped} or ${percent}?` })],
    })
    const listing = await list(stand)
    expect(listing.error!.message).toContain('HTTP 403: token *** or *** or *** or ***?')
    expectNoToken(listing)
  })

  test('waits out the primary rate limit until x-ratelimit-reset, then goes on', async () => {
    const reset = NOW.getTime() / 1000 + 90
    const stand = await standIn(closedWithin(150, 5), { answers: [undefined, github.primaryRateLimit(reset)] })
    const listing = await list(stand)

    expect(listing.error).toBeNull()
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

    expect(listing.error).toBeNull()
    expect(listing.pullRequests).toHaveLength(3)
    expect(performance.now() - started).toBeGreaterThanOrEqual(950)
    expect(listing.logs).toEqual([expect.stringContaining('; retry-after 1): waiting 1 s before page 1')])
    expect(stand.requests).toHaveLength(3)
  })

  test('a secondary rate limit that names no time is waited out for a minute, then two', async () => {
    const stand = await standIn(closedWithin(3, 1), { answers: [github.secondaryRateLimit(null), github.secondaryRateLimit(null)] })
    const listing = await list(stand)

    expect(listing.error).toBeNull()
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

    expect(listing.error).toBeNull()
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
    const listing = await list(stand, { maxWaitMs: 15 * 60_000 })

    expect(listing.sleeps).toEqual([])
    expect(listing.error).toMatchObject({ failure: 'rate-limited', status: 403 })
    expect(listing.error!.message).toContain(
      'asks for a wait of 60 min 1 s before page 1 of the pull requests of octo-org/previews, more than the 15 min left of the 15 min the sweep waits in all',
    )
    expectNoToken(listing)
  })

  test('the bound counts every wait of the listing together', async () => {
    const stand = await standIn(closedWithin(3, 1), {
      answers: [github.secondaryRateLimit(400), github.secondaryRateLimit(400), github.secondaryRateLimit(400)],
    })
    const listing = await list(stand, { maxWaitMs: 15 * 60_000 })
    expect(listing.sleeps).toEqual([400_000, 400_000])
    expect(listing.error!.message).toContain(
      'asks for a wait of 6 min 40 s before page 1 of the pull requests of octo-org/previews, more than the 1 min 40 s left of the 15 min',
    )
  })

  test('a rate limit that asks for no wait at all is given up on after 10 waits, not tried forever', async () => {
    const stand = await standIn([], { answers: () => github.secondaryRateLimit(0, 429) })
    const listing = await list(stand)
    expect(listing.sleeps).toEqual(Array(10).fill(0))
    expect(listing.error).toMatchObject({ failure: 'rate-limited', status: 429 })
    expect(listing.error!.message).toContain('held for 10 waits before page 1 of the pull requests of octo-org/previews')
    expect(stand.requests).toHaveLength(11)
  })

  test('cancellation during a rate-limit wait ends the listing at once with a clear error', async () => {
    const stand = await standIn(closedWithin(3, 1), { answers: [github.secondaryRateLimit(60)] })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 200)
    const started = performance.now()
    const listing = await list(stand, { signal: controller.signal, sleep: undefined })

    expect(listing.error).toMatchObject({ failure: 'cancelled', status: null })
    expect(listing.error!.message).toBe(
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
    expect(listing.error).toMatchObject({ failure: 'cancelled' })
    expect(listing.error!.message).toContain(`Cancelled while a request was in flight for page ${page}`)
  })

  test('cancellation while the caller works on a pull request stops before the next page is asked for', async () => {
    const stand = await standIn(closedWithin(150, 5))
    const abort = new AbortController()
    const seen: ClosedPullRequest[] = []
    const listing = listClosedPullRequests({
      token: TOKEN,
      baseUrl: stand.url,
      owner: 'octo-org',
      repo: 'previews',
      closedWithinDays: 7,
      now: NOW,
      signal: abort.signal,
      log: () => undefined,
      warn: () => undefined,
    })
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
    expect(recovered.error).toBeNull()
    expect(recovered.pullRequests).toHaveLength(3)
    expect(recovered.logs).toEqual([
      expect.stringMatching(
        /^GitHub failed page 1 of the pull requests of octo-org\/previews \(HTTP 502: Server Error\): trying again in .* \(attempt 2 of 3\)\.$/,
      ),
    ])

    const down = await standIn([], { answers: () => github.answer(503, 'upstream connect error') })
    const listing = await list(down)
    expect(listing.error).toMatchObject({ failure: 'unavailable', status: 503 })
    expect(listing.error!.message).toBe(
      `GitHub's API at ${down.url}/ failed page 1 of the pull requests of octo-org/previews 3 times (HTTP 503: upstream connect error). Try again later; the sweep reads GITHUB_API_URL for the API's address.`,
    )
    expect(down.requests).toHaveLength(3)
  })

  test('a GitHub that never answers is given up on after the request timeout, each try', async () => {
    const stand = await standIn([], { answers: () => github.hang() })
    const listing = await list(stand, { requestTimeoutMs: 200, maxAttempts: 2 })
    expect(listing.error).toMatchObject({ failure: 'unavailable', status: null })
    expect(listing.error!.message).toContain('2 times (no complete answer within 0.2 s (request-timeout))')
    expect(stand.requests).toHaveLength(2)
  })

  test('an answer that is not a list of pull requests fails with what came back', async () => {
    const stand = await standIn([], { answers: [github.answer(200, { message: 'Moved', items: [] })] })
    const listing = await list(stand)
    expect(listing.error).toMatchObject({ failure: 'unexpected-answer' })
    expect(listing.error!.message).toBe(
      `GitHub's answer for page 1 of the pull requests of octo-org/previews is not a list of pull requests: Moved. Is GITHUB_API_URL (${stand.url}/) GitHub's REST API?`,
    )
  })
})

describe('the github-token goes only to GITHUB_API_URL', () => {
  async function elsewhere(): Promise<{ url: string; requests: http.IncomingHttpHeaders[] }> {
    const requests: http.IncomingHttpHeaders[] = []
    const server = http.createServer((req, res) => {
      requests.push(req.headers)
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('[]')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise((resolve) => server.close(resolve)))
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests }
  }

  test.each([
    ['another origin', (other: string) => `${other}/repositories/1/pulls?page=2`],
    ['a path outside the API root', (_other: string, stand: StandInGitHub) => `${stand.origin}/elsewhere/pulls?page=2`],
  ])('a Link to %s is refused, and nothing is sent there', async (_name, target) => {
    const other = await elsewhere()
    const stand = await standIn([], {
      pathPrefix: '/api/v3',
      answers: [(request, response) => github.answer(200, [], { link: `<${target(other.url, stand)}>; rel="next"` })(request, response)],
    })
    const listing = await list(stand)

    expect(listing.error).toMatchObject({ failure: 'unexpected-answer' })
    expect(listing.error!.message).toContain('points the next page outside GITHUB_API_URL')
    expect(listing.error!.message).toContain('The listing stops rather than send the github-token there.')
    expect(other.requests).toEqual([])
    expect(stand.requests).toHaveLength(1)
  })

  test.each([301, 302, 303, 307, 308])(
    'a redirect (HTTP %i) to another origin is not followed at all, and its list never used',
    async (status) => {
      const other = await elsewhere()
      const redirecting = await standIn([], {
        answers: [github.answer(status, {}, { location: `${other.url}/repositories/1/pulls?page=1` })],
      })
      const listing = await list(redirecting)

      expect(listing.error).toMatchObject({ failure: 'unexpected-answer' })
      expect(listing.error!.message).toBe(
        `GitHub's answer for page 1 of the pull requests of octo-org/previews was refused: GitHub answered with a redirect (HTTP ${status}) to ${other.url}/repositories/1/pulls, outside GITHUB_API_URL (${redirecting.url}/); it is not followed, so the github-token goes only to GITHUB_API_URL.`,
      )
      expect(other.requests).toEqual([])
      expect(redirecting.requests).toHaveLength(1)
    },
  )

  test.each([
    ['a path outside the API root', (stand: StandInGitHub) => `${stand.origin}/elsewhere/pulls`],
    ['a path that climbs out of it', (stand: StandInGitHub) => `${stand.origin}/api/v3/../pulls`],
    ['a neighbour of the API root', (stand: StandInGitHub) => `${stand.origin}/api/v3x/pulls`],
    ['the same origin with user-info', (stand: StandInGitHub) => stand.url.replace('http://', 'http://someone:pw@') + '/pulls'],
  ])('a redirect to %s, though on the same origin, is not followed: the token does not go there', async (_name, target) => {
    let stand: StandInGitHub | null = null
    stand = await standIn([], {
      pathPrefix: '/api/v3',
      answers: [(request, response) => github.answer(301, {}, { location: target(stand!) })(request, response)],
    })
    const listing = await list(stand)
    expect(listing.error!.message).toContain('outside GITHUB_API_URL')
    expect(listing.error!.message).not.toContain('someone:pw')
    expect(stand.requests).toHaveLength(1)
  })

  test.each(['someone:pw@', 'someone@', ':pw@'])(
    'a redirect into GITHUB_API_URL with user-info %s says that is why it is refused, never what it holds',
    async (userInfo) => {
      let stand: StandInGitHub | null = null
      stand = await standIn([], {
        pathPrefix: '/api/v3',
        answers: [
          (request, response) =>
            github.answer(301, {}, { location: `${stand!.url.replace('http://', `http://${userInfo}`)}/pulls` })(request, response),
        ],
      })
      const listing = await list(stand)
      expect(listing.error!.message).toContain(
        `to http://***@${new URL(stand.url).host}/api/v3/pulls, outside GITHUB_API_URL (${stand.url}/)`,
      )
      expect(listing.error!.message).not.toMatch(/someone|pw/)
    },
  )

  test('a redirect within GITHUB_API_URL (a renamed repository) is followed, with the token', async () => {
    const stand = await standIn(closedWithin(3, 1), {
      pathPrefix: '/api/v3',
      answers: [
        (request, response) =>
          github.answer(
            301,
            { message: 'Moved Permanently' },
            { location: `/api/v3/repositories/812345678/pulls?${request.path.split('?')[1]}` },
          )(request, response),
      ],
    })
    const listing = await list(stand)
    expect(listing.error).toBeNull()
    expect(listing.pullRequests).toHaveLength(3)
    expect(stand.requests[1]!.path).toMatch(/^\/api\/v3\/repositories\/812345678\/pulls\?/)
    expect(stand.requests.every((request) => request.headers.authorization === `token ${TOKEN}`)).toBe(true)
  })
})

describe('judgeGitHubAnswer', () => {
  const now = NOW.getTime()
  const judge = (status: number, headers: Record<string, string> = {}, message = '', headerlessWaits = 0) =>
    judgeGitHubAnswer({ status, headers, message }, { now, headerlessWaits })

  test('retry-after wins over x-ratelimit-reset', () => {
    expect(judge(403, { 'retry-after': '30', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 600) })).toMatchObject({
      kind: 'wait',
      ms: 30_000,
    })
  })

  test('a reset already past (clocks differ) waits a second', () => {
    expect(judge(429, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 - 5) })).toMatchObject({
      kind: 'wait',
      ms: 1000,
    })
  })

  test.each(['', ' ', '0x10', 'NaN', 'Infinity', 'soon', '1,5'])(
    'x-ratelimit-reset %j names no time: waited out as a rate limit without one, not as a reset in 1970',
    (reset) => {
      expect(judge(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }, 'API rate limit exceeded')).toEqual({
        kind: 'wait',
        ms: 60_000,
        headerless: true,
        detail: 'HTTP 403: API rate limit exceeded',
      })
    },
  )

  test('a rate limit with no time waits a minute, doubling on each repeat', () => {
    expect(judge(429, {}, 'You have exceeded a secondary rate limit.')).toMatchObject({ kind: 'wait', ms: 60_000, headerless: true })
    expect(judge(403, {}, 'You have exceeded a secondary rate limit.', 2)).toMatchObject({ kind: 'wait', ms: 240_000 })
  })

  test('a 403 without a rate limit sign is a missing permission, not a wait', () => {
    expect(judge(403, { 'x-ratelimit-remaining': '4999' }, 'Resource not accessible by integration')).toMatchObject({
      kind: 'fail',
      failure: 'permission-missing',
    })
  })

  test('other answers', () => {
    expect(judge(401)).toMatchObject({ kind: 'fail', failure: 'token-rejected' })
    // GitHub documents 429 as a rate limit, whatever else it says: waited out as one that names no time.
    expect(judge(429)).toMatchObject({ kind: 'wait', ms: 60_000, headerless: true })
    expect(judge(403, { 'retry-after': '5' })).toMatchObject({ kind: 'wait', ms: 5000 })
    expect(judge(403, { 'x-ratelimit-remaining': ' 0 ' }, '')).toMatchObject({ kind: 'wait', headerless: true })
    expect(judge(403, {}, 'API rate limit exceeded for user ID 1.')).toMatchObject({ kind: 'wait', headerless: true })
    expect(judge(422, {}, 'Validation Failed')).toMatchObject({
      kind: 'fail',
      failure: 'unexpected-answer',
      detail: 'HTTP 422: Validation Failed',
    })
    expect(judge(500)).toMatchObject({ kind: 'retry' })
    expect(judgeGitHubAnswer({ status: null, headers: {}, message: 'no answer: ECONNRESET' }, { now, headerlessWaits: 0 })).toMatchObject({
      kind: 'retry',
    })
  })
})

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

    expect(listing.error).toBeNull()
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
    expect(listing.error).toBeNull()
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
    expect(listing.error?.message).toMatch(/is not a list of pull requests: .*Is GITHUB_API_URL/)
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

    expect(listing.error).toBeNull()
    expect(new Set(listing.pullRequests.map((pr) => pr.number))).toEqual(new Set(pullRequests.map((pr) => pr.number)))
    expect(listing.pullRequests).toHaveLength(300)
    expect(listing.pullRequests.at(-1)!.number).toBe(moved)
    // Three pages, the top again (where the moved one is found), and the top once more (nothing new).
    expect(stand.pagesServed).toBe(5)
  })
})

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
      expect(listing.error).toBeNull()
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

describe('bounded answers', () => {
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
    expect(listing.error).toMatchObject({ failure: 'rate-limited', status: 403 })
    expect(listing.error!.message).toMatch(
      /asks for a wait of [\d,]+ days before page 1 of the pull requests of octo-org\/previews, more than the 15 min left/,
    )
    expect(listing.error!.message).toMatch(/; resets at (epoch second \S+|\+?\d{6}-\S+|\d{4}-\S+)\)/)
  })

  /** A server whose page 1 is written by `write` (a raw HTTP response); the listing then gets an empty page. */
  async function rawServer(
    write: (socket: import('node:net').Socket, attempt: number) => void,
  ): Promise<{ url: string; attempts: () => number }> {
    const net = await import('node:net')
    let attempts = 0
    const server = net.createServer((socket) => {
      socket.once('data', (chunk) => {
        const firstPage = !/[?&]page=/.test(chunk.toString('latin1').split('\r\n')[0]!)
        if (firstPage) write(socket, ++attempts)
        else socket.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n[]')
      })
      socket.on('error', () => undefined)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise((resolve) => server.close(resolve)))
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, attempts: () => attempts }
  }

  const body = JSON.stringify(closedWithin(3, 1))
  const whole = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`

  test.each([
    [
      'reset half-way through the body',
      (socket: import('node:net').Socket) => socket.end(whole.slice(0, whole.length - body.length / 2), () => socket.destroy()),
    ],
    ['cut off after the headers', (socket: import('node:net').Socket) => socket.end(whole.slice(0, whole.length - body.length))],
    [
      'trickling past the request timeout',
      (socket: import('node:net').Socket) => {
        socket.write(whole.slice(0, whole.length - body.length + 10))
        const timer = setInterval(() => socket.write(' '), 50)
        socket.on('close', () => clearInterval(timer))
      },
    ],
  ])('a body %s is a network failure: tried again, then listed', async (_name, broken) => {
    const server = await rawServer((socket, attempt) => (attempt === 1 ? broken(socket) : socket.end(whole)))
    const listing = await list({ url: server.url } as StandInGitHub, { requestTimeoutMs: 500 })
    expect(listing.error).toBeNull()
    expect(listing.pullRequests).toHaveLength(3)
    // The broken answer, the one tried again, and page 1 again from the top.
    expect(server.attempts()).toBe(3)
    expect(listing.logs).toEqual([
      expect.stringMatching(
        /^GitHub failed page 1 of the pull requests of octo-org\/previews \((no answer: |no complete answer).*\): trying again in .* \(attempt 2 of 3\)\.$/,
      ),
    ])
    expect(listing.logs[0]).not.toContain('empty body')
  })

  test.each([
    ['with a content-length past the cap', (size: number) => ({ headers: { 'content-length': String(size) }, chunks: 1 })],
    ['chunked, past the cap', () => ({ headers: { 'transfer-encoding': 'chunked' }, chunks: 64 })],
  ])('a page %s is refused after reading at most the cap, and not tried again', async (_name, shape) => {
    const cap = 1024 * 1024
    let written = 0
    const server = await rawServer((socket) => {
      const { headers, chunks } = shape(8 * cap)
      socket.write(
        `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n${Object.entries(headers)
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('')}\r\n`,
      )
      const chunk = '['.padEnd(cap / 8, ' ')
      const chunked = headers['transfer-encoding' as keyof typeof headers] !== undefined
      const send = () => {
        if (socket.destroyed || written >= 8 * cap) return socket.end()
        written += chunk.length
        socket.write(chunked ? `${chunk.length.toString(16)}\r\n${chunk}\r\n` : chunk, send)
      }
      if (chunks > 1 || !headers['content-length' as keyof typeof headers]) send()
      else socket.end()
    })
    const listing = await list({ url: server.url } as StandInGitHub, { maxPageBytes: cap })
    expect(listing.error).toMatchObject({ failure: 'unexpected-answer' })
    expect(listing.error!.message).toMatch(
      /^GitHub's answer for page 1 of the pull requests of octo-org\/previews was refused: the answer's body is (8\.0 MiB \(content-length\)|more than 1\.0 MiB), past the 1\.0 MiB the sweep reads of one page/,
    )
    expect(server.attempts()).toBe(1)
  })

  test('a gzip bomb (1 MiB that decodes to 1 GiB) is cut at the cap of decoded bytes, at once', async () => {
    const zlib = await import('node:zlib')
    const gzip = zlib.createGzip({ level: 9 })
    const compressed: Buffer[] = []
    gzip.on('data', (chunk: Buffer) => compressed.push(chunk))
    const zeros = Buffer.alloc(1024 * 1024, ' ')
    for (let i = 0; i < 1024; i++) if (!gzip.write(zeros)) await new Promise((resolve) => gzip.once('drain', resolve))
    await new Promise((resolve) => gzip.end(resolve))
    const bomb = Buffer.concat(compressed)
    const server = await rawServer((socket) => {
      socket.end(
        Buffer.concat([
          Buffer.from(
            `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\ncontent-length: ${bomb.length}\r\n\r\n`,
          ),
          bomb,
        ]),
      )
    })
    const before = process.memoryUsage().rss
    const started = performance.now()
    const listing = await list({ url: server.url } as StandInGitHub, { maxPageBytes: 4 * 1024 * 1024 })
    expect(listing.error!.message).toBe(
      "GitHub's answer for page 1 of the pull requests of octo-org/previews was refused: the answer's body is more than 4.0 MiB decoded, past the 4.0 MiB the sweep reads of one page (GitHub's pages of 100 pull requests come to a few MB).",
    )
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024)
    expect(performance.now() - started).toBeLessThan(5000)
    expect(process.memoryUsage().rss - before).toBeLessThan(128 * 1024 * 1024)
    expect(server.attempts()).toBe(1)
  }, 60_000)
})

describe('Link headers, as RFC 8288 writes them', () => {
  test.each([
    ['rel="next"', (url: string) => `<${url}>; rel="next"`],
    ['rel=next, unquoted', (url: string) => `<${url}>; rel=next`],
    ['rel="next last", two relation types', (url: string) => `<${url}>; rel="next last"`],
    ['REL=NEXT, in capitals', (url: string) => `<${url}>;REL=NEXT`],
    [
      'params in another order, spaces around',
      (url: string) => `<https://x.invalid/p>; rel="prev", < ${url} > ;  title="page, next" ;rel = "next" `,
    ],
    ['a second rel ignored', (url: string) => `<${url}>; rel="next"; rel="prev"`],
    ['a query alone, relative to the page', (url: string) => `<${new URL(url).search}>; rel="next"`],
    ['a path relative to the page', (url: string) => `<pulls${new URL(url).search}>; rel="next"`],
    ['a path from the root', (url: string) => `<${new URL(url).pathname}${new URL(url).search}>; rel="next"`],
  ])('%s: every page is listed', async (_name, link) => {
    const pullRequests = closedWithin(250, 5)
    let origin = ''
    const stand = await standIn(pullRequests, {
      answers: (index) =>
        index < 3
          ? (request, response) => {
              const page = index + 1
              const next = `${origin}/repos/octo-org/previews/pulls?state=closed&sort=updated&direction=desc&per_page=100&page=${page + 1}`
              void github.answer(200, pullRequests.slice(index * 100, page * 100), page < 3 ? { link: link(next) } : {})(request, response)
            }
          : undefined,
    })
    origin = stand.origin
    const listing = await list(stand)
    expect(listing.error).toBeNull()
    expect(listing.pullRequests).toHaveLength(250)
    // A relative target is resolved against the page it came with, as RFC 3986 says, not against GITHUB_API_URL.
    expect(new Set(stand.requests.map((request) => request.path.split('?')[0]))).toEqual(new Set(['/repos/octo-org/previews/pulls']))
  })

  test('linkTargets reads each link of a header by its relation types', () => {
    const header = '<https://a.test/1>; rel="prev first", <https://a.test/,2>; rel="next", <https://a.test/3>; rel=last; title="a, \\"b\\""'
    expect(linkTargets(header, 'next')).toEqual(['https://a.test/,2'])
    expect(linkTargets(header, 'first')).toEqual(['https://a.test/1'])
    expect(linkTargets(header, 'LAST')).toEqual(['https://a.test/3'])
    expect(linkTargets('', 'next')).toEqual([])
    expect(linkTargets('<https://a.test/1>; rel="nextish"', 'next')).toEqual([])
    expect(linkTargets('<broken', 'next')).toEqual([])
  })
})

describe("errors on the action's side are reported at once, as the action's", () => {
  test('a port fetch never connects to ("bad port")', async () => {
    const listing = await list({ url: 'http://127.0.0.1:6000' } as StandInGitHub)
    expect(listing.error).toMatchObject({ failure: 'not-sent', status: null })
    expect(listing.error!.message).toBe(
      "The request for page 1 of the pull requests of octo-org/previews could not be made: fetch never connects to port 6000 (a \"bad port\" of the Fetch standard, kept for other protocols): GITHUB_API_URL must name another port. The fault is on the action's side (GITHUB_API_URL, github-token or the runner's settings), not GitHub's, so it was not tried again.",
    )
    expect(listing.logs).toEqual([])
  })

  test.each(['\n', '\r\n', '\u0000'])(
    'a github-token holding %j, which a header cannot carry: not sent, not retried, and not shown',
    async (breaking) => {
      const stand = await standIn(closedWithin(3, 1))
      const token = `${TOKEN}${breaking}more`
      const listing = await list(stand, { token })
      expect(listing.error).toMatchObject({ failure: 'not-sent' })
      expect(listing.error!.message).toContain('does github-token hold a line break, or another character a header cannot carry?')
      expect(listing.error!.message).not.toContain(TOKEN)
      expect(stand.requests).toEqual([])
      expect(listing.logs).toEqual([])
    },
  )

  test('GITHUB_API_URL’s user-info is never repeated', async () => {
    const stand = await standIn([], { answers: () => github.answer(503, 'down') })
    const listing = await list(stand, { baseUrl: stand.url.replace('http://', 'http://octo:hunter2@'), maxAttempts: 1 })
    expect(listing.error!.message).toContain(`GitHub's API at ${stand.url}/ failed page 1`)
    expect(JSON.stringify(listing)).not.toContain('hunter2')
  })
})
