import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import * as core from '../src/core.ts'

const root = path.resolve(import.meta.dirname, '..')
const calls = path.join(root, 'test/fixtures/core-calls.ts')

interface Received {
  exitCode: number
  stdout: string
  stderr: string
  output: string | null
  summary: string | null
}

/** Runs test/fixtures/core-calls.ts with one implementation, as the runner would: INPUT_* variables, the command files. */
async function receive(implementation: string, env: Record<string, string>, files: boolean): Promise<Received> {
  const dir = await mkdtemp(path.join(tmpdir(), 'core-'))
  const output = path.join(dir, 'output')
  const summary = path.join(dir, 'summary')
  if (files) await Promise.all([writeFile(output, ''), writeFile(summary, '')])
  const fileEnv = files ? { GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary } : {}
  const { exitCode, stdout, stderr } = await new Promise<{ exitCode: number; stdout: string; stderr: string }>((resolve) => {
    const env_ = { PATH: process.env.PATH, 'INPUT_MANIFEST-PATH': 'a/*.yaml\n!a/b.yaml', INPUT_WITH_SPACE: 'spaced', INPUT_PADDED: '  padded  ', ...env, ...fileEnv }
    const child = execFile(process.execPath, [calls, implementation], { env: env_ }, (_error, stdout, stderr) => resolve({ exitCode: child.exitCode ?? -1, stdout, stderr }))
  })
  const read = async (file: string) => (files ? (await readFile(file, 'utf8')).replace(/ghadelimiter_[0-9a-f-]+/g, 'ghadelimiter_ID') : null)
  return { exitCode, stdout, stderr, output: await read(output), summary: await read(summary) }
}

describe('src/core.ts', () => {
  const settings = {
    'with the command files': { env: {}, files: true },
    'without them (a runner before the files, a terminal)': { env: {}, files: false },
    'with RUNNER_DEBUG set': { env: { RUNNER_DEBUG: '1' }, files: true },
  }
  for (const [name, { env, files }] of Object.entries(settings)) {
    it(`gives the runner what @actions/core gives it, ${name}`, async () => {
      const [ours, theirs] = await Promise.all([receive(path.join(root, 'src/core.ts'), env, files), receive('@actions/core', env, files)])
      expect(ours).toEqual(theirs)
      expect(ours.stdout).toContain('::warning title=Invalid%3A name%2C version,file=manifests/a.yaml,line=3,col=2::a warning')
      expect(ours.exitCode).toBe(1)
    })
  }

  it('has every function @actions/glob calls, since the bundle gives it this module as @actions/core', async () => {
    const lib = path.join(root, 'node_modules/@actions/glob/lib')
    const sources = await Promise.all((await readdir(lib)).filter((file) => file.endsWith('.js')).map((file) => readFile(path.join(lib, file), 'utf8')))
    const called = new Set(sources.flatMap((source) => [...source.matchAll(/\bcore\.(\w+)/g)].map((match) => match[1]!)))
    expect([...called].sort()).toEqual(['debug', 'info'])
    for (const name of called) expect(typeof (core as Record<string, unknown>)[name], name).toBe('function')
  })

  it('keeps @actions/core’s entry, and the HTTP client it loads, out of the built action', async () => {
    const bundle = await readFile(path.join(root, 'dist/index.js'), 'utf8')
    // @actions/core's OIDC client; undici's dispatcher; tunnel's proxy agent, which @actions/http-client loads.
    for (const marker of ['OidcClient', 'class Dispatcher', 'httpsOverHttp']) expect(bundle).not.toContain(marker)
  })
})
