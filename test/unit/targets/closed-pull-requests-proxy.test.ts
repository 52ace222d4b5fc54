// The GitHub client's proxy comes from the environment (src/http/proxy.ts), so this
// file sets it before listing (vitest runs each test file in a process of its own).
import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, test, vi } from 'vitest'
import { closedPullRequest, startStandInGitHub, type StandInGitHub } from '../../../fakes/stand-in-github.ts'

const TOKEN = 'ghs_proxyT0kenSweep8c2d'
const NOW = new Date('2025-06-30T03:00:00Z')
const API_URL = 'http://github.example.invalid/api/v3'
let github: StandInGitHub
let proxy: http.Server
const tunnels: string[] = []

beforeAll(async () => {
  github = await startStandInGitHub({
    token: TOKEN,
    owner: 'octo-org',
    repo: 'previews',
    pathPrefix: '/api/v3',
    pullRequests: Array.from({ length: 3 }, (_, i) => closedPullRequest(i + 1, NOW, 1)),
  })
  // A CONNECT proxy that tunnels every host to the stand-in, as a corporate proxy would to GitHub.
  proxy = http.createServer((_req, res) => res.writeHead(405).end())
  proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push(req.url ?? '')
    const upstream = net.connect(Number(new URL(github.origin).port), '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(client).pipe(upstream)
    })
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  vi.stubEnv('GITHUB_API_URL', API_URL)
  vi.stubEnv('http_proxy', '')
  vi.stubEnv('HTTP_PROXY', `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`)
  vi.stubEnv('no_proxy', '')
  vi.stubEnv('NO_PROXY', '')
})

afterAll(async () => {
  vi.unstubAllEnvs()
  proxy.closeAllConnections()
  await new Promise((resolve) => proxy.close(resolve))
  await github.close()
})

test('requests to GITHUB_API_URL go through HTTP_PROXY', async () => {
  const { listClosedPullRequests } = await import('../../../src/targets/closed-pull-requests.ts')
  const listed = []
  for await (const pullRequest of listClosedPullRequests({
    token: TOKEN,
    baseUrl: API_URL,
    owner: 'octo-org',
    repo: 'previews',
    closedWithinDays: 7,
    now: NOW,
    signal: new AbortController().signal,
    log: () => undefined,
    warn: () => undefined,
    requestTimeoutMs: 30_000,
    maxAttempts: 3,
  })) {
    listed.push(pullRequest.number)
  }

  expect(listed).toEqual([3, 2, 1])
  expect(tunnels.every((tunnel) => tunnel === 'github.example.invalid:80')).toBe(true)
  // The page, and the page again from the top for what was updated meanwhile.
  expect(github.requests.map((request) => [request.path.split('?')[0], request.headers.host, request.headers.authorization])).toEqual([
    ['/api/v3/repos/octo-org/previews/pulls', 'github.example.invalid', `token ${TOKEN}`],
    ['/api/v3/repos/octo-org/previews/pulls', 'github.example.invalid', `token ${TOKEN}`],
  ])
})
