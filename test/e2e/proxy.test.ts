// HTTPS_PROXY / HTTP_PROXY / NO_PROXY end to end: the client in its own
// process, a real CONNECT proxy process, and an https stand-in control plane
// whose certificate comes from a private CA trusted through NODE_EXTRA_CA_CERTS.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Attempt } from '../../src/deletion/post.ts'
import { BUILT_ACTION } from './support/bundle.ts'
import { startFaultServer, type FaultServer } from '../../fakes/fault-server.ts'
import { runAction } from '../../fakes/run-action.ts'
import { createPrivateCa, type PrivateCa } from '../../fakes/private-ca.ts'
import { sampleBody, sampleManifest } from '../support/sample-manifests.ts'
import { closedPullRequest, startStandInGitHub } from '../../fakes/stand-in-github.ts'

const TOKEN = 'tfy-secret/proxy+test=='
/** A name only the proxy resolves (to 127.0.0.1): the toolkit never proxies localhost or 127.*, and a direct attempt cannot reach it. */
const HOST = 'control-plane.test'
/** The same for GitHub's API: only the proxy resolves it. */
const GITHUB_HOST = 'github.test'
const PROXY_PROCESS = fileURLToPath(new URL('../../fakes/proxy-process.ts', import.meta.url))
const CLIENT_PROCESS = fileURLToPath(new URL('./support/client-process.ts', import.meta.url))

interface Proxy {
  url: string
  connects: { connect: string; headers: Record<string, string> }[]
  captured(): Promise<string>
  stop(): void
}

async function startProxy(dir: string, refuse = false): Promise<Proxy> {
  const capture = path.join(dir, `capture-${Math.random().toString(36).slice(2)}`)
  await writeFile(capture, '')
  const child: ChildProcess = spawn(process.execPath, [PROXY_PROCESS], {
    env: {
      PATH: process.env.PATH ?? '',
      PROXY_HOSTS: JSON.stringify({ [HOST]: '127.0.0.1', [GITHUB_HOST]: '127.0.0.1' }),
      PROXY_CAPTURE: capture,
      PROXY_REFUSE: refuse ? '1' : '0',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const connects: Proxy['connects'] = []
  const port = await new Promise<number>((resolve) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const message = JSON.parse(line) as { port?: number; connect?: string; headers?: Record<string, string> }
      if (message.port) resolve(message.port)
      else connects.push(message as Proxy['connects'][number])
    })
  })
  return { url: `http://127.0.0.1:${port}`, connects, captured: () => readFile(capture, 'latin1'), stop: () => child.kill() }
}

interface ClientRun {
  proxy: string | null
  check: Attempt
  attempt: Attempt
}

function runClient(url: string, env: Record<string, string>): Promise<ClientRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLIENT_PROCESS, url, TOKEN, sampleBody(0)], { env: { PATH: process.env.PATH ?? '', ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(stdout) as ClientRun) : reject(new Error(`client exited ${code}: ${stderr}`)),
    )
  })
}

describe('behind a proxy, with a private CA', () => {
  let dir: string
  let ca: PrivateCa
  let stand: FaultServer
  let proxy: Proxy
  let controlPlaneUrl: string

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'proxy-test-'))
    ca = await createPrivateCa()
    const tls = await ca.serverCertificate([`DNS:${HOST}`, 'DNS:localhost', 'IP:127.0.0.1'])
    stand = await startFaultServer({ token: TOKEN, tls, urlHost: HOST, existing: ['previews/model-0@1'] })
    controlPlaneUrl = stand.url
    proxy = await startProxy(dir)
  }, 30_000)

  afterAll(async () => {
    proxy?.stop()
    await stand?.close()
    await ca?.remove()
    await rm(dir, { recursive: true, force: true })
  })

  test.each(['HTTPS_PROXY', 'https_proxy'])(
    '%s: requests go through the proxy, in a CONNECT tunnel the token never shows in',
    async (variable) => {
      stand.existing.add('previews/model-0@1')
      const before = { connects: proxy.connects.length, requests: stand.requests.length }
      const run = await runClient(controlPlaneUrl, { [variable]: proxy.url, NODE_EXTRA_CA_CERTS: ca.caFile })

      expect(run.proxy).toBe(proxy.url)
      expect(run.check).toMatchObject({ kind: 'response', status: 422 })
      expect(run.attempt).toMatchObject({ kind: 'response', status: 200 })
      const connects = proxy.connects.slice(before.connects)
      expect(connects.length).toBeGreaterThanOrEqual(1)
      expect(connects.every((seen) => seen.connect === new URL(controlPlaneUrl).host)).toBe(true)
      expect(JSON.stringify(connects)).not.toContain(TOKEN)
      // Every byte the proxy received: CONNECT lines, then TLS records.
      const captured = await proxy.captured()
      expect(captured).toContain(`CONNECT ${new URL(controlPlaneUrl).host}`)
      expect(captured).not.toContain(TOKEN)
      expect(captured).not.toContain('artifact-versions')
      expect(stand.requests.slice(before.requests).map((request) => request.headers.authorization)).toEqual([`Bearer ${TOKEN}`])
    },
  )

  test('NO_PROXY naming the host: the proxy is bypassed (and the name, which only the proxy resolves, does not resolve)', async () => {
    const before = proxy.connects.length
    const run = await runClient(controlPlaneUrl, {
      HTTPS_PROXY: proxy.url,
      NO_PROXY: `example.com, ${HOST}`,
      NODE_EXTRA_CA_CERTS: ca.caFile,
    })
    expect(run.proxy).toBeNull()
    expect(run.check).toMatchObject({
      kind: 'error',
      cause: 'network',
      sent: false,
      reason: expect.stringContaining('the host name did not resolve'),
    })
    expect(proxy.connects.length).toBe(before)
  })

  test('loopback is never proxied, as the toolkit decides', async () => {
    const before = proxy.connects.length
    const run = await runClient(controlPlaneUrl.replace(HOST, '127.0.0.1'), { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: ca.caFile })
    expect(run.proxy).toBeNull()
    expect(run.check).toMatchObject({ kind: 'response', status: 422 })
    expect(proxy.connects.length).toBe(before)
  })

  test('without NODE_EXTRA_CA_CERTS, the private CA is not trusted through the proxy either: a certificate error, not retried', async () => {
    const run = await runClient(controlPlaneUrl, { HTTPS_PROXY: proxy.url })
    expect(run.check).toMatchObject({ kind: 'error', cause: 'certificate', sent: false })
    expect(run.check.kind === 'error' && run.check.reason).toContain('NODE_EXTRA_CA_CERTS=/path/to/ca.pem')
  })

  test('a proxy that refuses the tunnel: a message naming the proxy and what to check', async () => {
    const refusing = await startProxy(dir, true)
    try {
      const run = await runClient(controlPlaneUrl, { HTTPS_PROXY: refusing.url, NODE_EXTRA_CA_CERTS: ca.caFile })
      expect(run.check).toEqual({
        kind: 'error',
        cause: 'network',
        sent: false,
        reason: `the proxy ${refusing.url} refused to open a tunnel to the control plane (HTTP 407): check HTTPS_PROXY / HTTP_PROXY (and the user:password in it), or list the host in NO_PROXY`,
      })
    } finally {
      refusing.stop()
    }
  })

  test('the built action, as the runner runs it, deletes through the proxy with the CA from NODE_EXTRA_CA_CERTS', async () => {
    stand.existing.add('previews/model-0@1')
    const before = { connects: proxy.connects.length, requests: stand.requests.length }
    const workspace = await mkdtemp(path.join(dir, 'workspace-'))
    await writeFile(path.join(workspace, 'model.json'), JSON.stringify(sampleManifest(0)))
    const run = await runAction({
      entry: BUILT_ACTION,
      workspace,
      inputs: { 'manifest-path': '*.json', 'control-plane-url': controlPlaneUrl, token: TOKEN },
      env: { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: ca.caFile },
    })
    expect(run.exitCode, run.stdout).toBe(0)
    expect(run.stdout).toContain(`Sending to ${controlPlaneUrl}/api/ml/v1/artifact-versions through the proxy ${proxy.url},`)
    expect(JSON.parse(run.outputs.results!)).toMatchObject([{ status: 'deleted', attempts: 1, http_status: 200 }])
    expect(stand.requests.slice(before.requests)).toHaveLength(1)
    expect(proxy.connects.slice(before.connects).every((seen) => seen.connect === new URL(controlPlaneUrl).host)).toBe(true)
    expect(proxy.connects.length).toBeGreaterThan(before.connects)
    expect(await proxy.captured()).not.toContain(TOKEN)
  })

  describe('one rule for both clients: the control plane’s and GitHub’s', () => {
    test('a proxy URL with a user name only sends it as Proxy-Authorization, for the control plane and for GitHub', async () => {
      const userOnly = proxy.url.replace('http://', 'http://someone@')
      const expected = `Basic ${Buffer.from('someone:').toString('base64')}`
      let before = proxy.connects.length
      const run = await runClient(stand.url, { HTTPS_PROXY: userOnly, NODE_EXTRA_CA_CERTS: ca.caFile })
      expect(run.proxy).toBe(proxy.url)
      expect(run.check).toMatchObject({ kind: 'response', status: 422 })
      const tunnels = proxy.connects.slice(before)
      expect(tunnels.length).toBeGreaterThan(0)
      expect(tunnels.every((seen) => seen.headers['proxy-authorization'] === expected)).toBe(true)

      const gitHubToken = 'ghs_proxyRuleT0ken'
      const now = new Date()
      const gitHub = await startStandInGitHub({
        token: gitHubToken,
        owner: 'acme',
        repo: 'models',
        pathPrefix: '/api/v3',
        pullRequests: [closedPullRequest(7, now, 1)],
      })
      try {
        const workspace = await mkdtemp(path.join(dir, 'workspace-'))
        await writeFile(
          path.join(workspace, 'model.yaml'),
          'name: churn\nml_repo: previews\nversion_alias: v0-pr${PR_NUMBER}\nmetadata: {}\nsource: {type: truefoundry}\n',
        )
        before = proxy.connects.length
        const apiUrl = `http://${GITHUB_HOST}:${new URL(gitHub.origin).port}/api/v3`
        const sweep = await runAction({
          entry: BUILT_ACTION,
          workspace,
          inputs: {
            'manifest-path': '*.yaml',
            'github-token': gitHubToken,
            'substitute-env': 'true',
            'closed-within-days': '7',
            'dry-run': 'true',
          },
          env: { GITHUB_REPOSITORY: 'acme/models', GITHUB_API_URL: apiUrl, HTTP_PROXY: userOnly },
        })
        expect(sweep.exitCode, sweep.stdout).toBe(0)
        expect(sweep.outputs.results).toContain('"pull_request":7')
        const connects = proxy.connects.slice(before)
        expect(connects.length).toBeGreaterThan(0)
        expect(
          connects.every(
            (seen) => seen.connect === `${GITHUB_HOST}:${new URL(gitHub.origin).port}` && seen.headers['proxy-authorization'] === expected,
          ),
        ).toBe(true)
      } finally {
        await gitHub.close()
      }
    })

    test.each([
      ['blank space', ' ', 'is set to blank space'],
      ['no scheme', 'someone:hunter2@proxy.internal:3128', 'has no scheme (http:// or https://)'],
      [
        'a socks5 scheme',
        'socks5://someone:hunter2@proxy.internal:1080',
        'names a socks5:// proxy (socks5://proxy.internal:1080), which is not supported',
      ],
      ['an unreadable URL', 'http://someone:hunter2@[proxy', 'is not a URL that can be read'],
      [
        'an escape that cannot be read',
        'http://some%zzone:hunter2@proxy.internal:3128',
        '(http://proxy.internal:3128) has a user name or password whose %-escapes cannot be read',
      ],
    ])(
      'a proxy variable that is %s: the control plane’s client refuses it at once, naming the variable, never its user-info',
      async (_name, value, what) => {
        const before = stand.requests.length
        const failure = await runClient(stand.url, { https_proxy: value, NODE_EXTRA_CA_CERTS: ca.caFile }).then(
          () => null,
          (error: Error) => error.message,
        )
        expect(failure).toContain(
          `https_proxy ${what}; it must be an http:// or https:// URL such as http://proxy.example:3128, or http://user:password@proxy.example:3128. Fix https_proxy in the step's env.`,
        )
        expect(failure).not.toContain('hunter2')
        expect(stand.requests.length).toBe(before)
      },
    )

    test('the built action with a bad HTTPS_PROXY: the step fails at once with that message, nothing sent, nothing retried', async () => {
      const workspace = await mkdtemp(path.join(dir, 'workspace-'))
      await writeFile(path.join(workspace, 'model.json'), JSON.stringify(sampleManifest(0)))
      const before = stand.requests.length
      const run = await runAction({
        entry: BUILT_ACTION,
        workspace,
        inputs: { 'manifest-path': '*.json', 'control-plane-url': stand.url, token: TOKEN },
        env: { HTTPS_PROXY: 'proxy.internal:3128', NODE_EXTRA_CA_CERTS: ca.caFile },
      })
      expect(run.exitCode).toBe(1)
      expect(run.stdout).toMatch(/^::error::HTTPS_PROXY has no scheme \(http:\/\/ or https:\/\/\); it must be/m)
      expect(run.stdout).not.toMatch(/attempt 2|trying again/)
      expect(stand.requests.length).toBe(before)
    })
  })
})

describe('a trusted private CA, and certificates that are still wrong', () => {
  let ca: PrivateCa
  beforeAll(async () => {
    ca = await createPrivateCa()
  }, 30_000)
  afterAll(() => ca?.remove())

  test.each([
    [
      'for another name',
      () => ca.serverCertificate(['DNS:other.example']),
      /^the certificate of 127\.0\.0\.1:\d+ is not for that name \(ERR_TLS_CERT_ALTNAME_INVALID\): check the host in control-plane-url\./,
    ],
    [
      'expired',
      () => ca.serverCertificate(['IP:127.0.0.1'], { expired: true }),
      /^the certificate of 127\.0\.0\.1:\d+ is outside its validity dates \(CERT_HAS_EXPIRED\): the server's certificate needs renewing\./,
    ],
  ] as const)('a certificate %s fails at once, naming the cause', async (_name, make, reason) => {
    const stand = await startFaultServer({ token: TOKEN, tls: await make() })
    try {
      const run = await runClient(stand.url, { NODE_EXTRA_CA_CERTS: ca.caFile })
      expect(run.check).toMatchObject({ kind: 'error', cause: 'certificate', sent: false })
      expect(run.check.kind === 'error' && run.check.reason).toMatch(reason)
      expect(stand.requests).toHaveLength(0)
    } finally {
      await stand.close()
    }
  })

  test('trusted and for the right name: the check and the delete go through', async () => {
    const stand = await startFaultServer({
      token: TOKEN,
      tls: await ca.serverCertificate(['IP:127.0.0.1']),
      existing: ['previews/model-0@1'],
    })
    try {
      const run = await runClient(stand.url, { NODE_EXTRA_CA_CERTS: ca.caFile })
      expect(run.check).toMatchObject({ kind: 'response', status: 422 })
      expect(run.attempt).toMatchObject({ kind: 'response', status: 200 })
    } finally {
      await stand.close()
    }
  })
})
