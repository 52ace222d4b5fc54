// The command-line bundle (built from this source for the test run), run as a user would from a terminal or a script.
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { BUILT_CLI } from './support/bundle.ts'
import { startStandIn, type StandIn } from './support/stand-in-control-plane.ts'
import { closedPullRequest, startStandInGitHub } from './support/stand-in-github.ts'

const CLI = BUILT_CLI
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const TOKEN = 'cli-secret-token-51f0'

function cli(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    )
  })
}

let standIn: StandIn | undefined
afterEach(async () => {
  await standIn?.close()
  standIn = undefined
})

describe('tfy-artifact-cleanup', () => {
  it('prints JSON results on stdout and the log on stderr with --json, leaving no temporary file behind', async () => {
    const temp = await mkdtemp(path.join(tmpdir(), 'cli-temp-'))
    const run = await cli(['--dry-run', '--substitute-env', '--json', 'examples/manifests/**/*.yaml'], { PR_NUMBER: '9', TMPDIR: temp })
    expect(run.code).toBe(0)
    const results = JSON.parse(run.stdout) as { status: string; type: string; name: string; version_alias: string | null }[]
    expect(run.stdout).toBe(`${JSON.stringify(results, null, 2)}\n`)
    expect(await readdir(temp)).toEqual([])
    expect(results.map((result) => result.status)).toEqual(Array(5).fill('dry-run'))
    const classifiers = results.filter((result) => result.name === 'churn-classifier')
    expect(classifiers.map((result) => [result.type, result.version_alias]).sort()).toEqual([
      ['artifact-version', 'v0-pr9'],
      ['model-version', 'v0-pr9'],
    ])
    expect(run.stderr).toContain('5 manifests read, 0 invalid.')
    expect(run.stdout).not.toContain('::debug::')
  })

  it('writes the job summary to --summary-file, replacing what the file held', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'cli-summary-')), 'summary.html')
    await writeFile(file, '<p>an earlier run</p>\n')
    const run = await cli(['--dry-run', '--substitute-env', '--summary-file', file, 'examples/manifests/**/*.yaml'], { PR_NUMBER: '9' })
    expect(run.code).toBe(0)
    const html = await readFile(file, 'utf8')
    expect(html).toMatch(/^<h2>TrueFoundry artifact cleanup \(dry run\)<\/h2>\n/)
    expect(html).not.toContain('an earlier run')
    expect(html.match(/<tr><td>/g)).toHaveLength(5)
  })

  it('deletes with TFY_HOST and TFY_API_KEY from the environment, printing a plain table when not on a terminal', async () => {
    standIn = await startStandIn({ token: TOKEN, existing: ['demo-previews/churn-tokenizer@7'] })
    const run = await cli(['--manifest-path', 'examples/manifests/**/*.yml'], { TFY_HOST: standIn.url, TFY_API_KEY: TOKEN })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/deleted\s+artifact version\s+demo-previews\s+churn-tokenizer\s+7\s+1\s+examples\/manifests\/preview\/tokenizer\.yml:1/)
    expect(run.stdout).not.toContain('\u001b[')
    expect(run.stdout).not.toContain(TOKEN)
    expect(standIn.requests).toHaveLength(1)
  })

  it('deletes model versions at the model-versions endpoint, with 404 as not found', async () => {
    standIn = await startStandIn({ token: TOKEN, existing: ['model-version:demo-previews/ticket-summarizer@v0-pr3-summarizer', 'demo-previews/offer-ranker@v0-pr3-ranker'] })
    const run = await cli(['--substitute-env', '--json', 'examples/manifests/**/*-model.yaml'], { TFY_HOST: standIn.url, TFY_API_KEY: TOKEN, PR_NUMBER: '3' })
    expect(run.code).toBe(0)
    const results = JSON.parse(run.stdout) as { name: string; type: string; status: string }[]
    expect(results.map((result) => [result.name, result.type, result.status]).sort()).toEqual([
      ['churn-classifier', 'model-version', 'not-found'],
      // An artifact version of that name and alias exists, but the model version does not.
      ['offer-ranker', 'model-version', 'not-found'],
      ['ticket-summarizer', 'model-version', 'deleted'],
    ])
    expect(new Set(standIn.requests.map((request) => request.path))).toEqual(new Set(['/api/ml/v1/model-versions']))
    expect(standIn.probes.map((probe) => probe.path)).toEqual(['/api/ml/v1/model-versions'])
    expect(standIn.existing).toEqual(new Set(['demo-previews/offer-ranker@v0-pr3-ranker']))
    expect(run.stderr).not.toContain(TOKEN)
  })

  it('colours the table by status when FORCE_COLOR says the output is a terminal', async () => {
    const run = await cli(['--dry-run', 'examples/manifests/**/*.yml'], { FORCE_COLOR: '1' })
    const blue = '\u001b[34m'
    const row = run.stdout.split('\n').find((line) => line.includes('churn-tokenizer'))
    expect(row?.startsWith(`${blue}🔍 dry run`)).toBe(true)
  })

  it('exits 1 when a deletion fails, as the action fails its step', async () => {
    standIn = await startStandIn({ token: TOKEN })
    const run = await cli(['--no-missing-ok', 'examples/manifests/**/*.yml'], { TFY_HOST: standIn.url, TFY_API_KEY: TOKEN })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('not found (HTTP 404), and missing-ok is false')
  })

  it('names the flag and what it accepts when a value is bad', async () => {
    const run = await cli(['--dry-run', '--concurrency', '0', 'examples/**/*.yml'])
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('--concurrency must be a whole number from 1 to 64, got "0".')
  })

  it('explains its usage for an unknown flag and for --help', async () => {
    const unknown = await cli(['--bogus'])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain("Unknown option '--bogus'")
    const help = await cli(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Usage: tfy-artifact-cleanup [options] [pattern ...]')
  })

  it('sweeps the pull requests of GITHUB_REPOSITORY closed in the window, with GITHUB_TOKEN', async () => {
    const now = new Date()
    const gitHub = await startStandInGitHub({
      token: 'ghs_cli_sweep',
      owner: 'acme',
      repo: 'models',
      pullRequests: [closedPullRequest(21, now, 1), closedPullRequest(20, now, 3), closedPullRequest(5, now, 40)],
    })
    try {
      const run = await cli(['--dry-run', '--substitute-env', '--closed-within-days', '7', '--json', 'examples/manifests/preview/models.yaml'], {
        GITHUB_REPOSITORY: 'acme/models',
        GITHUB_API_URL: gitHub.url,
        GITHUB_TOKEN: 'ghs_cli_sweep',
      })
      expect(run.code, run.stderr).toBe(0)
      const results = JSON.parse(run.stdout) as { pull_request: number; version_alias: string | null; status: string }[]
      expect(results.map((result) => [result.pull_request, result.version_alias, result.status])).toEqual([
        [21, 'v0-pr21', 'dry-run'],
        [21, 'v0-pr21-features', 'dry-run'],
        [20, 'v0-pr20', 'dry-run'],
        [20, 'v0-pr20-features', 'dry-run'],
      ])
      expect(run.stderr).not.toContain('ghs_cli_sweep')
    } finally {
      await gitHub.close()
    }
  })
})

