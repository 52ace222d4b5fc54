// What a sweep deletes is what a closed pull request named, and nothing else:
// the built action against the stand-in GitHub API and control plane.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Result } from '../../src/results/result.ts'
import { BUILT_ACTION } from './support/bundle.ts'
import { runAction } from '../../fakes/run-action.ts'
import { startStandIn } from '../../fakes/stand-in-control-plane.ts'
import { closedPullRequest, startStandInGitHub, type StandInPullRequest } from '../../fakes/stand-in-github.ts'

const TFY_TOKEN = 'tfy-identity-secret-9b2f'
const GITHUB_TOKEN = 'ghs_identitySecret0123456789'
const NOW = new Date()
const REST = 'metadata: {}\nsource: {type: truefoundry}\n'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
})

async function sweep(files: Record<string, string>, pullRequests: StandInPullRequest[], existing: string[]) {
  const gitHub = await startStandInGitHub({ token: GITHUB_TOKEN, owner: 'acme', repo: 'models', pullRequests })
  const controlPlane = await startStandIn({ token: TFY_TOKEN, existing })
  const workspace = await mkdtemp(path.join(tmpdir(), 'sweep-identity-'))
  cleanups.push(
    () => gitHub.close(),
    () => controlPlane.close(),
    () => rm(workspace, { recursive: true, force: true }),
  )
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(workspace, name), text)
  const run = await runAction({
    entry: BUILT_ACTION,
    workspace,
    inputs: {
      'manifest-path': '*.yaml\n*.json',
      'control-plane-url': controlPlane.url,
      token: TFY_TOKEN,
      'github-token': GITHUB_TOKEN,
      'substitute-env': 'true',
      'closed-within-days': '7',
    },
    env: { GITHUB_REPOSITORY: 'acme/models', GITHUB_API_URL: gitHub.url },
  })
  const rows = JSON.parse(run.outputs.results ?? '[]') as Result[]
  return {
    run,
    rows,
    sent: controlPlane.requests.map(
      (request) => `${String(request.manifest?.name)}@${String(request.manifest?.version ?? request.manifest?.version_alias)}`,
    ),
  }
}

const three = () => [closedPullRequest(103, NOW, 1), closedPullRequest(102, NOW, 2), closedPullRequest(101, NOW, 3)]

describe('a sweep deletes only what a pull request named', () => {
  it('refuses manifests that name the same version for every pull request, in YAML and JSON, and deletes nothing', async () => {
    const { run, rows, sent } = await sweep(
      {
        'previews.yaml': `name: churn-classifier\nml_repo: previews\nversion_alias: v0-pr\${PR_NUMBER}\n${REST}---\nname: churn-features\nml_repo: previews\nversion: 3\n${REST}`,
        'summarizer.json': JSON.stringify({
          type: 'model-version',
          name: 'ticket-summarizer',
          ml_repo: 'previews',
          version: 12,
          metadata: {},
          source: { type: 'truefoundry' },
        }),
      },
      three(),
      ['previews/churn-features@3', 'model-version:previews/ticket-summarizer@12', 'previews/churn-classifier@v0-pr103'],
    )
    expect(run.exitCode).toBe(1)
    expect(sent).toEqual([])
    expect(rows.filter((row) => row.status === 'invalid').map((row) => [row.pull_request, row.name])).toEqual(
      [103, 102, 101].flatMap((number) => [
        [number, 'churn-features'],
        [number, 'ticket-summarizer'],
      ]),
    )
    expect(rows.find((row) => row.name === 'churn-features')!.message).toMatch(
      /^version: names nothing that belongs to a pull request: .*e\.g\. version_alias: v0-pr\$\{PR_NUMBER\}/,
    )
    expect(run.stdout).toMatch(
      /^::error title=Invalid artifact-version manifest,file=previews\.yaml,line=9,.*names nothing that belongs to a pull request/m,
    )
  })

  it('refuses a fork’s head branch main in a version alias: v0-main is never deleted', async () => {
    const fork = closedPullRequest(7, NOW, 1, {
      head: { ref: 'main', sha: 'f'.repeat(40), repo: { full_name: 'mallory/models', fork: true } },
    })
    const { run, rows, sent } = await sweep(
      {
        'previews.yaml': `name: churn-classifier\nml_repo: previews\nversion_alias: v0-\${PR_HEAD_REF}\ndescription: built from \${PR_HEAD_SHA}\n${REST}`,
      },
      [fork, closedPullRequest(6, NOW, 2, { head: { ref: 'release', sha: 'e'.repeat(40) } })],
      ['previews/churn-classifier@v0-main', 'previews/churn-classifier@v0-release'],
    )
    expect(run.exitCode).toBe(1)
    expect(sent).toEqual([])
    expect(rows.map((row) => [row.pull_request, row.status])).toEqual([
      [7, 'invalid'],
      [6, 'invalid'],
    ])
    expect(rows[0]!.message).toMatch(
      /^version_alias: names \$\{PR_HEAD_REF\}, which a sweep may not use to name a version: the head branch is named by whoever opens the pull request/,
    )
  })

  it('sends one version once in the run, whichever file and pull request name it, the later skipped naming the first', async () => {
    const { run, rows, sent } = await sweep(
      {
        'a.yaml': `name: churn\nml_repo: previews\nversion_alias: v\${PR_NUMBER}-7\n${REST}`,
        // Pull request 7 names v1-7 here, which pull request 1 names in a.yaml.
        'b.yaml': `name: churn\nml_repo: previews\nversion_alias: v1-\${PR_NUMBER}\n${REST}`,
      },
      [closedPullRequest(1, NOW, 1), closedPullRequest(7, NOW, 2)],
      ['previews/churn@v1-7', 'previews/churn@v1-1', 'previews/churn@v7-7'],
    )
    expect(run.exitCode).toBe(0)
    expect(sent.sort()).toEqual(['churn@v1-1', 'churn@v1-7', 'churn@v7-7'])
    expect(rows.map((row) => [row.pull_request, row.file, row.version_alias, row.status])).toEqual([
      [1, 'a.yaml', 'v1-7', 'deleted'],
      [1, 'b.yaml', 'v1-1', 'deleted'],
      [7, 'a.yaml', 'v7-7', 'deleted'],
      [7, 'b.yaml', 'v1-7', 'skipped'],
    ])
    expect(rows[3]!.message).toBe('duplicate of a.yaml:1 of pull request #1, sent then')
  })

  it('refuses a digit beside ${PR_NUMBER}, where pull request 23 would name v0-pr123, the version of pull request 123', async () => {
    const { run, rows, sent } = await sweep(
      {
        'a.yaml': `name: churn\nml_repo: previews\nversion_alias: v0-pr\${PR_NUMBER}\n${REST}`,
        'b.yaml': `name: churn\nml_repo: previews\nversion_alias: v0-pr1\${PR_NUMBER}\n${REST}`,
      },
      [closedPullRequest(23, NOW, 1)],
      ['previews/churn@v0-pr123', 'previews/churn@v0-pr23'],
    )
    expect(run.exitCode).toBe(1)
    expect(sent).toEqual([])
    expect(rows.map((row) => [row.file, row.status])).toEqual([
      ['a.yaml', 'skipped'],
      ['b.yaml', 'invalid'],
    ])
    expect(rows[1]!.message).toMatch(/^version_alias: puts a digit or another variable right beside \$\{PR_NUMBER\}/)
  })
})
