import { describe, expect, it } from 'vitest'
import { describeProblems, formatPath } from '../../../src/manifests/problems.ts'

describe('formatPath', () => {
  it('writes keys with dots and indexes in brackets', () => {
    expect(formatPath(['source', 'paths', 1, 'src'])).toBe('source.paths[1].src')
    expect(formatPath([])).toBe('(manifest)')
  })
})

describe('describeProblems', () => {
  it('leads each with the field, or with "manifest" for the whole of it, and ends it with its line', () => {
    const problems = [
      { path: ['source', 'paths', 0], message: 'missing required field "src"' },
      { path: [], message: 'missing required field "name"' },
    ]
    expect(describeProblems(problems, (path) => path.length + 1)).toBe(
      'source.paths[0]: missing required field "src" (line 4); manifest: missing required field "name" (line 1)',
    )
  })
})
