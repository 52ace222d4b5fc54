// Retention rules, run by the built action the way the runner runs it, against
// a stand-in control plane that lists versions page by page, on both API
// generations: what each rule selects, what it keeps and why, what the
// listing may get wrong, the limit, and a cancel in the middle of deleting.
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Result } from '../../src/results/result.ts'
import { BUILT_ACTION } from './support/bundle.ts'
import { runCli } from './support/run-cli.ts'
import { runAction, type ActionRun } from '../../fakes/run-action.ts'
import { startStandIn, type StandIn, type StandInOptions } from '../../fakes/stand-in-control-plane.ts'
import type { VersionSeed, VersionSet } from '../../fakes/stand-in-listing.ts'
import { scratchDir } from '../support/scratch.ts'

const TOKEN = 'tfy-secret-retention-7e3b'
const DAY = 24 * 60 * 60 * 1000

let standIn: StandIn | undefined
afterEach(async () => {
  await standIn?.close()
  standIn = undefined
})

/** A version `days` old, numbered `version`, with `alias` (`v<version>` unless given). */
function aged(version: number, days: number, fields: Partial<VersionSeed> = {}): VersionSeed {
  return { version, id: `id-${version}`, created_at: new Date(Date.now() - days * DAY).toISOString(), alias: `v${version}`, ...fields }
}

/** Ten versions of a model, 1 the oldest (52 days) to 10 the newest (7 days), aliases `v0-pr<N>` for the odd ones, `release-<N>` for the even. */
function tenVersions(): VersionSeed[] {
  return Array.from({ length: 10 }, (_, i) => aged(i + 1, 52 - 5 * i, { alias: (i + 1) % 2 === 1 ? `v0-pr${i + 1}` : `release-${i + 1}` }))
}

const MODEL = { type: 'model-version' as const, ml_repo: 'demo-previews', name: 'churn-classifier' }

interface Retention {
  rules: string
  sets?: VersionSet[]
  inputs?: Record<string, string>
  standIn?: Partial<StandInOptions>
  onStart?: Parameters<typeof runAction>[0]['onStart']
}

async function retention(given: Retention): Promise<{ run: ActionRun; rows: Result[]; deleted: string[] }> {
  standIn = await startStandIn({ token: TOKEN, versions: given.sets ?? [{ ...MODEL, versions: tenVersions() }], ...given.standIn })
  const workspace = await scratchDir('retention-')
  await writeFile(path.join(workspace, 'retention.yaml'), given.rules)
  const run = await runAction({
    entry: BUILT_ACTION,
    workspace,
    inputs: { 'retention-rules': 'retention.yaml', 'control-plane-url': standIn.url, token: TOKEN, ...given.inputs },
    onStart: given.onStart,
  })
  // The token is shown only to the runner, to mask it, as the first line.
  expect(run.stdout.split('\n').filter((line) => line.includes(TOKEN))).toEqual([`::add-mask::${TOKEN}`])
  for (const text of [run.stderr, run.summary, JSON.stringify(run.outputs)]) expect(text).not.toContain(TOKEN)
  const rows = JSON.parse(run.outputs.results ?? '[]') as Result[]
  const deleted = standIn.requests.filter((request) => request.method === 'DELETE').map((request) => request.path.split('/').at(-1)!)
  return { run, rows, deleted }
}

const rule = (fields: string) => `ml_repo: demo-previews\nname: churn-classifier\ntype: model-version\n${fields}\n`
const ids = (numbers: number[]) => numbers.map((n) => `id-${n}`)
const sorted = (values: string[]) => [...values].sort()

describe.each(['ml-v1', 'svc-v1'] as const)('retention on a control plane serving %s', (serves) => {
  const on = { serves }

  it.each([
    ['keep_latest alone', 'keep_latest: 3', [1, 2, 3, 4, 5, 6, 7]],
    ['older_than_days alone', 'older_than_days: 30', [1, 2, 3, 4, 5]],
    ['both: beyond the newest and old', 'keep_latest: 8\nolder_than_days: 30', [1, 2]],
    ['both, the cut-off the narrower', 'keep_latest: 2\nolder_than_days: 30', [1, 2, 3, 4, 5]],
    ['aliases with keep_latest', "aliases: ['v0-pr*']\nkeep_latest: 2", [1, 3, 5]],
    ['aliases with older_than_days', "aliases: ['v0-pr*', 'release-1?']\nolder_than_days: 20", [1, 3, 5, 7]],
    ['every field', "aliases: ['release-*']\nkeep_latest: 1\nolder_than_days: 22", [2, 4, 6]],
  ])('selects by %s, deletes exactly those by id, and says why', async (_what, fields, expected) => {
    const { run, rows, deleted } = await retention({ rules: rule(fields), standIn: on })
    expect(run.exitCode, run.stdout).toBe(0)
    expect(sorted(deleted)).toEqual(sorted(ids(expected)))
    expect(sorted(standIn!.listing.ids(MODEL))).toEqual(sorted(ids([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].filter((n) => !expected.includes(n)))))
    const prefix = serves === 'ml-v1' ? '/api/ml/v1/model-versions/' : '/api/svc/v1/model-versions/'
    for (const request of standIn!.requests.filter((request) => request.method === 'DELETE'))
      expect(request.path.startsWith(prefix)).toBe(true)
    expect(rows.map((row) => [row.status, row.id, row.rule, row.version])).toEqual(
      expect.arrayContaining(expected.map((n) => ['deleted', `id-${n}`, 'retention.yaml:1', n])),
    )
    expect(rows).toHaveLength(expected.length)
    for (const row of rows) expect(row.message).toMatch(/(older than \d+ days \(created \d{4}-\d\d-\d\d\)|beyond the \d+ newest)/)
    expect(run.summary).toContain('Retention rules')
  })

  it('a dry run lists the selection whatever the limit, and deletes nothing', async () => {
    const { run, rows, deleted } = await retention({
      rules: rule('keep_latest: 1'),
      standIn: on,
      inputs: { 'dry-run': 'true', 'max-deletions': '2' },
    })
    expect(run.exitCode, run.stdout).toBe(0)
    expect(deleted).toEqual([])
    expect(rows.map((row) => row.status)).toEqual(Array(9).fill('dry-run'))
    expect(rows[0]!.message).toMatch(/^would be deleted: /)
  })
})

describe('retention, what it keeps', () => {
  it('counts the newest by distinct version numbers: ties are kept together, gaps skipped over', async () => {
    const versions = [aged(1, 40), aged(4, 30), aged(9, 20), aged(9, 19, { id: 'id-9b' }), aged(12, 10)]
    const { rows, deleted } = await retention({ rules: rule('keep_latest: 2'), sets: [{ ...MODEL, versions }] })
    expect(sorted(deleted)).toEqual(['id-1', 'id-4'])
    expect(rows.map((row) => row.version)).toEqual(expect.arrayContaining([1, 4]))
  })

  it('keeps a version without a manifest under aliases, and one without created_at under older_than_days', async () => {
    const versions = [
      aged(1, 40, { manifest: false }),
      aged(2, 40, { alias: 'v0-pr2' }),
      aged(3, 40, { alias: 'v0-pr3', created_at: null }),
    ]
    const { run, deleted } = await retention({ rules: rule("aliases: ['v0-pr*']\nolder_than_days: 7"), sets: [{ ...MODEL, versions }] })
    expect(run.exitCode, run.stdout).toBe(0)
    expect(deleted).toEqual(['id-2'])
    expect(run.summary).toMatch(/could not be judged/)
  })

  it('never touches a version created during the run, and counts one someone else deleted first as not found', async () => {
    let first = true
    const { run, rows, deleted } = await retention({
      rules: rule('keep_latest: 8'),
      standIn: {
        script(request) {
          if (request.method !== 'DELETE' || !first) return
          first = false
          standIn!.listing.add(MODEL, aged(11, 0, { id: 'id-new' }))
          standIn!.listing.remove(request.path.endsWith('id-1') ? 'id-2' : 'id-1')
        },
      },
    })
    expect(run.exitCode, run.stdout).toBe(0)
    expect(sorted(deleted)).toEqual(['id-1', 'id-2'])
    expect(standIn!.listing.ids(MODEL)).toContain('id-new')
    expect(sorted(rows.map((row) => row.status))).toEqual(['deleted', 'not-found'])
  })
})

describe('retention, what it refuses', () => {
  it('fails a rule whose ML repo does not exist, naming it, and still applies the others', async () => {
    const rules = `${rule('keep_latest: 8')}---\nml_repo: no-such-repo\nname: churn-classifier\nkeep_latest: 1\n`
    const { run, rows, deleted } = await retention({ rules })
    expect(run.exitCode).toBe(1)
    expect(sorted(deleted)).toEqual(['id-1', 'id-2'])
    const failed = rows.filter((row) => row.status === 'failed')
    expect(failed).toHaveLength(1)
    expect(failed[0]!).toMatchObject({ rule: 'retention.yaml:6', ml_repo: 'no-such-repo', id: null })
    expect(failed[0]!.message).toContain('no-such-repo')
    // The rows are the rules' and their versions', not manifests.
    expect(run.stdout).toMatch(/::error::1 row failed or was invalid: 2 deleted, 0 not found, 1 failed/)
  })

  it('fails a rule whose listing disagrees with its own total, deleting nothing of it', async () => {
    const { run, rows, deleted } = await retention({
      rules: rule('keep_latest: 1'),
      standIn: { maxPageSize: 4, lie: (page, answer) => (page.page === 2 ? { ...answer, total: answer.total + 1 } : answer) },
    })
    expect(run.exitCode).toBe(1)
    expect(deleted).toEqual([])
    expect(rows).toHaveLength(1)
    expect(rows[0]!.status).toBe('failed')
  })

  it('past max-deletions deletes nothing and fails, saying how many each rule selected and which input raises the limit', async () => {
    const { run, deleted } = await retention({ rules: rule('keep_latest: 2'), inputs: { 'max-deletions': '5' } })
    expect(run.exitCode).toBe(1)
    expect(deleted).toEqual([])
    expect(run.stdout).toMatch(/select 8 versions, more than max-deletions \(5\)/)
    expect(run.stdout).toMatch(/retention\.yaml:1 \(demo-previews\/churn-classifier\): 8/)
  })

  it('refuses every rule when one is invalid, listing nothing', async () => {
    const { run, rows } = await retention({ rules: `${rule('keep_latest: 2')}---\nml_repo: demo-previews\nname: other\n` })
    expect(run.exitCode).toBe(1)
    expect(standIn!.requests).toEqual([])
    expect(rows.map((row) => row.status)).toEqual(['skipped', 'invalid'])
  })
})

describe('retention, what stops it before anything is deleted', () => {
  it('fails when no rule file matches: a step with no rule would pass having deleted nothing', async () => {
    const { run } = await retention({ rules: rule('keep_latest: 2'), inputs: { 'retention-rules': 'nothing/*.yaml' } })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain(
      'No retention rule files were found with the provided path: nothing/*.yaml. Nothing was listed or deleted.',
    )
    expect(standIn!.requests).toEqual([])
  })

  it('fails where neither generation lists ML repos, naming both URLs and the api input', async () => {
    const { run, deleted } = await retention({
      rules: rule('keep_latest: 2'),
      standIn: {
        script(request, response) {
          response.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}')
          return 'handled'
        },
      },
    })
    expect(run.exitCode).toBe(1)
    expect(deleted).toEqual([])
    expect(run.stdout).toMatch(
      /Neither http:\/\/127\.0\.0\.1:\d+\/api\/ml\/v1\/ml-repos nor http:\/\/127\.0\.0\.1:\d+\/api\/svc\/v1\/ml-repos lists ML repos/,
    )
    expect(run.stdout).toMatch(/control-plane-url \(or TFY_HOST\).*The api setting is auto/)
  })

  it('does not pass when every delete by id is answered 404: the versions were listed moments before', async () => {
    const { run, rows } = await retention({
      rules: rule('keep_latest: 8'),
      standIn: {
        script(request, response) {
          if (request.method !== 'DELETE') return
          response.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}')
          return 'handled'
        },
      },
    })
    expect(run.exitCode).toBe(1)
    expect(rows.map((row) => row.status)).toEqual(['not-found', 'not-found'])
    expect(run.stdout).toMatch(
      /Every delete by id \(2\) was answered 404, for versions listed moments before: http:\/\/127\.0\.0\.1:\d+\/api\/ml\/v1\/model-versions\/\{id\} likely does not delete them here/,
    )
  })

  it('stops at a rejected token, which is never shown, even when the server echoes it', async () => {
    const { run, deleted } = await retention({
      rules: `${rule('keep_latest: 2')}---\nml_repo: demo-previews\nname: other\nkeep_latest: 1\n`,
      standIn: {
        script(request, response) {
          response
            .writeHead(401, { 'content-type': 'application/json' })
            .end(JSON.stringify({ detail: `bad token ${request.headers.authorization}` }))
          return 'handled'
        },
      },
    })
    expect(run.exitCode).toBe(1)
    expect(deleted).toEqual([])
    expect(run.stdout).toMatch(/the token was rejected \(HTTP 401/)
  })
})

describe('retention cancelled in the middle of deleting', () => {
  it('writes a whole record: every version deleted has its row', async () => {
    const versions = Array.from({ length: 200 }, (_, i) => aged(i + 1, 100))
    let signalled = false
    const { run, rows, deleted } = await retention({
      rules: rule('keep_latest: 1'),
      sets: [{ ...MODEL, versions }],
      inputs: { 'max-deletions': '1000', concurrency: '2' },
      standIn: { deleteDelayMs: 20 },
      onStart(child) {
        const poll = setInterval(() => {
          if (standIn!.requests.filter((request) => request.method === 'DELETE').length < 20) return
          clearInterval(poll)
          signalled = true
          child.kill('SIGINT')
        }, 5)
        child.on('exit', () => clearInterval(poll))
      },
    })
    expect(signalled).toBe(true)
    expect(run.exitCode).toBe(1)
    expect(rows).toHaveLength(199)
    const left = new Set(standIn!.listing.ids(MODEL))
    // Deleted rows are versions gone; a version gone whose answer the cancel cut off is a failed row that says it may be deleted.
    for (const row of rows.filter((row) => row.status === 'deleted')) expect(left.has(row.id!)).toBe(false)
    for (const row of rows.filter((row) => !left.has(row.id!))) expect(['deleted', 'failed']).toContain(row.status)
    expect(rows.filter((row) => row.status === 'skipped').every((row) => left.has(row.id!))).toBe(true)
    expect(deleted.length).toBeLessThan(199)
  })
})

describe('retention from the command line', () => {
  it('takes --retention-rules and --max-deletions, and a dry run prints the selection as a table', async () => {
    standIn = await startStandIn({ token: TOKEN, versions: [{ ...MODEL, versions: tenVersions() }] })
    const workspace = await scratchDir('retention-cli-')
    await writeFile(path.join(workspace, 'retention.yaml'), rule('keep_latest: 7'))
    const env = { TFY_HOST: standIn.url, TFY_API_KEY: TOKEN }
    const dry = await runCli(['--retention-rules', 'retention.yaml', '--max-deletions', '2', '--dry-run'], workspace, env)
    expect(dry.code, dry.stderr).toBe(0)
    for (const [n, alias] of [
      [1, 'v0-pr1'],
      [2, 'release-2'],
      [3, 'v0-pr3'],
    ] as const) {
      const line = `dry run\\s+model version\\s+demo-previews\\s+churn-classifier\\s+${n} \\(${alias}\\)\\s+0\\s+retention\\.yaml:1\\s+would be deleted: beyond the 7 newest`
      expect(dry.stdout).toMatch(new RegExp(line))
    }
    expect(dry.stdout).not.toContain(TOKEN)

    const over = await runCli(['--retention-rules', 'retention.yaml', '--max-deletions', '2'], workspace, env)
    expect(over.code).toBe(1)
    expect(over.stdout + over.stderr).toMatch(/more than --max-deletions \(2\)/)
    expect(standIn.requests.filter((request) => request.method === 'DELETE')).toEqual([])

    const live = await runCli(['--retention-rules', 'retention.yaml', '--max-deletions', '3', '--json'], workspace, env)
    expect(live.code, live.stderr).toBe(0)
    expect((JSON.parse(live.stdout) as Result[]).map((row) => [row.status, row.id, row.rule])).toEqual(
      ids([1, 2, 3]).map((id) => ['deleted', id, 'retention.yaml:1']),
    )
  })
})
