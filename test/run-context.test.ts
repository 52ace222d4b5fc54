import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { readRunContext } from '../src/run-context.ts'

afterEach(() => vi.unstubAllEnvs())

describe('readRunContext', () => {
  it('names the repository, the pull request and the run from the runner’s variables and event', async () => {
    const event = path.join(await mkdtemp(path.join(tmpdir(), 'event-')), 'event.json')
    await writeFile(event, JSON.stringify({ action: 'closed', pull_request: { number: 314 } }))
    vi.stubEnv('GITHUB_REPOSITORY', 'acme/models')
    vi.stubEnv('GITHUB_RUN_ID', '9876')
    vi.stubEnv('GITHUB_SERVER_URL', 'https://github.example.com')
    vi.stubEnv('GITHUB_EVENT_PATH', event)
    expect(readRunContext()).toEqual({
      repository: 'acme/models',
      pullRequest: 314,
      runUrl: 'https://github.example.com/acme/models/actions/runs/9876',
    })
  })

  it('says nothing it does not know outside a pull request or outside Actions', () => {
    vi.stubEnv('GITHUB_REPOSITORY', '')
    vi.stubEnv('GITHUB_EVENT_PATH', '')
    expect(readRunContext()).toEqual({ repository: null, pullRequest: null, runUrl: null })
  })
})
