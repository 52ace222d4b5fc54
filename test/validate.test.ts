import { describe, expect, it } from 'vitest'
import { checkManifest, closestField, describeProblem, formatPath, type Problem } from '../src/validate.ts'

const valid = {
  name: 'churn-model',
  metadata: { pr: 42 },
  ml_repo: 'preview-models',
  version: 3,
  source: { type: 'truefoundry' },
}

function problemsOf(value: unknown): Problem[] {
  const verdict = checkManifest(value)
  if (verdict.valid) throw new Error(`expected ${JSON.stringify(value)} to be invalid`)
  return verdict.problems
}

/** A manifest with some fields replaced; `undefined` removes one. */
function withFields(fields: Record<string, unknown>): Record<string, unknown> {
  const manifest: Record<string, unknown> = { ...valid, ...fields }
  for (const [key, value] of Object.entries(fields)) if (value === undefined) delete manifest[key]
  return manifest
}

describe('checkManifest', () => {
  it('accepts a complete manifest and returns it', () => {
    expect(checkManifest(valid)).toEqual({ valid: true, kind: 'artifact-version', manifest: valid, body: JSON.stringify({ manifest: valid }), unknownFields: [] })
  })

  it('accepts version_alias in place of version, and every kind of source', () => {
    for (const source of [
      { type: 'truefoundry', uri: 's3://bucket/path' },
      { type: 'external', uri: 'gs://bucket/model' },
      { type: 'local', paths: [{ src: 'model.pkl', dest: 'model/' }] },
    ]) {
      expect(checkManifest(withFields({ version: undefined, version_alias: 'v-pr-42', source })).valid).toBe(true)
    }
  })

  it.each([
    ['name', { name: undefined }, [], 'missing required field "name"'],
    ['metadata', { metadata: undefined }, [], 'missing required field "metadata"'],
    ['source', { source: undefined }, [], 'missing required field "source"'],
  ])('names a missing required field: %s', (_, fields, path, message) => {
    expect(problemsOf(withFields(fields))).toEqual([{ path, message }])
  })

  it.each([
    [{ name: 5 }, ['name'], 'expected string, got the integer 5'],
    [{ metadata: ['a'] }, ['metadata'], 'expected object, got a list'],
    [{ version: 1.5 }, ['version'], 'expected integer, got the number 1.5'],
    [{ version: '3' }, ['version'], 'expected integer, got the string "3"'],
    [{ ml_repo: null }, ['ml_repo'], 'expected string, got nothing (null)'],
    [{ step: true }, ['step'], 'expected integer, got boolean true'],
  ])('names the field, the type expected and the value for %j', (fields, path, message) => {
    expect(problemsOf(withFields(fields))).toEqual([{ path, message }])
  })

  it('shows the value and the pattern it misses', () => {
    expect(problemsOf(withFields({ name: 'churn model' }))).toEqual([
      { path: ['name'], message: '"churn model" does not match the pattern ^[A-Za-z0-9_\\-]+$' },
    ])
    expect(problemsOf(withFields({ version_alias: 'pr-42' }))).toEqual([
      { path: ['version_alias'], message: '"pr-42" does not match the pattern ^v[a-zA-Z0-9.-]*([a-zA-Z0-9]+)$' },
    ])
    expect(problemsOf(withFields({ source: { type: 'external', uri: 'https://bucket/x' } }))).toEqual([
      { path: ['source', 'uri'], message: '"https://bucket/x" does not match the pattern ^(s3|gs|wasbs)://.*' },
    ])
  })

  it('cuts a long value it shows', () => {
    const [problem] = problemsOf(withFields({ ml_repo: `${'a'.repeat(200)}!` }))
    expect(problem?.message).toBe(`"${'a'.repeat(80)}…" does not match the pattern ^[a-zA-Z][a-zA-Z0-9\\-]{1,98}[a-zA-Z0-9]$`)
  })

  it('counts length in characters, not UTF-16 units', () => {
    const emoji = '\u{1F4E6}'
    expect(checkManifest(withFields({ description: emoji.repeat(512) })).valid).toBe(true)
    expect(problemsOf(withFields({ description: emoji.repeat(513) }))).toEqual([
      { path: ['description'], message: 'must be at most 512 characters, got 513' },
    ])
  })

  it('names the minimum and the value', () => {
    expect(problemsOf(withFields({ version: 0 }))).toEqual([{ path: ['version'], message: 'must be at least 1, got 0' }])
    expect(problemsOf(withFields({ step: -1 }))).toEqual([{ path: ['step'], message: 'must be at least 0, got -1' }])
  })

  it('names the allowed words of an enum and the value', () => {
    expect(problemsOf(withFields({ type: 'model-version' }))).toEqual([
      { path: ['type'], message: 'must be "artifact-version", got "model-version"' },
    ])
  })

  describe('source', () => {
    it('names the source types when the type is unknown', () => {
      expect(problemsOf(withFields({ source: { type: 's3', uri: 's3://b/x' } }))).toEqual([
        { path: ['source', 'type'], message: 'must be "truefoundry", "external" or "local", got "s3"' },
      ])
    })

    it('says the type is missing', () => {
      expect(problemsOf(withFields({ source: { uri: 's3://b/x' } }))).toEqual([
        { path: ['source'], message: 'missing required field "type"' },
      ])
    })

    it('wants a mapping', () => {
      expect(problemsOf(withFields({ source: 's3://b/x' }))).toEqual([
        { path: ['source'], message: 'expected object, got the string "s3://b/x"' },
      ])
      expect(problemsOf(withFields({ source: [{ type: 'local' }] }))).toEqual([{ path: ['source'], message: 'expected object, got a list' }])
    })

    it('wants the fields of the type it names', () => {
      expect(problemsOf(withFields({ source: { type: 'external' } }))).toEqual([{ path: ['source'], message: 'missing required field "uri"' }])
      expect(problemsOf(withFields({ source: { type: 'local' } }))).toEqual([{ path: ['source'], message: 'missing required field "paths"' }])
      expect(problemsOf(withFields({ source: { type: 'local', paths: [{ src: 'a' }, { dest: 'b' }] } }))).toEqual([
        { path: ['source', 'paths', 1], message: 'missing required field "src"' },
      ])
    })
  })

  it.each([
    [[valid], 'a list'],
    ['churn-model', 'the string "churn-model"'],
    [3, 'the integer 3'],
    [null, 'nothing (null)'],
  ])('refuses a document that is not a mapping: %j', (value, described) => {
    expect(checkManifest(value)).toEqual({
      valid: false,
      problems: [{ path: [], message: `must be a mapping of manifest fields, got ${described}` }],
      unknownFields: [],
    })
  })

  it('refuses a manifest that names neither version nor version_alias', () => {
    expect(problemsOf(withFields({ version: undefined }))).toEqual([
      { path: [], message: 'names neither "version" nor "version_alias", so it does not identify one version; add one of them' },
    ])
  })

  it('reports every problem at once', () => {
    const problems = problemsOf({ name: 'a b', metadata: {}, ml_repo: 'r', source: { type: 'external' } })
    expect(problems.map((problem) => formatPath(problem.path)).sort()).toEqual(['(manifest)', 'ml_repo', 'name', 'source'])
  })

  describe('unknown fields', () => {
    it('are reported with the field they most likely meant, without failing the manifest', () => {
      const verdict = checkManifest(withFields({ 'ml-repo': 'x', metdata: {}, zzz: 1 }))
      expect(verdict.valid).toBe(true)
      expect(verdict.unknownFields).toEqual([
        { field: 'ml-repo', suggestion: 'ml_repo' },
        { field: 'metdata', suggestion: 'metadata' },
        { field: 'zzz', suggestion: null },
      ])
    })

    it('explain why a manifest with a misspelt version is invalid', () => {
      const verdict = checkManifest(withFields({ version: undefined, verison: 3 }))
      expect(verdict.valid).toBe(false)
      expect(verdict.unknownFields).toEqual([{ field: 'verison', suggestion: 'version' }])
    })

    it('match whatever the case', () => {
      expect(closestField('ML_Repo')).toBe('ml_repo')
      expect(closestField('Version-Alias')).toBe('version_alias')
      expect(closestField('labels')).toBeNull()
    })
  })
})

describe('formatPath', () => {
  it('writes keys with dots and indexes in brackets', () => {
    expect(formatPath(['source', 'paths', 1, 'src'])).toBe('source.paths[1].src')
    expect(formatPath([])).toBe('(manifest)')
  })
})

describe('describeProblem', () => {
  it('leads with the field, or with "manifest" for the whole of it', () => {
    expect(describeProblem({ path: ['source', 'paths', 0], message: 'missing required field "src"' })).toBe('source.paths[0]: missing required field "src"')
    expect(describeProblem({ path: [], message: 'missing required field "name"' })).toBe('manifest: missing required field "name"')
  })
})
