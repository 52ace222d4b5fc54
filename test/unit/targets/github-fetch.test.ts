import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, test } from 'vitest'
import { github, type StandInGitHub } from '../../../fakes/stand-in-github.ts'
import { cleanups, closedWithin, list, standIn, TOKEN } from './listing.ts'

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
    expect(listing.failure).toContain('points the next page outside GITHUB_API_URL')
    expect(listing.failure).toContain('The listing stops rather than send the github-token there.')
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
      expect(listing.failure).toBe(
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
    expect(listing.failure).toContain('outside GITHUB_API_URL')
    expect(listing.failure).not.toContain('someone:pw')
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
      expect(listing.failure).toContain(`to http://***@${new URL(stand.url).host}/api/v3/pulls, outside GITHUB_API_URL (${stand.url}/)`)
      expect(listing.failure).not.toMatch(/someone|pw/)
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
    expect(listing.failure).toBeNull()
    expect(listing.pullRequests).toHaveLength(3)
    expect(stand.requests[1]!.path).toMatch(/^\/api\/v3\/repositories\/812345678\/pulls\?/)
    expect(stand.requests.every((request) => request.headers.authorization === `token ${TOKEN}`)).toBe(true)
  })
})

describe('bounded answers', () => {
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
    const listing = await list({ url: server.url }, { requestTimeoutMs: 500 })
    expect(listing.failure).toBeNull()
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
    const listing = await list({ url: server.url }, { maxPageBytes: cap })
    expect(listing.failure).toMatch(
      /^GitHub's answer for page 1 of the pull requests of octo-org\/previews was refused: the answer's body is (8\.0 MiB \(content-length\)|more than 1\.0 MiB), past the 1\.0 MiB the sweep reads of one page/,
    )
    expect(server.attempts()).toBe(1)
  })

  test('a gzip bomb (1 MiB that decodes to 1 GiB) is cut at the cap of decoded bytes, at once', async () => {
    const zlib = await import('node:zlib')
    // 1,024 gzip members of 1 MiB of spaces each, one after another: a decoder reads them as one body (RFC 1952, 2.2),
    // and building it compresses 1 MiB once rather than 1 GiB.
    const member = zlib.gzipSync(Buffer.alloc(1024 * 1024, ' '), { level: 9 })
    const bomb = Buffer.concat(Array.from({ length: 1024 }, () => member))
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
    const listing = await list({ url: server.url }, { maxPageBytes: 4 * 1024 * 1024 })
    expect(listing.failure).toBe(
      "GitHub's answer for page 1 of the pull requests of octo-org/previews was refused: the answer's body is more than 4.0 MiB decoded, past the 4.0 MiB the sweep reads of one page (GitHub's pages of 100 pull requests come to a few MB).",
    )
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024)
    expect(performance.now() - started).toBeLessThan(5000)
    expect(process.memoryUsage().rss - before).toBeLessThan(128 * 1024 * 1024)
    expect(server.attempts()).toBe(1)
  }, 60_000)
})

describe("errors on the action's side are reported at once, as the action's", () => {
  test('a port fetch never connects to ("bad port")', async () => {
    const listing = await list({ url: 'http://127.0.0.1:6000' })
    expect(listing.failure).toBe(
      "The request for page 1 of the pull requests of octo-org/previews could not be made: fetch never connects to port 6000 (a \"bad port\" of the Fetch standard, kept for other protocols): GITHUB_API_URL must name another port. The fault is on the action's side (GITHUB_API_URL, github-token or the runner's settings), not GitHub's, so it was not tried again.",
    )
    expect(listing.logs).toEqual([])
  })
})
