// A stand-in for GitHub's REST API on loopback, for the tests, the end-to-end
// runs of the built action (GITHUB_API_URL = its `url`) and the bench. It
// answers GET {prefix}/repos/{owner}/{repo}/pulls as GitHub does: state,
// sort, direction, per_page and page, with a Link header whose URLs name the
// repository by id, as GitHub's do. Answers can be scripted per request, and
// every request is recorded.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as delay } from 'node:timers/promises'

export interface StandInPullRequest {
  number: number
  state: 'open' | 'closed'
  created_at: string
  updated_at: string
  closed_at: string | null
  merged_at: string | null
  html_url: string
  head: { ref: string; sha: string; [field: string]: unknown }
  [field: string]: unknown
}

export interface GitHubRequest {
  /** When the request line arrived, in ms since the epoch. */
  arrivedAt: number
  method: string
  /** Path and query as sent. */
  path: string
  headers: http.IncomingHttpHeaders
}

/** Answers one request instead of the stand-in; may use the request (e.g. its page). */
export type GitHubAnswer = (request: GitHubRequest, response: http.ServerResponse) => void | Promise<void>

export interface StandInGitHubOptions {
  token: string
  owner: string
  repo: string
  pullRequests: readonly StandInPullRequest[]
  /** `/api/v3` for GitHub Enterprise Server; `url` includes it. */
  pathPrefix?: string
  /** Waited before each answer. */
  latencyMs?: number
  /** Headers added to every page of pull requests, e.g. deprecation; a `link` is added to the page links. */
  headers?: http.OutgoingHttpHeaders
  /** An answer per request index, or undefined for the usual one. */
  answers?: (GitHubAnswer | undefined)[] | ((index: number, request: GitHubRequest) => GitHubAnswer | undefined)
}

export interface StandInGitHub {
  /** The API root to use as GITHUB_API_URL, without a trailing slash. */
  url: string
  origin: string
  repositoryId: number
  requests: GitHubRequest[]
  /** Requests for a page of pull requests that were answered with one. */
  readonly pagesServed: number
  /** Changes a pull request from now on, as GitHub does when one is commented on: a new updated_at moves it in the listing. */
  update(number: number, fields: Partial<StandInPullRequest>): void
  close(): Promise<void>
}

const REPOSITORY_ID = 812_345_678
const DOCS = 'https://docs.github.com/rest'

/** A closed pull request as GitHub lists it; `closedDaysAgo` before `now`, updated then unless given. */
export function closedPullRequest(
  number: number,
  now: Date,
  closedDaysAgo: number,
  fields: Partial<StandInPullRequest> & { updatedDaysAgo?: number; merged?: boolean } = {},
): StandInPullRequest {
  const { updatedDaysAgo = closedDaysAgo, merged = true, ...rest } = fields
  const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z')
  return {
    url: `https://api.github.com/repos/o/r/pulls/${number}`,
    id: 1_000_000 + number,
    number,
    state: 'closed',
    title: `Change ${number}`,
    user: { login: 'octocat', id: 1, type: 'User' },
    created_at: at(closedDaysAgo + 2),
    updated_at: at(updatedDaysAgo),
    closed_at: at(closedDaysAgo),
    merged_at: merged ? at(closedDaysAgo) : null,
    html_url: `https://github.com/o/r/pull/${number}`,
    head: { label: `octocat:feature-${number}`, ref: `feature-${number}`, sha: sha(number) },
    base: { label: 'octocat:main', ref: 'main', sha: sha(0) },
    ...rest,
  }
}

function sha(number: number): string {
  return number.toString(16).padStart(8, '0').repeat(5)
}

export async function startStandInGitHub(options: StandInGitHubOptions): Promise<StandInGitHub> {
  const prefix = (options.pathPrefix ?? '').replace(/\/$/, '')
  const requests: GitHubRequest[] = []
  let pagesServed = 0
  let origin = ''
  const listPath = new Set([`${prefix}/repos/${options.owner}/${options.repo}/pulls`, `${prefix}/repositories/${REPOSITORY_ID}/pulls`])

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const request: GitHubRequest = {
      arrivedAt: performance.timeOrigin + performance.now(),
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
    }
    const index = requests.push(request) - 1
    for await (const chunk of req) void chunk
    if (options.latencyMs) await delay(options.latencyMs)
    const plan = options.answers ?? []
    const scripted = Array.isArray(plan) ? plan[index] : plan(index, request)
    if (scripted) return scripted(request, res)

    const url = new URL(request.path, 'http://stand-in')
    if (!authorized(request.headers.authorization))
      return send(res, 401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' })
    if (request.method !== 'GET' || !listPath.has(url.pathname))
      return send(res, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' })
    const { items, links } = listPage(url)
    pagesServed++
    const { link: extraLink, ...extra } = options.headers ?? {}
    const link = [links, extraLink].filter(Boolean).join(', ')
    send(res, 200, items, { ...extra, ...(link ? { link } : {}) })
  }
  const server = http.createServer((req, res) => void handle(req, res))

  function authorized(header: string | undefined): boolean {
    return header === `token ${options.token}` || header === `Bearer ${options.token}`
  }

  // Sorted once per query shape, so a page costs the same however many pull requests there are (the bench serves thousands).
  const listings = new Map<string, StandInPullRequest[]>()
  function listing(state: string, sort: string, direction: string): StandInPullRequest[] {
    const shape = `${state} ${sort} ${direction}`
    let sorted = listings.get(shape)
    if (!sorted) {
      const key = sort === 'updated' ? 'updated_at' : 'created_at'
      const sign = direction === 'asc' ? 1 : -1
      sorted = options.pullRequests
        .filter((pullRequest) => state === 'all' || pullRequest.state === state)
        .map((pullRequest) => ({ pullRequest, at: Date.parse(pullRequest[key]) }))
        .sort((a, b) => sign * (a.at - b.at) || sign * (a.pullRequest.number - b.pullRequest.number))
        .map(({ pullRequest }) => pullRequest)
      listings.set(shape, sorted)
    }
    return sorted
  }

  function listPage(url: URL): { items: StandInPullRequest[]; links: string } {
    const query = url.searchParams
    const state = query.get('state') ?? 'open'
    const sort = query.get('sort') ?? 'created'
    // GitHub's default: desc for created, asc for the other sorts.
    const direction = query.get('direction') ?? (sort === 'created' ? 'desc' : 'asc')
    const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 30) || 30))
    const page = Math.max(1, Number(query.get('page') ?? 1) || 1)
    const matching = listing(state, sort, direction)
    const lastPage = Math.max(1, Math.ceil(matching.length / perPage))
    const link = (to: number, rel: string) => {
      const target = new URL(`${origin}${prefix}/repositories/${REPOSITORY_ID}/pulls`)
      for (const [name, value] of query) target.searchParams.set(name, value)
      target.searchParams.set('page', String(to))
      return `<${target.href}>; rel="${rel}"`
    }
    const links = [
      ...(page > 1 ? [link(page - 1, 'prev')] : []),
      ...(page < lastPage ? [link(page + 1, 'next'), link(lastPage, 'last')] : []),
      ...(page > 1 ? [link(1, 'first')] : []),
    ].join(', ')
    return { items: matching.slice((page - 1) * perPage, page * perPage), links }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  origin = `http://127.0.0.1:${port}`
  return {
    url: `${origin}${prefix}`,
    origin,
    repositoryId: REPOSITORY_ID,
    requests,
    get pagesServed() {
      return pagesServed
    },
    update(number, fields) {
      Object.assign(
        options.pullRequests.find((pullRequest) => pullRequest.number === number)!,
        fields,
      )
      listings.clear()
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function send(response: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
  response.end(JSON.stringify(body))
}

/** GitHub's answers when something is wrong, to script with `answers`. */
export const github = {
  /** A token GitHub does not know. */
  badCredentials: (): GitHubAnswer => (_request, response) =>
    send(response, 401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' }),
  /** A GITHUB_TOKEN whose workflow does not grant pull-requests: read. */
  resourceNotAccessible: (): GitHubAnswer => (_request, response) =>
    send(response, 403, {
      message: 'Resource not accessible by integration',
      documentation_url: 'https://docs.github.com/rest/pulls/pulls#list-pull-requests',
      status: '403',
    }),
  /** A private repository the token cannot see. */
  notFound: (): GitHubAnswer => (_request, response) =>
    send(response, 404, {
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest/pulls/pulls#list-pull-requests',
      status: '404',
    }),
  /** The primary rate limit: nothing left until `resetEpochSeconds`. */
  primaryRateLimit:
    (resetEpochSeconds: number, status: 403 | 429 = 403): GitHubAnswer =>
    (_request, response) =>
      send(
        response,
        status,
        {
          message: 'API rate limit exceeded for installation ID 1.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
          status: String(status),
        },
        {
          'x-ratelimit-limit': '1000',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-used': '1000',
          'x-ratelimit-reset': String(resetEpochSeconds),
          'x-ratelimit-resource': 'core',
        },
      ),
  /** A secondary rate limit, with retry-after or (null) with no time at all. */
  secondaryRateLimit:
    (retryAfterSeconds: number | null, status: 403 | 429 = 403): GitHubAnswer =>
    (_request, response) =>
      send(
        response,
        status,
        {
          message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
          status: String(status),
        },
        retryAfterSeconds === null ? {} : { 'retry-after': String(retryAfterSeconds) },
      ),
  /** Any status and body, e.g. a 502 from a proxy in front of GitHub Enterprise Server. */
  answer:
    (status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): GitHubAnswer =>
    (_request, response) =>
      send(response, status, body, headers),
  /** A body as written, e.g. JSON that JSON.stringify cannot make. */
  raw:
    (status: number, text: string, headers: http.OutgoingHttpHeaders = {}): GitHubAnswer =>
    (_request, response) => {
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
      response.end(text)
    },
  /** Never answers. */
  hang: (): GitHubAnswer => () => undefined,
}
