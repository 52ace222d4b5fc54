// What the built action and the command line print when the text they did
// not write holds terminal controls (server bodies, file names, manifest
// values, GitHub's fields), and what they say when a sweep finds nothing.
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Result } from '../../src/results/result.ts'
import { BUILT_ACTION } from './support/bundle.ts'
import { runAction, type ActionRun } from '../../fakes/run-action.ts'
import { runCli } from './support/run-cli.ts'
import { startStandIn } from '../../fakes/stand-in-control-plane.ts'
import { closedPullRequest, startStandInGitHub } from '../../fakes/stand-in-github.ts'
import { scratchDir } from '../support/scratch.ts'

const TOKEN = 'tfy-words-secret-1b7e'
const GITHUB_TOKEN = 'ghs_wordsSecret0123456789'

/** What a terminal obeys rather than shows: clear the screen, retitle the window, ring, rub out, reorder. */
const HOSTILE = '\u001b[2J\u001b]0;owned\u0007\b\b\bdeleted\rok\u009b31m\u007f\u202egnp.exe\u2066'
/** Any character a terminal or viewer would obey (printable.ts lists them). */
const UNPRINTABLE = /(?![\t\n]|\r\n)[\p{Cc}\p{Bidi_Control}\u2028\u2029]/u

let servers: { close(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()))
  servers = []
})

async function workspaceWith(files: Record<string, string>): Promise<string> {
  const workspace = await scratchDir('words-')
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(workspace, name), content)
  return workspace
}

function manifest(name: string, alias = 'v1'): string {
  return `name: ${JSON.stringify(name)}\nml_repo: previews\nversion_alias: ${alias}\nmetadata: {}\nsource: {type: truefoundry}\n`
}

/** Everything the runner's log, the summary and the outputs hold. */
function everything(run: ActionRun): [string, string][] {
  return [['stdout', run.stdout], ['stderr', run.stderr], ['summary', run.summary], ...Object.entries(run.outputs)]
}

function expectPrintable(channels: [string, string][]): void {
  for (const [channel, text] of channels) {
    const found = UNPRINTABLE.exec(text)
    expect({ channel, unprintable: found && text.slice(Math.max(0, found.index - 40), found.index + 10) }).toEqual({
      channel,
      unprintable: null,
    })
  }
}

describe('text the action did not write', () => {
  it('shows the controls in file names and manifest values as escapes, in the log, the annotations, the summary and the outputs', async () => {
    const fileName = `a\u001b[2Jb\u0007\u202e.yaml`
    const workspace = await workspaceWith({ [fileName]: manifest(`bad${HOSTILE}`) })
    const run = await runAction({ entry: BUILT_ACTION, workspace, inputs: { 'manifest-path': '*.yaml', 'dry-run': 'true' } })
    expect(run.exitCode).toBe(1)
    expectPrintable(everything(run))
    expect(run.stdout).toContain('a\\u001b[2Jb\\u0007\\u202e.yaml')
    // The table's cell (its line breaks are spaces, as in any log line), and the schema's message, which quotes the value as JSON.
    expect(run.stdout).toContain(
      'bad\\u001b[2J\\u001b]0;owned\\u0007\\u0008\\u0008\\u0008deleted ok\\u009b31m\\u007f\\u202egnp.exe\\u2066  v1',
    )
    expect(run.stdout).toContain(
      'file=a\\u001b[2Jb\\u0007\\u202e.yaml,line=1,col=1::name: "bad\\u001b[2J\\u001b]0;owned\\u0007\\b\\b\\bdeleted\\rok\\u009b31m',
    )
    expect(run.summary).toContain('a\\u001b[2Jb\\u0007\\u202e.yaml')
    // The verdict is an annotation too, shown where no table is above it.
    expect(run.stdout).toContain(
      '::error::1 manifest failed or was invalid: 0 deleted, 0 not found, 0 failed, 1 invalid, 0 skipped. The table in the log lists them first.',
    )
    // The results output is JSON: its value is the name as written.
    const [row] = JSON.parse(run.outputs.results!) as Result[]
    expect(row).toMatchObject({ status: 'invalid', file: fileName, name: `bad${HOSTILE}` })
  })

  it('shows the controls of a control plane’s answer as escapes, redacting the token it echoes', async () => {
    const controlPlane = await startStandIn({
      token: TOKEN,
      script: (_request, response) => {
        response.writeHead(422, { 'content-type': 'application/json' })
        response.end(JSON.stringify({ detail: `refused ${TOKEN}${HOSTILE}` }))
        return 'handled'
      },
    })
    servers.push(controlPlane)
    const workspace = await workspaceWith({ 'a.yaml': manifest('churn') })
    const run = await runAction({
      entry: BUILT_ACTION,
      workspace,
      inputs: { 'manifest-path': '*.yaml', 'control-plane-url': controlPlane.url, token: TOKEN },
    })
    expect(run.exitCode).toBe(1)
    expectPrintable(everything(run))
    expect(run.stdout).toContain('refused ***\\u001b[2J\\u001b]0;owned\\u0007')
    for (const [, text] of everything(run)) expect(text.replace(/^::add-mask::.*$/gm, '')).not.toContain(TOKEN)

    const fromCli = await runCli(['--manifest-path', '*.yaml'], workspace, { TFY_HOST: controlPlane.url, TFY_API_KEY: TOKEN })
    expect(fromCli.code).toBe(1)
    expectPrintable([
      ['stdout', fromCli.stdout],
      ['stderr', fromCli.stderr],
    ])
    expect(fromCli.stdout).toContain('refused ***\\u001b[2J\\u001b]0;owned\\u0007')
    const json = await runCli(['--manifest-path', '*.yaml', '--json'], workspace, { TFY_HOST: controlPlane.url, TFY_API_KEY: TOKEN })
    expectPrintable([
      ['stdout', json.stdout],
      ['stderr', json.stderr],
    ])
    expect((JSON.parse(json.stdout) as Result[])[0]!.message).toContain(`refused ***${HOSTILE.replace(/[\s]+/g, ' ')}`)
  })

  it('keeps the command line’s own colours while showing a row’s controls as escapes', async () => {
    const workspace = await workspaceWith({ 'a.yaml': manifest(`bad${HOSTILE}`) })
    const run = await runCli(['--dry-run', '*.yaml'], workspace, { FORCE_COLOR: '1' })
    const row = run.stdout.split('\n').find((line) => line.includes('invalid  artifact version'))!
    expect(row.startsWith('\u001b[33m⚠️ invalid')).toBe(true)
    expectPrintable([['row', row.replaceAll('\u001b[33m', '').replaceAll('\u001b[39m', '')]])
    expect(row).toContain('bad\\u001b[2J')
  })

  it('shows the controls of GitHub’s fields (a head branch) as escapes, and of the arguments the command line could not read', async () => {
    const now = new Date()
    const gitHub = await startStandInGitHub({
      token: GITHUB_TOKEN,
      owner: 'acme',
      repo: 'models',
      pullRequests: [closedPullRequest(7, now, 1, { head: { ref: `fix${HOSTILE}`, sha: 'a'.repeat(40) } })],
    })
    servers.push(gitHub)
    const workspace = await workspaceWith({
      'a.yaml': manifest('churn', 'v0-pr${PR_NUMBER}').replace('metadata: {}', 'description: "from ${PR_HEAD_REF}"\nmetadata: {}'),
    })
    const run = await runAction({
      entry: BUILT_ACTION,
      workspace,
      inputs: {
        'manifest-path': '*.yaml',
        'dry-run': 'true',
        'substitute-env': 'true',
        'closed-within-days': '7',
        'github-token': GITHUB_TOKEN,
      },
      env: { GITHUB_REPOSITORY: 'acme/models', GITHUB_API_URL: gitHub.url },
    })
    expect(run.exitCode, run.stdout).toBe(0)
    expectPrintable(everything(run))
    expect(run.stdout).toContain('::group::Pull request #7 (fix\\u001b[2J\\u001b]0;owned\\u0007')

    const unknown = await runCli([`--bogus${HOSTILE}`], workspace)
    expect(unknown.code).toBe(1)
    expectPrintable([['stderr', unknown.stderr]])
    expect(unknown.stderr).toContain("Unknown option '--bogus\\u001b[2J")
  })
})

describe('a github-token a header cannot carry', () => {
  it.each([
    ['a line break', `${GITHUB_TOKEN}\nX-Injected: 1`],
    ['a carriage return', `${GITHUB_TOKEN}\rX`],
    ['DEL', `${GITHUB_TOKEN}\u007fX`],
    ['a character beyond Latin-1', `${GITHUB_TOKEN}\u2028X`],
  ])('with %s, fails the step at once, saying so, with nothing sent and nothing retried', async (_, token) => {
    const gitHub = await startStandInGitHub({
      token: GITHUB_TOKEN,
      owner: 'acme',
      repo: 'models',
      pullRequests: [closedPullRequest(7, new Date(), 1)],
    })
    servers.push(gitHub)
    const workspace = await workspaceWith({ 'a.yaml': manifest('churn', 'v0-pr${PR_NUMBER}') })
    const inputs = { 'manifest-path': '*.yaml', 'dry-run': 'true', 'substitute-env': 'true', 'closed-within-days': '7' }
    const env = { GITHUB_REPOSITORY: 'acme/models', GITHUB_API_URL: gitHub.url }
    const run = await runAction({ entry: BUILT_ACTION, workspace, inputs: { ...inputs, 'github-token': token }, env })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('::error::Input "github-token" holds a line break or another character an HTTP header cannot carry.')
    const fromCli = await runCli(['--dry-run', '--substitute-env', '--closed-within-days', '7', '*.yaml'], workspace, {
      ...env,
      GITHUB_TOKEN: token,
    })
    expect(fromCli.code).toBe(1)
    expect(fromCli.stdout).toContain(
      '--github-token (or GITHUB_TOKEN) holds a line break or another character an HTTP header cannot carry.',
    )
    expect(gitHub.requests).toEqual([])
    for (const text of [run.stdout.replace(/^::add-mask::.*$/gm, ''), run.stderr, run.summary, fromCli.stdout, fromCli.stderr])
      expect(text).not.toContain(GITHUB_TOKEN)
  })
})

describe('a sweep that finds no pull request', () => {
  const sweepInputs = { 'manifest-path': '*.yaml', 'substitute-env': 'true', 'closed-within-days': '7', 'github-token': GITHUB_TOKEN }

  async function sweepOf(
    pullRequests: ReturnType<typeof closedPullRequest>[],
    inputs: Record<string, string>,
    files: Record<string, string> = { 'a.yaml': manifest('churn', 'v0-pr${PR_NUMBER}') },
  ) {
    const gitHub = await startStandInGitHub({ token: GITHUB_TOKEN, owner: 'acme', repo: 'models', pullRequests })
    servers.push(gitHub)
    const run = await runAction({
      entry: BUILT_ACTION,
      workspace: await workspaceWith(files),
      inputs: { ...sweepInputs, ...inputs },
      env: { GITHUB_REPOSITORY: 'acme/models', GITHUB_API_URL: gitHub.url },
    })
    return { run, gitHub }
  }

  it.each([
    ['none at all', [], { 'dry-run': 'true' }, 'Cleanup (dry run)', '7 days'],
    ['only ones closed before the window', [closedPullRequest(3, new Date(), 30)], { 'dry-run': 'true' }, 'Cleanup (dry run)', '7 days'],
    [
      'in a live run, over one day',
      [],
      { 'closed-within-days': '1', 'control-plane-url': 'https://acme.truefoundry.cloud', token: TOKEN },
      'Cleanup',
      '1 day',
    ],
  ])('says so in a summary and a notice: %s', async (_, pullRequests, inputs, title, window) => {
    const { run, gitHub } = await sweepOf(pullRequests, inputs)
    expect(run.exitCode, run.stdout).toBe(0)
    expect(gitHub.pagesServed).toBeGreaterThan(0)
    const said = `The sweep found no pull request of acme/models closed in the last ${window} to check: nothing was checked or deleted.`
    expect(run.stdout).toContain(`::notice title=${title}::${said}`)
    expect(run.summary).toMatch(new RegExp(`^<h2>TrueFoundry cleanup${title.endsWith('(dry run)') ? ' \\(dry run\\)' : ''}</h2>`))
    expect(run.summary).toContain(`<p>${said}</p>`)
    expect(run.outputs).toMatchObject({ deleted: '0', failed: '0', results: '[]' })
  })

  it('says nothing of pull requests when no manifest file matched, since none were listed', async () => {
    const { run, gitHub } = await sweepOf([closedPullRequest(3, new Date(), 1)], { 'dry-run': 'true' }, { 'other.txt': '' })
    expect(run.exitCode).toBe(0)
    expect(gitHub.requests).toEqual([])
    expect(run.stdout).toContain('::warning::No files were found with the provided path: *.yaml.')
    expect(run.stdout).not.toContain('The sweep found no pull request')
    expect(run.summary).toBe('')
  })
})
