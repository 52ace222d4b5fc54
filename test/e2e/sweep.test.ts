// The sweep end to end: the built action, as the runner runs it, against a
// stand-in GitHub API (the real Octokit of @actions/github talks to it) and
// the stand-in control plane.
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Result } from '../../src/results/result.ts'
import { BUILT_ACTION } from './support/bundle.ts'
import { runAction, type ActionRun } from '../../fakes/run-action.ts'
import { startStandIn, type StandIn } from '../../fakes/stand-in-control-plane.ts'
import { closedPullRequest, github, startStandInGitHub, type GitHubAnswer, type StandInGitHub } from '../../fakes/stand-in-github.ts'
import { scratchDir } from '../support/scratch.ts'

const TFY_TOKEN = 'tfy-sweep-secret/7d1+a'
const GITHUB_TOKEN = 'ghs_sweepSecret0123456789'
const NOW = new Date()

const MANIFESTS = `name: churn-classifier
ml_repo: previews
version_alias: v0-pr\${PR_NUMBER}
metadata: {}
source: {type: truefoundry}
---
name: churn-report
ml_repo: previews
version_alias: v0-pr\${PR_NUMBER}
description: built from \${PR_HEAD_SHA} on \${PR_HEAD_REF}
metadata: {}
source: {type: truefoundry}
`

let servers: { close(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()))
  servers = []
})

async function setUp(
  options: {
    existing?: string[]
    answers?: (GitHubAnswer | undefined)[]
    headRef?: (number: number) => string
    headers?: Record<string, string>
  } = {},
) {
  const pullRequests = [
    closedPullRequest(103, NOW, 0.5, { head: { ref: options.headRef?.(103) ?? 'fix-c', sha: 'c'.repeat(40) } }),
    closedPullRequest(102, NOW, 2, { head: { ref: options.headRef?.(102) ?? 'fix-b', sha: 'b'.repeat(40) } }),
    closedPullRequest(101, NOW, 6, { head: { ref: options.headRef?.(101) ?? 'fix-a', sha: 'a'.repeat(40) } }),
    // Closed before the window of 7 days: never swept.
    closedPullRequest(90, NOW, 30, { head: { ref: 'old', sha: 'd'.repeat(40) } }),
  ]
  const gitHub = await startStandInGitHub({
    token: GITHUB_TOKEN,
    owner: 'acme',
    repo: 'models',
    pullRequests,
    pathPrefix: '/api/v3',
    answers: options.answers,
    headers: options.headers,
  })
  const controlPlane = await startStandIn({ token: TFY_TOKEN, existing: options.existing ?? [] })
  servers.push(gitHub, controlPlane)
  const workspace = await scratchDir('sweep-')
  await writeFile(path.join(workspace, 'previews.yaml'), MANIFESTS)
  return { gitHub, controlPlane, workspace }
}

function sweep(
  setup: { gitHub: StandInGitHub; controlPlane: StandIn; workspace: string },
  inputs: Record<string, string> = {},
): Promise<ActionRun> {
  return runAction({
    entry: BUILT_ACTION,
    workspace: setup.workspace,
    inputs: {
      'manifest-path': '*.yaml',
      'control-plane-url': setup.controlPlane.url,
      token: TFY_TOKEN,
      'github-token': GITHUB_TOKEN,
      'substitute-env': 'true',
      'closed-within-days': '7',
      ...inputs,
    },
    env: {
      GITHUB_REPOSITORY: 'acme/models',
      GITHUB_API_URL: setup.gitHub.url,
      GITHUB_SERVER_URL: 'https://github.acme.example',
      GITHUB_RUN_ID: '77',
    },
  })
}

const rows = (run: ActionRun) => JSON.parse(run.outputs.results ?? '[]') as Result[]

/** Every place a token could leak, but the runner's own ::add-mask:: lines. */
function written(run: ActionRun): string[] {
  return [run.stdout.replace(/^::add-mask::.*$/gm, ''), run.stderr, run.summary, JSON.stringify(run.outputs)]
}

describe('the sweep', () => {
  it('deletes the previews of every pull request closed within the window, each with its own substitution', async () => {
    const setup = await setUp({
      existing: ['previews/churn-classifier@v0-pr103', 'previews/churn-report@v0-pr103', 'previews/churn-classifier@v0-pr101'],
    })
    const run = await sweep(setup)

    expect(run.exitCode, run.stdout).toBe(0)
    expect(rows(run).map((row) => [row.pull_request, row.name, row.version_alias, row.status])).toEqual([
      [103, 'churn-classifier', 'v0-pr103', 'deleted'],
      [103, 'churn-report', 'v0-pr103', 'deleted'],
      [102, 'churn-classifier', 'v0-pr102', 'not-found'],
      [102, 'churn-report', 'v0-pr102', 'not-found'],
      [101, 'churn-classifier', 'v0-pr101', 'deleted'],
      [101, 'churn-report', 'v0-pr101', 'not-found'],
    ])
    // Pull request 90 closed before the window: nothing of it is sent.
    expect(setup.controlPlane.requests.map((request) => request.manifest?.version_alias)).not.toContain('v0-pr90')
    expect(
      setup.controlPlane.requests
        .map((request) => request.manifest?.description)
        .filter(Boolean)
        .sort(),
    ).toEqual([`built from ${'a'.repeat(40)} on fix-a`, `built from ${'b'.repeat(40)} on fix-b`, `built from ${'c'.repeat(40)} on fix-c`])
    expect(run.stdout).toMatch(/^::group::Pull request #103 \(fix-c, closed .*\): 1 manifest file$/m)
    expect(run.summary).toContain('a sweep of 3 closed pull requests in acme/models')
    expect(run.summary).toContain('<h3><a href="https://github.acme.example/acme/models/pull/103">#103</a>: 2 deleted, 0 not found')
    // Each token only to its own server, and nowhere in what the action wrote.
    expect(setup.gitHub.requests.every((request) => request.headers.authorization === `token ${GITHUB_TOKEN}`)).toBe(true)
    expect(setup.gitHub.requests.every((request) => request.path.startsWith('/api/v3/'))).toBe(true)
    expect(
      [...setup.controlPlane.requests, ...setup.controlPlane.probes].every(
        (request) => request.headers.authorization === `Bearer ${TFY_TOKEN}`,
      ),
    ).toBe(true)
    for (const text of written(run)) for (const token of [TFY_TOKEN, GITHUB_TOKEN]) expect(text).not.toContain(token)
  })

  it('in a dry run, lists pull request by pull request what would be deleted and sends nothing to the control plane', async () => {
    const setup = await setUp()
    const run = await sweep(setup, { 'dry-run': 'true' })
    expect(run.exitCode).toBe(0)
    expect(rows(run).map((row) => [row.pull_request, row.status])).toEqual(
      [103, 103, 102, 102, 101, 101].map((number) => [number, 'dry-run']),
    )
    expect(setup.controlPlane.requests).toHaveLength(0)
    expect(setup.controlPlane.probes).toHaveLength(0)
    expect(run.summary).toContain('TrueFoundry cleanup (dry run)')
  })

  it('one pull request’s invalid manifests hold back only its own deletes, and are reported', async () => {
    const setup = await setUp({ headRef: (number) => (number === 102 ? `feature/${'long'.repeat(130)}` : `fix-${number}`) })
    const run = await sweep(setup)
    expect(run.exitCode).toBe(1)
    const byPullRequest = (number: number) =>
      rows(run)
        .filter((row) => row.pull_request === number)
        .map((row) => row.status)
    expect(byPullRequest(102)).toEqual(['skipped', 'invalid'])
    expect(byPullRequest(103)).toEqual(['not-found', 'not-found'])
    expect(byPullRequest(101)).toEqual(['not-found', 'not-found'])
    expect(setup.controlPlane.requests.map((request) => request.manifest?.version_alias)).not.toContain('v0-pr102')
    expect(run.stdout).toMatch(/::error::1 manifest failed or was invalid/)
  })

  it.each([
    ['a bad token (401)', github.badCredentials(), /GitHub rejected the github-token input .*permissions: pull-requests: read/],
    [
      'a token without pull-requests: read (403)',
      github.resourceNotAccessible(),
      /The github-token input may not read the pull requests of acme\/models .*permissions: pull-requests: read/,
    ],
  ])('%s fails the step before anything is deleted, naming github-token and the permission', async (_, answer, message) => {
    const setup = await setUp({ existing: ['previews/churn-classifier@v0-pr103'], answers: [answer] })
    const run = await sweep(setup)
    expect(run.exitCode).toBe(1)
    expect(setup.controlPlane.requests).toHaveLength(0)
    expect(run.stdout).toMatch(new RegExp(`^::error::${message.source}`, 'm'))
    for (const text of written(run)) expect(text).not.toContain(GITHUB_TOKEN)
  })

  it('waits out GitHub’s rate limit as it asks (retry-after), then sweeps', async () => {
    const setup = await setUp({ answers: [github.secondaryRateLimit(1)] })
    const run = await sweep(setup, { 'dry-run': 'true' })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain("GitHub's rate limit")
    expect(rows(run)).toHaveLength(6)
    expect(setup.gitHub.requests[1]!.arrivedAt - setup.gitHub.requests[0]!.arrivedAt).toBeGreaterThanOrEqual(950)
  })

  it('is refused without substitute-env, which is what tells the pull requests apart', async () => {
    const setup = await setUp()
    const run = await sweep(setup, { 'substitute-env': 'false' })
    expect(run.exitCode).toBe(1)
    expect(setup.gitHub.requests).toHaveLength(0)
    expect(run.stdout).toMatch(/^::error::Input "closed-within-days" sweeps the pull requests closed in the last 7 days, .*Turn it on\.$/m)
  })
})

describe('the sweep across pages of pull requests', () => {
  /** 250 pull requests, three pages: 250–151, 150–51, 50–1; two versions each, all existing; the control plane answers each delete after `latencyMs`. */
  async function setUpPages(options: { answers?: (GitHubAnswer | undefined)[]; latencyMs: number }) {
    const pullRequests = Array.from({ length: 250 }, (_, i) => closedPullRequest(250 - i, NOW, (6 * i) / 250))
    const existing = pullRequests.flatMap(({ number }) => [
      `previews/churn-classifier@v0-pr${number}`,
      `previews/churn-report@v0-pr${number}`,
    ])
    const gitHub = await startStandInGitHub({
      token: GITHUB_TOKEN,
      owner: 'acme',
      repo: 'models',
      pullRequests,
      pathPrefix: '/api/v3',
      answers: options.answers,
    })
    let inFlight = 0
    let mostInFlight = 0
    const answered: { pullRequest: number; at: number }[] = []
    const controlPlane = await startStandIn({
      token: TFY_TOKEN,
      existing,
      async script(request, response) {
        mostInFlight = Math.max(mostInFlight, ++inFlight)
        await new Promise((resolve) => setTimeout(resolve, options.latencyMs))
        inFlight--
        response.once('finish', () =>
          answered.push({
            pullRequest: Number(/pr(\d+)$/.exec(String(request.manifest?.version_alias))?.[1]),
            at: performance.timeOrigin + performance.now(),
          }),
        )
      },
    })
    servers.push(gitHub, controlPlane)
    const workspace = await scratchDir('sweep-')
    await writeFile(path.join(workspace, 'previews.yaml'), MANIFESTS)
    return { gitHub, controlPlane, workspace, answered, mostInFlight: () => mostInFlight }
  }

  it('lists and checks the next page while the page before is deleted, one page ahead at most, within concurrency, the endpoint checked once', async () => {
    const setup = await setUpPages({ latencyMs: 10 })
    const run = await sweep(setup, { concurrency: '4' })

    expect(run.exitCode, run.stdout).toBe(0)
    expect(rows(run).map((row) => row.status)).toEqual(Array(500).fill('deleted'))
    const [, page2, page3] = setup.gitHub.requests.map((request) => request.arrivedAt)
    const firstPage = setup.answered.filter(({ pullRequest }) => pullRequest > 150).map(({ at }) => at)
    expect(firstPage).toHaveLength(200)
    // Page 2 was asked for while the first page's versions were being deleted…
    expect(page2).toBeLessThan(Math.max(...firstPage))
    // …and page 3 only once they were all answered: the sweep holds one page of pull requests ahead, no more.
    expect(page3).toBeGreaterThanOrEqual(Math.max(...firstPage))
    expect(setup.mostInFlight()).toBeLessThanOrEqual(4)
    expect(setup.controlPlane.probes).toHaveLength(1)
  })

  it('when the listing fails on a later page, the versions already sent to be deleted are deleted before the step fails', async () => {
    const setup = await setUpPages({ latencyMs: 20, answers: [undefined, github.badCredentials()] })
    const run = await sweep(setup, { concurrency: '4' })

    expect(run.exitCode).toBe(1)
    // Not "lacks the permission": the token worked for page 1.
    expect(run.stdout).toMatch(
      /^::error::GitHub stopped accepting the github-token input \(HTTP 401: Bad credentials\) at page 2 of the pull requests of acme\/models; it was accepted for the pages before, so it may have expired or been revoked while the sweep ran\. 100 closed pull requests were listed and swept before this; the rest were not listed\. Run the sweep again\. So far: 200 deleted/m,
    )
    const statuses = rows(run).map((row) => row.status)
    expect(statuses).toEqual(Array(200).fill('deleted'))
    expect(setup.controlPlane.requests).toHaveLength(200)
  })
})

describe('the sweep, against a hostile or broken GitHub', () => {
  it('a deprecation, sunset or link header echoing the github-token, raw, percent- or \\u-encoded, reaches no output', async () => {
    const escaped = [...GITHUB_TOKEN].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')
    const percent = [...GITHUB_TOKEN].map((char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`).join('')
    const echo = `${GITHUB_TOKEN} ${percent} ${escaped}`
    const headers = {
      deprecation: `@1 ${echo}`,
      sunset: echo,
      link: `<https://docs.example/${percent}/${escaped}/${GITHUB_TOKEN}>; rel="deprecation"`,
    }
    const setup = await setUp({ headers })
    const run = await sweep(setup, { 'dry-run': 'true' })
    expect(run.exitCode, run.stdout).toBe(0)
    expect(run.stdout).toMatch(
      /^::warning::\[@octokit\/request\] "GET .*" is deprecated\. It is scheduled to be removed on \*\*\* \*\*\* \*\*\*\. See https:\/\/docs\.example\/\*\*\*\/\*\*\*\/\*\*\*$/m,
    )
    for (const text of written(run))
      for (const form of [GITHUB_TOKEN, percent, escaped, percent.toLowerCase()]) expect(text).not.toContain(form)
  })

  it('a pull request updated while the pages are read, moving onto a page already read, is swept all the same', async () => {
    const pullRequests = Array.from({ length: 250 }, (_, i) => closedPullRequest(250 - i, NOW, 1 + (5 * i) / 250))
    let gitHub: StandInGitHub | null = null
    gitHub = await startStandInGitHub({
      token: GITHUB_TOKEN,
      owner: 'acme',
      repo: 'models',
      pullRequests,
      pathPrefix: '/api/v3',
      // While page 2 is asked for, #51 (on page 3) is commented on: it moves to the top, onto page 1, already read.
      answers: (index) => {
        if (index === 1) gitHub!.update(51, { updated_at: new Date().toISOString() })
        return undefined
      },
    })
    const controlPlane = await startStandIn({ token: TFY_TOKEN, existing: [] })
    servers.push(gitHub, controlPlane)
    const workspace = await scratchDir('sweep-')
    await writeFile(path.join(workspace, 'previews.yaml'), MANIFESTS)
    const run = await sweep({ gitHub, controlPlane, workspace }, { 'dry-run': 'true' })

    expect(run.exitCode, run.stdout).toBe(0)
    const swept = new Set(rows(run).map((row) => row.pull_request))
    expect(swept.size).toBe(250)
    expect(swept.has(51)).toBe(true)
  })

  it('request-timeout and max-attempts apply to GitHub: a GitHub that never answers fails the step in their time', async () => {
    const setup = await setUp({ answers: Array.from({ length: 10 }, () => github.hang()) })
    const run = await sweep(setup, { 'request-timeout': '0.5', 'max-attempts': '2', 'dry-run': 'true' })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(
      /^::error::GitHub's API at .* failed page 1 of the pull requests of acme\/models 2 times \(no complete answer within 0\.5 s \(request-timeout\)\)/m,
    )
    expect(setup.gitHub.requests).toHaveLength(2)
    expect(run.durationMs).toBeLessThan(10_000)
  })

  it('a github-token with a line break is the action’s error, at once: nothing is sent, nothing retried, nothing shown', async () => {
    const setup = await setUp()
    const run = await sweep(setup, { 'github-token': `${GITHUB_TOKEN}\nX-Injected: 1` })
    expect(run.exitCode).toBe(1)
    expect(setup.gitHub.requests).toHaveLength(0)
    expect(run.stdout).not.toContain('trying again')
    for (const text of written(run)) expect(text).not.toContain(GITHUB_TOKEN)
  })

  it.each([
    ['GITHUB_API_URL without a scheme', { GITHUB_API_URL: 'api.github.example/api/v3' }],
    ['HTTPS_PROXY of blank space', { HTTPS_PROXY: ' ' }],
    ['HTTPS_PROXY without a scheme', { HTTPS_PROXY: 'proxy.internal:3128' }],
  ])('%s: a run that does not sweep never loads GitHub’s client, and is not stopped by it', async (_name, env) => {
    const setup = await setUp()
    await writeFile(
      path.join(setup.workspace, 'plain.yml'),
      'name: churn-classifier\nml_repo: previews\nversion_alias: v0-pr1\nmetadata: {}\nsource: {type: truefoundry}\n',
    )
    const run = await runAction({
      entry: BUILT_ACTION,
      workspace: setup.workspace,
      inputs: { 'manifest-path': '*.yml', 'control-plane-url': setup.controlPlane.url, token: TFY_TOKEN, 'dry-run': 'true' },
      env: { GITHUB_REPOSITORY: 'acme/models', ...env },
    })
    expect(run.stderr).not.toContain('Invalid URL')
    expect(run.exitCode, run.stdout + run.stderr).toBe(0)
    expect(run.outputs.results).toBeDefined()
  })

  it.each([
    ['blank space', ' ', /::error::GITHUB_API_URL is set to blank space\. It must be GitHub's REST API/],
    ['a tab', '\t', /::error::GITHUB_API_URL is set to blank space\./],
    ['a no-break space before the URL', '\u00a0https://api.github.com', /::error::GITHUB_API_URL is not a URL: /],
  ])(
    'a sweep whose GITHUB_API_URL is %s fails at once, naming it, before @actions/github loads and crashes on it',
    async (_name, value, message) => {
      const setup = await setUp()
      const run = await runAction({
        entry: BUILT_ACTION,
        workspace: setup.workspace,
        inputs: {
          'manifest-path': '*.yaml',
          'control-plane-url': setup.controlPlane.url,
          token: TFY_TOKEN,
          'github-token': GITHUB_TOKEN,
          'substitute-env': 'true',
          'closed-within-days': '7',
          'dry-run': 'true',
        },
        env: { GITHUB_REPOSITORY: 'acme/models', GITHUB_API_URL: value },
      })
      expect(run.exitCode).toBe(1)
      expect(run.stdout).toMatch(message)
      expect(run.stdout + run.stderr).not.toMatch(/Invalid URL|unexpected error/)
    },
  )

  it.each([
    ['blank space', ' ', 'is set to blank space'],
    ['no scheme', 'someone:hunter2@proxy.internal:3128', 'has no scheme (http:// or https://)'],
    [
      'a socks5 scheme',
      'socks5://someone:hunter2@proxy.internal:1080',
      'names a socks5:// proxy (socks5://proxy.internal:1080), which is not supported',
    ],
    ['an unreadable URL', 'http://someone:hunter2@[proxy', 'is not a URL that can be read'],
  ])('a sweep whose HTTPS_PROXY is %s fails at once, naming the variable and never its user-info', async (_name, value, what) => {
    const setup = await setUp()
    // A host that is not loopback, so the proxy is read.
    const run = await runAction({
      entry: BUILT_ACTION,
      workspace: setup.workspace,
      inputs: {
        'manifest-path': '*.yaml',
        'control-plane-url': setup.controlPlane.url,
        token: TFY_TOKEN,
        'github-token': GITHUB_TOKEN,
        'substitute-env': 'true',
        'closed-within-days': '7',
        'dry-run': 'true',
      },
      env: { GITHUB_REPOSITORY: 'acme/models', GITHUB_API_URL: 'https://github.example.invalid/api/v3', HTTPS_PROXY: value },
    })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain(
      `::error::HTTPS_PROXY ${what}; it must be an http:// or https:// URL such as http://proxy.example:3128, or http://user:password@proxy.example:3128. Fix HTTPS_PROXY in the step's env.`,
    )
    expect(run.stdout).not.toContain('trying again')
    for (const text of written(run)) expect(text).not.toContain('hunter2')
    expect(run.stderr).not.toContain('Invalid URL')
  })
})
