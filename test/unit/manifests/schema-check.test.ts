import { describe, expect, it } from 'vitest'
import { claimedKind } from '../../../src/manifests/kind-claim.ts'
import { formatPath, type Problem } from '../../../src/manifests/problems.ts'
import { checkManifest } from '../../../src/manifests/schema-check.ts'

const valid = {
  name: 'churn-model',
  metadata: { pr: 42 },
  ml_repo: 'preview-models',
  version: 3,
  source: { type: 'truefoundry' },
}

const model = {
  name: 'churn-model',
  metadata: { pr: 42 },
  ml_repo: 'preview-models',
  version: 3,
  type: 'model-version',
  source: { type: 'local', file_or_folder: './model.joblib' },
  framework: { type: 'sklearn', serialization_format: 'joblib' },
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
  it('accepts a complete manifest, with the body to send: the manifest with its type, given or not, for either API generation', () => {
    expect(checkManifest(valid)).toEqual({
      valid: true,
      type: 'artifact-version',
      body: JSON.stringify({ manifest: { type: 'artifact-version', ...valid } }),
      unknownFields: [],
    })
    const typed = { ...valid, type: 'artifact-version' }
    expect(checkManifest(typed)).toMatchObject({ valid: true, body: JSON.stringify({ manifest: typed }) })
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
    expect(problemsOf({ ...model, framework: { type: 'transformers', library_name: 'peft' } })).toEqual([
      { path: ['framework', 'library_name'], message: 'must be "transformers", "sentence-transformers" or "diffusers", got "peft"' },
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
      expect(problemsOf(withFields({ source: [{ type: 'local' }] }))).toEqual([
        { path: ['source'], message: 'expected object, got a list' },
      ])
    })

    it('wants the fields of the type it names', () => {
      expect(problemsOf(withFields({ source: { type: 'external' } }))).toEqual([
        { path: ['source'], message: 'missing required field "uri"' },
      ])
      expect(problemsOf(withFields({ source: { type: 'local' } }))).toEqual([
        { path: ['source'], message: 'missing required field "paths"' },
      ])
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
      type: null,
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

  describe('model versions', () => {
    it('takes a manifest with "type: model-version" as a model version, checked against ModelManifest', () => {
      expect(checkManifest(model)).toEqual({
        valid: true,
        type: 'model-version',
        body: JSON.stringify({ manifest: model }),
        unknownFields: [],
      })
    })

    it('refuses a model-only field without "type", saying to add it, and never guesses the kind', () => {
      const verdict = checkManifest({ ...valid, framework: { type: 'sklearn' } })
      expect(verdict).toMatchObject({ valid: false, type: null })
      expect(problemsOf({ ...valid, framework: { type: 'sklearn' } })).toEqual([
        {
          path: ['framework'],
          message:
            'has no "type" but has "framework", a field of a model version only: add "type: model-version" to delete a model version (without "type", a manifest is an artifact version)',
        },
      ])
    })

    it("names every model-only field it finds, the local source's file_or_folder among them", () => {
      const [problem] = problemsOf({
        ...valid,
        environment: { python_version: '3.11' },
        source: { type: 'local', file_or_folder: './model' },
      })
      expect(problem!.path).toEqual(['environment'])
      expect(problem!.message).toMatch(
        /^has no "type" but has "environment" and "source\.file_or_folder", fields of a model version only: add "type: model-version"/,
      )
    })

    it('takes "type: artifact-version" at its word: a model field is then an unknown field, not a reason to refuse', () => {
      const verdict = checkManifest({ ...valid, type: 'artifact-version', framework: { type: 'sklearn' } })
      expect(verdict).toMatchObject({ valid: true, type: 'artifact-version', unknownFields: [{ field: 'framework', suggestion: null }] })
    })

    it('refuses a type it does not know, naming the kinds, with a "did you mean" when one is close', () => {
      expect(problemsOf({ ...model, type: 'model_version' })).toEqual([
        {
          path: ['type'],
          message:
            'must be "artifact-version", "model-version", "chat_prompt" or "data-dir", got "model_version"; did you mean "model-version"?',
        },
      ])
      expect(problemsOf({ ...model, type: 3 })).toEqual([
        { path: ['type'], message: 'must be "artifact-version", "model-version", "chat_prompt" or "data-dir", got 3' },
      ])
      expect(checkManifest({ ...model, type: 'Model' })).toMatchObject({ valid: false, type: null })
    })

    it("checks a model's source against the model's shapes: file_or_folder, not paths", () => {
      expect(problemsOf({ ...model, source: { type: 'local', paths: [{ src: './model' }] } })).toEqual([
        { path: ['source'], message: 'missing required field "file_or_folder"' },
      ])
    })

    it('names the frameworks when the framework type is unknown, and each problem inside one', () => {
      expect(problemsOf({ ...model, framework: { type: 'catboost' } })).toEqual([
        {
          path: ['framework', 'type'],
          message:
            'must be "transformers", "tensorflow", "sklearn", "pytorch", "keras", "xgboost", "lightgbm", "fastai", "h2o", "onnx", "spacy", "statsmodels", "gluon" or "paddle", got "catboost"',
        },
      ])
      expect(
        problemsOf({ ...model, framework: { type: 'xgboost', model_schema: { infer_method_name: 'predict_proba', inputs: [] } } }),
      ).toEqual([
        { path: ['framework', 'model_schema'], message: 'missing required field "outputs"' },
        { path: ['framework', 'model_schema', 'infer_method_name'], message: 'must be "predict", got "predict_proba"' },
      ])
    })

    it('holds a model to the same rule: one version named', () => {
      const verdict = checkManifest({ ...model, version: undefined })
      expect(verdict).toMatchObject({ valid: false, type: 'model-version' })
    })

    it('suggests the fields of the kind the manifest is', () => {
      expect(checkManifest({ ...model, framwork: {} }).unknownFields).toEqual([{ field: 'framwork', suggestion: 'framework' }])
      expect(checkManifest({ ...model, enviroment: {} }).unknownFields).toEqual([{ field: 'enviroment', suggestion: 'environment' }])
      expect(checkManifest({ ...valid, framwork: {} }).unknownFields).toEqual([{ field: 'framwork', suggestion: null }])
    })

    it('says which kind a document claims, when it says so plainly', () => {
      expect(claimedKind(valid)).toBe('artifact-version')
      expect(claimedKind(model)).toBe('model-version')
      expect(claimedKind({ ...valid, environment: {} })).toBeNull()
      expect(claimedKind({ ...model, type: 'model' })).toBeNull()
      expect(claimedKind([model])).toBeNull()
    })
  })

  describe('prompt versions', () => {
    const prompt = {
      type: 'chat_prompt',
      name: 'support-reply',
      ml_repo: 'preview-prompts',
      version_alias: 'v0-pr42',
      metadata: {},
      messages: [{ role: 'system', content: 'Answer briefly.' }],
    }

    it('takes "type: chat_prompt" as a prompt version, checked against ChatPromptManifest', () => {
      expect(checkManifest(prompt)).toEqual({
        valid: true,
        type: 'chat_prompt',
        body: JSON.stringify({ manifest: prompt }),
        unknownFields: [],
      })
      expect(problemsOf({ ...prompt, messages: [] })).toEqual([{ path: ['messages'], message: 'must hold at least 1 item, got 0' }])
      expect(problemsOf({ ...prompt, messages: [{ role: 'robot', content: 'x' }] })[0]!.path).toEqual(['messages', 0, 'role'])
    })

    it("names the values a union's tag takes, wherever the union is", () => {
      expect(problemsOf({ ...prompt, messages: [{ role: 'robot', content: 'x' }] })).toEqual([
        { path: ['messages', 0, 'role'], message: 'must be "system", "assistant", "user", "tool" or "developer", got "robot"' },
      ])
      expect(problemsOf({ ...prompt, messages: [{ role: 'user', content: [{ type: 'audio' }] }] })).toContainEqual({
        path: ['messages', 0, 'content', 0, 'type'],
        message: 'must be "text" or "image_url", got "audio"',
      })
      expect(problemsOf({ ...prompt, response_format: { type: 'yaml' } })).toEqual([
        { path: ['response_format', 'type'], message: 'must be "json_object" or "json_schema", got "yaml"' },
      ])
      expect(problemsOf({ ...prompt, mcp_servers: [{ type: 'mcp' }] })).toEqual([
        { path: ['mcp_servers', 0, 'type'], message: 'must be "mcp-server-fqn" or "mcp-server-url", got "mcp"' },
      ])
    })

    it('refuses "messages" without "type", saying to add "type: chat_prompt"', () => {
      const untyped: Record<string, unknown> = { ...prompt }
      delete untyped.type
      expect(checkManifest(untyped)).toMatchObject({ valid: false, type: null })
      expect(problemsOf(untyped)).toEqual([
        {
          path: ['messages'],
          message:
            'has no "type" but has "messages", a field of a prompt version only: add "type: chat_prompt" to delete a prompt version (without "type", a manifest is an artifact version)',
        },
      ])
    })

    it('holds a prompt to the same rule: one version named', () => {
      expect(checkManifest({ ...prompt, version_alias: undefined })).toMatchObject({ valid: false, type: 'chat_prompt' })
    })
  })

  describe('data directories', () => {
    const dataDirectory = {
      type: 'data-dir',
      name: 'churn-sample-pr42',
      ml_repo: 'preview-data',
      metadata: {},
      source: { type: 'truefoundry' },
    }

    it('takes "type: data-dir" as a data directory, named by ML repo and name: no version to name', () => {
      expect(checkManifest(dataDirectory)).toEqual({
        valid: true,
        type: 'data-dir',
        body: JSON.stringify({ manifest: dataDirectory }),
        unknownFields: [],
      })
      expect(problemsOf({ ...dataDirectory, source: { type: 'external' } })).toEqual([
        { path: ['source'], message: 'missing required field "uri"' },
      ])
    })

    it('warns of "version" as a field a data directory does not have', () => {
      expect(checkManifest({ ...dataDirectory, version: 3 })).toMatchObject({ valid: true, unknownFields: [{ field: 'version' }] })
    })

    it('stays an artifact version without "type": it has no field of its own', () => {
      const untyped: Record<string, unknown> = { ...dataDirectory }
      delete untyped.type
      expect(claimedKind(untyped)).toBe('artifact-version')
      expect(problemsOf(untyped)).toEqual([
        { path: [], message: 'names neither "version" nor "version_alias", so it does not identify one version; add one of them' },
      ])
    })
  })

  describe('kinds the action never deletes', () => {
    it('refuses an ML repo, saying that deleting one deletes everything in it', () => {
      const verdict = checkManifest({ type: 'ml-repo', name: 'preview-data', storage_integration_fqn: 'x', collaborators: [] })
      expect(verdict).toEqual({
        valid: false,
        type: null,
        problems: [
          {
            path: ['type'],
            message: expect.stringMatching(
              /^is "ml-repo": deleting an ML repo deletes everything in it .* this action does not delete ML repos/,
            ),
          },
        ],
        unknownFields: [],
      })
    })

    it.each(['service', 'job', 'workspace', 'cluster', 'provider-account/openai', 'gateway-budget-config', 'agent', 'mcp-server/remote'])(
      'refuses %s, saying it deletes versions and data directories only, and that tfy delete -f deletes deployments',
      (type) => {
        expect(problemsOf({ type, name: 'api' })).toEqual([
          {
            path: ['type'],
            message: `is "${type}", which this action does not delete: it deletes versions and data directories only ("artifact-version", "model-version", "chat_prompt" and "data-dir"); \`tfy delete -f\` deletes deployments and the other resources of TrueFoundry`,
          },
        ])
      },
    )
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
      expect(checkManifest(withFields({ ML_Repo: 'x', 'Version-Alias': 'v', labels: {} })).unknownFields).toEqual([
        { field: 'ML_Repo', suggestion: 'ml_repo' },
        { field: 'Version-Alias', suggestion: 'version_alias' },
        { field: 'labels', suggestion: null },
      ])
    })
  })
})
