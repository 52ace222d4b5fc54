// What is committed as dist/ is what the runner loads: the action, the command
// line and the modules only a sweep, only retention and only one kind of manifest read, side by side,
// with the licenses of everything bundled into them.
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { expect, test } from 'vitest'
import { runAction } from '../../fakes/run-action.ts'
import { scratchDir } from '../support/scratch.ts'
import { stringify } from 'yaml'
import { sampleManifest } from '../support/sample-manifests.ts'
import { KIND_NAMES } from '../../src/manifests/kinds.ts'
import { BUILT_ACTION } from './support/bundle.ts'

const dir = path.dirname(BUILT_ACTION)
const VALIDATORS = KIND_NAMES.map((kind) => `validators/${kind}.cjs`).sort()

/** The chunk beside the bundles that holds `module` (a path under src/, as JavaScript): chunks are named by number. */
async function chunkOf(module: string): Promise<string> {
  const chunks = (await readdir(dir)).filter((name) => /^\d+\.index\.js$/.test(name))
  const holding = []
  for (const name of chunks) if ((await readFile(path.join(dir, name), 'utf8')).includes(`/src/${module}\n`)) holding.push(name)
  expect(holding, module).toHaveLength(1)
  return holding[0]!
}

test('dist/ holds one file per entry, the modules only a sweep and only retention load, and two chunks: the deletion stage and the listing', async () => {
  const chunks = [await chunkOf('deletion/deletion-stage.js'), await chunkOf('targets/sweep-listing.js')]
  expect(new Set(chunks).size).toBe(2)
  expect((await readdir(dir)).filter((name) => name.endsWith('.js')).sort()).toEqual(
    ['cli.js', 'index.js', 'octokit.js', 'retention.js', ...chunks].sort(),
  )
})

test("dist/validators/ holds each kind's validator, and nothing else", async () => {
  expect((await readdir(path.join(dir, 'validators'))).map((name) => `validators/${name}`).sort()).toEqual(VALIDATORS)
})

test('every bundle is ASCII: a character past Latin-1 would make V8 keep and rescan it at two bytes a character', async () => {
  for (const name of (await readdir(dir)).filter((name) => name.endsWith('.js')).concat(VALIDATORS))
    expect(/[^\x20-\x7e\t\n\r]/.test(await readFile(path.join(dir, name), 'latin1')), name).toBe(false)
})

test('licenses.txt names every runtime dependency and what octokit.js bundles', async () => {
  const licenses = await readFile(path.join(dir, 'licenses.txt'), 'utf8')
  const names = new Set(licenses.split('\n').filter((line) => /^[@a-z][\w@/.-]*$/.test(line)))
  const { dependencies } = JSON.parse(await readFile('package.json', 'utf8')) as { dependencies: Record<string, string> }
  for (const name of Object.keys(dependencies)) expect(names, name).toContain(name)
  for (const name of [
    '@octokit/core',
    '@octokit/plugin-paginate-rest',
    '@octokit/plugin-retry',
    '@octokit/plugin-throttling',
    'bottleneck',
  ])
    expect(names, name).toContain(name)
})

test("a dry run reads none of what only sweeps, deletes and retention need; a sweep reads the listing's chunk and octokit.js, a live run the deletion stage's, retention retention.js", async () => {
  const scratch = await scratchDir('bundle-')
  const bundle = path.join(scratch, 'dist')
  await cp(dir, bundle, { recursive: true })
  const listing = await chunkOf('targets/sweep-listing.js')
  const deletion = await chunkOf('deletion/deletion-stage.js')
  for (const name of ['octokit.js', 'retention.js', listing, deletion]) await rm(path.join(bundle, name))
  const workspace = path.join(scratch, 'workspace')
  await mkdir(workspace)
  await writeFile(path.join(workspace, 'preview.yaml'), stringify({ ...sampleManifest(1), version_alias: 'v0-pr${PR_NUMBER}' }))

  const dryRun = await runAction({
    entry: path.join(bundle, 'index.js'),
    workspace,
    inputs: { 'manifest-path': 'preview.yaml', 'dry-run': 'true', 'substitute-env': 'true' },
    env: { PR_NUMBER: '1' },
  })
  expect(dryRun.stderr).toBe('')
  expect(dryRun.exitCode).toBe(0)
  expect(dryRun.outputs.results).toContain('"status":"dry-run"')

  const sweepRun = {
    inputs: {
      'manifest-path': 'preview.yaml',
      'dry-run': 'true',
      'closed-within-days': '7',
      'substitute-env': 'true',
      'github-token': 'ghs_x',
    },
    env: { GITHUB_REPOSITORY: 'acme/models', GITHUB_API_URL: 'http://127.0.0.1:9' },
  }
  const sweep = await runAction({ ...sweepRun, entry: path.join(bundle, 'index.js'), workspace })
  expect(sweep.exitCode).toBe(1)
  expect(sweep.stdout).toContain(listing)
  await cp(path.join(dir, listing), path.join(bundle, listing))
  const sweepAgain = await runAction({ ...sweepRun, entry: path.join(bundle, 'index.js'), workspace })
  expect(sweepAgain.exitCode).toBe(1)
  expect(sweepAgain.stdout).toContain('octokit.js')

  const live = await runAction({
    entry: path.join(bundle, 'index.js'),
    workspace,
    inputs: { 'manifest-path': 'preview.yaml', 'control-plane-url': 'http://127.0.0.1:9', token: 'tfy-x', 'substitute-env': 'true' },
    env: { PR_NUMBER: '1' },
  })
  expect(live.exitCode).toBe(1)
  expect(live.stdout).toContain(deletion)

  await writeFile(path.join(workspace, 'retention.yaml'), 'ml_repo: previews\nname: churn\nkeep_latest: 3\n')
  const retention = await runAction({
    entry: path.join(bundle, 'index.js'),
    workspace,
    inputs: { 'retention-rules': 'retention.yaml', 'dry-run': 'true', 'control-plane-url': 'http://127.0.0.1:9', token: 'tfy-x' },
  })
  expect(retention.exitCode).toBe(1)
  expect(retention.stdout).toContain('retention.js')
})

test("a run reads the validators of the kinds it meets only: an artifact version's dry run without the others' passes, a model version needs its own", async () => {
  const scratch = await scratchDir('bundle-')
  const bundle = path.join(scratch, 'dist')
  await cp(dir, bundle, { recursive: true })
  for (const name of VALIDATORS) if (name !== 'validators/artifact-version.cjs') await rm(path.join(bundle, name))
  const workspace = path.join(scratch, 'workspace')
  await mkdir(workspace)
  await writeFile(path.join(workspace, 'artifact.yaml'), stringify(sampleManifest(1)))
  await writeFile(path.join(workspace, 'model.yaml'), stringify({ ...sampleManifest(2), type: 'model-version' }))

  const artifact = await runAction({
    entry: path.join(bundle, 'index.js'),
    workspace,
    inputs: { 'manifest-path': 'artifact.yaml', 'dry-run': 'true' },
  })
  expect(artifact.stderr).toBe('')
  expect(artifact.exitCode).toBe(0)
  expect(artifact.outputs.results).toContain('"status":"dry-run"')

  const model = await runAction({
    entry: path.join(bundle, 'index.js'),
    workspace,
    inputs: { 'manifest-path': 'model.yaml', 'dry-run': 'true' },
  })
  expect(model.exitCode).toBe(1)
  expect(model.stdout).toContain('model-version.cjs has no validator for model-version: run npm run generate')
})
