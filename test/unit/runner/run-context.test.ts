import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readRunContext } from '../../../src/runner/run-context.ts'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'run-context-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

async function eventFile(name: string, content: string | Buffer): Promise<string> {
  const file = path.join(dir, name)
  await writeFile(file, content)
  return file
}

const RUNNER = { GITHUB_REPOSITORY: 'acme/models', GITHUB_SERVER_URL: 'https://github.example.com', GITHUB_RUN_ID: '9876' }

describe('readRunContext', () => {
  it('names the repository, the pull request of the event payload and the run', async () => {
    const GITHUB_EVENT_PATH = await eventFile('closed.json', JSON.stringify({ action: 'closed', pull_request: { number: 314 } }))
    expect(await readRunContext({ ...RUNNER, GITHUB_EVENT_PATH })).toEqual({
      repository: 'acme/models',
      pullRequest: 314,
      runUrl: 'https://github.example.com/acme/models/actions/runs/9876',
      serverUrl: 'https://github.example.com',
    })
  })

  it('says nothing it does not know outside a pull request or outside Actions, with github.com as the server', async () => {
    const GITHUB_EVENT_PATH = await eventFile('schedule.json', JSON.stringify({ schedule: '17 3 * * *' }))
    expect(await readRunContext({ GITHUB_EVENT_PATH })).toEqual({
      repository: null,
      pullRequest: null,
      runUrl: null,
      serverUrl: 'https://github.com',
    })
    expect(await readRunContext({})).toEqual({ repository: null, pullRequest: null, runUrl: null, serverUrl: 'https://github.com' })
  })

  it.each([
    ['missing', () => Promise.resolve(path.join(dir, 'no-such-file.json'))],
    ['a directory', () => Promise.resolve(dir)],
    ['not JSON', () => eventFile('broken.json', '{"pull_request": {"number": 3')],
    ['JSON null', () => eventFile('null.json', 'null')],
    ['a number that is not one', () => eventFile('string-number.json', '{"pull_request": {"number": "12"}}')],
    ['a negative number', () => eventFile('negative.json', '{"pull_request": {"number": -1}}')],
    ['larger than any payload (16 MiB)', () => eventFile('huge.json', Buffer.alloc(16 * 1024 * 1024 + 10, ' '))],
  ])('an event payload that is %s leaves the pull request out, and the rest stands', async (_name, make) => {
    const context = await readRunContext({ ...RUNNER, GITHUB_EVENT_PATH: await make() })
    expect(context).toEqual({
      repository: 'acme/models',
      pullRequest: null,
      runUrl: 'https://github.example.com/acme/models/actions/runs/9876',
      serverUrl: 'https://github.example.com',
    })
  })

  it.each([
    ['GITHUB_REPOSITORY without an owner', { GITHUB_REPOSITORY: 'models' }, { repository: null, runUrl: null }],
    ['GITHUB_RUN_ID that is not a number', { GITHUB_RUN_ID: '12; rm' }, { runUrl: null }],
    ['GITHUB_SERVER_URL without a scheme', { GITHUB_SERVER_URL: 'github.example.com' }, { serverUrl: null, runUrl: null }],
    [
      'GITHUB_SERVER_URL with user-info',
      { GITHUB_SERVER_URL: 'https://user:secret@github.example.com/' },
      { serverUrl: 'https://github.example.com' },
    ],
  ])('%s: what it would give is left out, and nothing throws', async (_name, env, expected) => {
    const context = await readRunContext({ ...RUNNER, ...env })
    expect(context).toMatchObject(expected)
    expect(JSON.stringify(context)).not.toContain('secret')
  })
})
