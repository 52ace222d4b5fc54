// The command-line bundle (built from this source for the test run), run as a user would from a terminal or a script.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { getInputs } from '../../src/inputs/get-inputs.ts'
import { COMMAND_LINE_DIALECT, INPUT_NAMES, type InputName } from '../../src/inputs/dialect.ts'
import { BUILT_CLI } from './support/bundle.ts'
import { runCli } from './support/run-cli.ts'
import { startStandIn, type StandIn } from '../../fakes/stand-in-control-plane.ts'
import { closedPullRequest, github, startStandInGitHub } from '../../fakes/stand-in-github.ts'
import { scratchDir } from '../support/scratch.ts'

const CLI = BUILT_CLI
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const TOKEN = 'cli-secret-token-51f0'

function cli(args: string[], env: Record<string, string> = {}) {
  return runCli(args, ROOT, env)
}

let standIn: StandIn | undefined
afterEach(async () => {
  await standIn?.close()
  standIn = undefined
})

describe('tfy-artifact-cleanup', () => {
  it('prints JSON results on stdout and the log on stderr with --json, leaving no temporary file behind', async () => {
    const temp = await scratchDir('cli-temp-')
    const run = await cli(['--dry-run', '--substitute-env', '--json', 'examples/manifests/**/*.yaml'], { PR_NUMBER: '9', TMPDIR: temp })
    expect(run.code).toBe(0)
    const results = JSON.parse(run.stdout) as { status: string; type: string; name: string; version_alias: string | null }[]
    expect(run.stdout).toBe(`${JSON.stringify(results, null, 2)}\n`)
    expect(await readdir(temp)).toEqual([])
    expect(results.map((result) => result.status)).toEqual(Array(7).fill('dry-run'))
    const classifiers = results.filter((result) => result.name === 'churn-classifier')
    expect(classifiers.map((result) => [result.type, result.version_alias]).sort()).toEqual([
      ['artifact-version', 'v0-pr9'],
      ['model-version', 'v0-pr9'],
    ])
    expect(run.stderr).toContain('7 manifests read, 0 invalid.')
    expect(run.stdout).not.toContain('::debug::')
  })

  it('writes the job summary to --summary-file, replacing what the file held', async () => {
    const file = path.join(await scratchDir('cli-summary-'), 'summary.html')
    await writeFile(file, '<p>an earlier run</p>\n')
    const run = await cli(['--dry-run', '--substitute-env', '--summary-file', file, 'examples/manifests/**/*.yaml'], { PR_NUMBER: '9' })
    expect(run.code).toBe(0)
    const html = await readFile(file, 'utf8')
    expect(html).toMatch(/^<h2>TrueFoundry cleanup \(dry run\)<\/h2>\n/)
    expect(html).not.toContain('an earlier run')
    expect(html.match(/<tr><td>/g)).toHaveLength(7)
  })

  it('deletes with TFY_HOST and TFY_API_KEY from the environment, printing a plain table when not on a terminal', async () => {
    standIn = await startStandIn({ token: TOKEN, existing: ['demo-previews/churn-tokenizer@7'] })
    const run = await cli(['--manifest-path', 'examples/manifests/**/*.yml'], { TFY_HOST: standIn.url, TFY_API_KEY: TOKEN })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(
      /deleted\s+artifact version\s+demo-previews\s+churn-tokenizer\s+7\s+1\s+examples\/manifests\/preview\/tokenizer\.yml:1/,
    )
    expect(run.stdout).not.toContain('\u001b[')
    expect(run.stdout).not.toContain(TOKEN)
    expect(standIn.requests).toHaveLength(1)
  })

  it('deletes model versions at the model-versions endpoint, with 404 as not found', async () => {
    standIn = await startStandIn({
      token: TOKEN,
      existing: ['model-version:demo-previews/ticket-summarizer@v0-pr3-summarizer', 'demo-previews/offer-ranker@v0-pr3-ranker'],
    })
    const run = await cli(['--substitute-env', '--json', 'examples/manifests/**/*-model.yaml'], {
      TFY_HOST: standIn.url,
      TFY_API_KEY: TOKEN,
      PR_NUMBER: '3',
    })
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
      const run = await cli(
        ['--dry-run', '--substitute-env', '--closed-within-days', '7', '--json', 'examples/manifests/preview/models.yaml'],
        {
          GITHUB_REPOSITORY: 'acme/models',
          GITHUB_API_URL: gitHub.url,
          GITHUB_TOKEN: 'ghs_cli_sweep',
        },
      )
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

describe('--help, claim by claim', () => {
  let help = ''
  beforeAll(async () => {
    const run = await cli(['--help'])
    expect(run.code).toBe(0)
    help = run.stdout
  })
  /** The help's line for a flag, with the lines that continue it. */
  const entry = (flag: string) => {
    const lines = help.split('\n')
    const at = lines.findIndex((line) => line.startsWith(`  ${flag} `))
    expect(at, flag).toBeGreaterThan(-1)
    let end = at + 1
    while (lines[end]?.startsWith('     ')) end++
    return lines.slice(at, end).join(' ').replace(/\s+/g, ' ')
  }
  const NEGATED: InputName[] = ['fail-on-error', 'missing-ok']
  const flagOf = (name: InputName) => (NEGATED.includes(name) ? `--no-${name}` : `--${name}`)
  const COMMAND_LINE_ONLY = ['--workspace', '--json', '--summary-file', '-h, --help']

  it('lists every input of the action as a flag, and the command line’s own, and no other', () => {
    const listed = [...help.matchAll(/^ {2}(-h, )?--[a-z-]+/gm)].map((match) => match[0].trim())
    const inputs = INPUT_NAMES.map(flagOf)
    expect(listed.sort()).toEqual([...inputs, ...COMMAND_LINE_ONLY].sort())
  })

  it('accepts every flag it lists, in one run', async () => {
    const workspace = await scratchDir('cli-flags-')
    await mkdir(path.join(workspace, 'nested'))
    await writeFile(
      path.join(workspace, 'nested', 'a.yaml'),
      'name: churn\nml_repo: previews\nversion: 1\nmetadata: {}\nsource: {type: truefoundry}\n',
    )
    const summary = path.join(workspace, 'summary.html')
    const run = await cli(
      // The sweep's two flags are run in the sweep's test; --workspace makes the pattern relative to it.
      [
        '--workspace',
        workspace,
        '--manifest-path',
        'nested/*.yaml',
        '--control-plane-url',
        'https://acme.truefoundry.cloud',
        '--token',
        TOKEN,
        '--dry-run',
        '--no-fail-on-error',
        '--if-no-files-found',
        'error',
        '--no-missing-ok',
        '--max-attempts',
        '2',
        '--request-timeout',
        '1.5',
        '--concurrency',
        '2',
        '--substitute-env',
        '--json',
        '--summary-file',
        summary,
      ],
    )
    expect(run.code, run.stderr).toBe(0)
    expect((JSON.parse(run.stdout) as { status: string }[]).map((row) => row.status)).toEqual(['dry-run'])
    expect(await readFile(summary, 'utf8')).toContain('TrueFoundry cleanup (dry run)')
  })

  it('states the defaults the action declares', () => {
    const action = parseYaml(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as {
      inputs: Record<string, { default?: string }>
    }
    const stated = INPUT_NAMES.flatMap((name) => {
      const text = entry(flagOf(name))
      const value = /\(default (\S+)\)|(\S+) \(default\)/.exec(text)
      return value ? [[name, value[1] ?? value[2]]] : []
    })
    expect(stated.map(([name]) => name)).toEqual([
      'api',
      'if-no-files-found',
      'max-attempts',
      'request-timeout',
      'concurrency',
      'max-deletions',
    ])
    for (const [name, value] of stated) expect({ name, value }).toEqual({ name, value: action.inputs[name!]!.default })
  })

  it('states the ranges the inputs check', () => {
    const ranges = INPUT_NAMES.flatMap((name) => {
      const range = /(\d[\d.]*) to (\d[\d.]*)/.exec(entry(flagOf(name)))
      return range ? [[name, range[1]!, range[2]!] as const] : []
    })
    expect(ranges.map(([name]) => name)).toEqual(['max-attempts', 'request-timeout', 'concurrency', 'closed-within-days', 'max-deletions'])
    for (const [name, min, max] of ranges) {
      const read = (value: string) => () =>
        getInputs({
          read: (input) =>
            ({ 'manifest-path': 'a.yaml', 'dry-run': 'true', 'substitute-env': 'true', [name]: value })[input as string] ?? '',
          env: { GITHUB_REPOSITORY: 'acme/models' },
          registerSecret() {},
          dialect: COMMAND_LINE_DIALECT,
        })
      expect(read(String(Number(max) * 10)), name).toThrow(
        `--${name} must be a${name === 'request-timeout' ? '' : ' whole'} number from ${min} to ${max}`,
      )
      expect(read(min), name).not.toThrow(`--${name}`)
      expect(read(max), name).not.toThrow(`--${name}`)
    }
  })

  it('names the kinds it deletes, and GITHUB_API_URL with its default, as the run reads them', () => {
    expect(help).toMatch(/artifact, model and prompt versions and data directories/)
    expect(help).toContain('listed from $GITHUB_API_URL')
    expect(help).toMatch(/GITHUB_API_URL\s+GitHub's REST API for a sweep \(default https:\/\/api\.github\.com;/)
    // Each is run: model versions in "deletes model versions at the model-versions endpoint", GITHUB_API_URL in the sweep's test,
    // its default in inputs.test.ts › reads GitHub’s API from GITHUB_API_URL.
  })

  describe('exit status', () => {
    const INVALID = 'name: not a valid name\nml_repo: previews\nversion: 1\nmetadata: {}\nsource: {type: truefoundry}\n'

    it.each([
      ['a dry run', ['--dry-run', 'examples/manifests/**/*.yml'], 0],
      ['a run that matched no file', ['--dry-run', 'nothing/*.yaml'], 0],
      ['a run that matched no file, with --if-no-files-found ignore', ['--dry-run', '--if-no-files-found', 'ignore', 'nothing/*.yaml'], 0],
      ['no file matched with --if-no-files-found error', ['--dry-run', '--if-no-files-found', 'error', 'nothing/*.yaml'], 1],
      ['an option that is wrong', ['--dry-run', '--max-attempts', '0', 'examples/manifests/**/*.yml'], 1],
      ['an option that is missing', ['examples/manifests/**/*.yml'], 1],
    ])('%s: %i', async (_, args, code) => {
      const run = await cli(args)
      expect(run.code, run.stdout).toBe(code)
    })

    it('1 for an invalid manifest, in a dry run too, and 0 with --no-fail-on-error', async () => {
      const workspace = await scratchDir('cli-invalid-')
      await writeFile(path.join(workspace, 'a.yaml'), INVALID)
      expect((await cli(['--dry-run', '--workspace', workspace, '*.yaml'])).code).toBe(1)
      expect((await cli(['--dry-run', '--no-fail-on-error', '--workspace', workspace, '*.yaml'])).code).toBe(0)
    })

    it('1 for a deletion that failed, and 0 with --no-fail-on-error', async () => {
      standIn = await startStandIn({ token: TOKEN })
      const env = { TFY_HOST: standIn.url, TFY_API_KEY: TOKEN }
      expect((await cli(['--no-missing-ok', 'examples/manifests/**/*.yml'], env)).code).toBe(1)
      expect((await cli(['--no-missing-ok', '--no-fail-on-error', 'examples/manifests/**/*.yml'], env)).code).toBe(0)
    })

    it('1 when the sweep could not list the pull requests', async () => {
      const gitHub = await startStandInGitHub({
        token: 'ghs_cli_exit',
        owner: 'acme',
        repo: 'models',
        pullRequests: [],
        answers: () => github.badCredentials(),
      })
      try {
        const run = await cli(['--dry-run', '--substitute-env', '--closed-within-days', '7', 'examples/manifests/preview/models.yaml'], {
          GITHUB_REPOSITORY: 'acme/models',
          GITHUB_API_URL: gitHub.url,
          GITHUB_TOKEN: 'ghs_cli_exit',
        })
        expect(run.code, run.stdout).toBe(1)
        // The command line's words, not the workflow's ("the github-token input", `permissions:`).
        expect(run.stdout + run.stderr).toContain(
          'GitHub rejected --github-token (HTTP 401: Bad credentials) when listing the pull requests of acme/models.',
        )
        expect(run.stdout + run.stderr).not.toContain('github-token input')
      } finally {
        await gitHub.close()
      }
    })

    it('1 when the run is cancelled (SIGINT, as a terminal’s Ctrl-C sends)', async () => {
      let sentSigint = () => {}
      standIn = await startStandIn({
        token: TOKEN,
        existing: ['demo-previews/churn-tokenizer@7'],
        script: (_request, response) => {
          sentSigint()
          setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'), 300)
          return 'handled'
        },
      })
      const child = spawn(process.execPath, [CLI, 'examples/manifests/**/*.yml'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', TFY_HOST: standIn.url, TFY_API_KEY: TOKEN },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      sentSigint = () => child.kill('SIGINT')
      let stdout = ''
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
      expect(code, stdout).toBe(1)
      expect(stdout).toContain('The cleanup was cancelled')
    })
  })
})
