import { describe, expect, it } from 'vitest'
import { readRunContext, type GitHubContext } from '../src/run-context.ts'

function githubContext(payload: GitHubContext['payload']): GitHubContext {
  return { runId: 9876, serverUrl: 'https://github.example.com', payload, repo: { owner: 'acme', repo: 'models' } }
}

describe('readRunContext', () => {
  it('names the repository, the pull request and the run', () => {
    const context = githubContext({ action: 'closed', pull_request: { number: 314 } })
    expect(readRunContext(context, { GITHUB_REPOSITORY: 'acme/models' })).toEqual({
      repository: 'acme/models',
      pullRequest: 314,
      runUrl: 'https://github.example.com/acme/models/actions/runs/9876',
      serverUrl: 'https://github.example.com',
    })
  })

  it('says nothing it does not know outside a pull request or outside Actions', () => {
    const outside: GitHubContext = {
      ...githubContext({}),
      get repo(): never {
        throw new Error('context.repo requires a GITHUB_REPOSITORY environment variable like \'owner/repo\'')
      },
    }
    expect(readRunContext(outside, {})).toEqual({ repository: null, pullRequest: null, runUrl: null, serverUrl: 'https://github.example.com' })
  })
})
