import { describe, expect, it } from 'vitest'
import { describeProblem, formatPath } from '../../../src/manifests/problems.ts'

describe('formatPath', () => {
  it('writes keys with dots and indexes in brackets', () => {
    expect(formatPath(['source', 'paths', 1, 'src'])).toBe('source.paths[1].src')
    expect(formatPath([])).toBe('(manifest)')
  })
})

describe('describeProblem', () => {
  it('leads with the field, or with "manifest" for the whole of it', () => {
    expect(describeProblem({ path: ['source', 'paths', 0], message: 'missing required field "src"' })).toBe(
      'source.paths[0]: missing required field "src"',
    )
    expect(describeProblem({ path: [], message: 'missing required field "name"' })).toBe('manifest: missing required field "name"')
  })
})
