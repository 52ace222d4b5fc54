// What is committed as dist/ is what the runner loads: one file an entry, and
// the licenses of everything bundled into it.
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { expect, test } from 'vitest'
import { BUILT_ACTION } from './support/bundle.ts'

const dir = path.dirname(BUILT_ACTION)

test('the action is one file beside its licenses: a lazily loaded module is bundled, not left in a chunk', async () => {
  expect((await readdir(dir)).filter((name) => name.endsWith('.js')).sort()).toEqual(['index.js'])
  expect((await readdir(path.join(dir, 'cli'))).filter((name) => name.endsWith('.js')).sort()).toEqual(['index.js'])
})

test('licenses.txt names every runtime dependency and the Octokit plugins loaded only in a sweep', async () => {
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
