// Whatever a pull request puts in a manifest file, loading and validating it
// ends in documents or a refusal a person can read: no exception, no hang.
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, test } from 'vitest'
import { stringify } from 'yaml'
import { findFiles } from '../../../src/manifests/find.ts'
import type { LoadedDocument } from '../../../src/manifests/fill-in.ts'
import { formatPath } from '../../../src/manifests/problems.ts'
import type { UnreadableFile } from '../../../src/manifests/read.ts'
import { checkManifest, type Verdict } from '../../../src/manifests/schema-check.ts'
import { parseAndFillIn, readParseAndFillIn } from '../../support/load-manifest.ts'

/** The files stage lists what it finds in the log: not wanted here. */
const quiet = { info: () => undefined }

/** A generous bound for one input on a slow runner; a hang is minutes. */
const MAX_MS_PER_INPUT = 3000
const NO_ENV = { substituteEnv: false, env: {} }
let inputsTried = 0

afterAll(() => console.log(`hostile input: ${inputsTried} inputs tried`))

function encode(text: string): Uint8Array {
  return new TextEncoder().encode(text)
}

function expectReadable(text: unknown): void {
  expect(typeof text).toBe('string')
  const message = text as string
  expect(message.trim()).not.toBe('')
  expect(message).not.toMatch(/\n\s+at |\[object Object\]/)
}

/** Parses and checks every document as main.ts does, asserting the shape of what comes back. */
async function load(bytes: Uint8Array, fileName = 'manifest.yaml', options = NO_ENV): Promise<LoadedDocument[] | UnreadableFile> {
  inputsTried++
  const started = performance.now()
  const loaded = await parseAndFillIn(bytes, fileName, options)
  if (Array.isArray(loaded)) {
    expect(loaded.length).toBeGreaterThan(0)
    for (const doc of loaded) {
      expect(doc.line).toBeGreaterThanOrEqual(1)
      for (const problem of doc.problems) {
        expectReadable(problem.message)
        expect(doc.lineOf(problem.path)).toBeGreaterThanOrEqual(1)
      }
      if (doc.problems.length === 0) {
        // What was loaded is JSON data: it survives a trip through JSON unchanged.
        expect(JSON.parse(JSON.stringify(doc.value))).toStrictEqual(doc.value)
        const verdict = checkManifest(doc.value)
        expectVerdict(verdict, doc)
        if (verdict.valid) expectBodyIsWhatWasValidated(verdict.body, doc.value, verdict.type)
      }
    }
  } else {
    expect(loaded.kind).toBe('unreadable')
    expect(Number.isInteger(loaded.line) && loaded.line >= 1).toBe(true)
    expectReadable(loaded.reason)
  }
  expect(performance.now() - started).toBeLessThan(MAX_MS_PER_INPUT)
  return loaded
}

/** The bytes to send hold exactly the validated manifest, its type always written out, and are what serializing it again gives. */
function expectBodyIsWhatWasValidated(body: string, loaded: unknown, type: string): void {
  const sent = JSON.parse(body) as { manifest: unknown }
  expect(Object.keys(sent)).toEqual(['manifest'])
  expect(sent.manifest).toStrictEqual({ type, ...(loaded as object) })
  expect(JSON.stringify(sent)).toBe(body)
}

function expectVerdict(verdict: Verdict, doc?: LoadedDocument): void {
  for (const unknown of verdict.unknownFields) expect(typeof unknown.field).toBe('string')
  if (verdict.valid) return
  expect(verdict.problems.length).toBeGreaterThan(0)
  for (const problem of verdict.problems) {
    expectReadable(problem.message)
    expectReadable(formatPath(problem.path))
    if (doc) expect(doc.lineOf(problem.path)).toBeGreaterThanOrEqual(1)
  }
}

function check(value: unknown): Verdict {
  inputsTried++
  const started = performance.now()
  const verdict = checkManifest(value)
  expectVerdict(verdict)
  expect(performance.now() - started).toBeLessThan(MAX_MS_PER_INPUT)
  return verdict
}

const fileName = fc.constantFrom('manifest.yaml', 'manifest.yml', 'manifest.json', 'MANIFEST.JSON')

/** Pieces of YAML, JSON and trouble, for text that gets past the first character. */
const yamlPiece = fc.constantFrom(
  'name: ',
  'ml_repo: ',
  'version: ',
  'version_alias: ',
  'metadata: ',
  'source: ',
  'type: ',
  'paths: ',
  'src: ',
  'model',
  'previews',
  'v1-pr42',
  '1',
  '-1',
  '0x1F',
  '1e400',
  '.nan',
  '.inf',
  '~',
  'null',
  'true',
  'yes',
  '2024-01-01',
  '\n',
  '\r\n',
  '\r',
  ' ',
  '  ',
  '\t',
  '- ',
  '? ',
  ': ',
  ', ',
  '[',
  ']',
  '{',
  '}',
  '"',
  "'",
  '\\',
  '#',
  '|',
  '>-',
  '---\n',
  '...\n',
  '%YAML 1.2\n',
  '%TAG ! tag:x,2000:\n',
  '&a ',
  '*a',
  '&b [*b]',
  '<<: *a',
  '!!binary ',
  '!!set ',
  '!!omap ',
  '!!timestamp ',
  '!!str ',
  '!!map ',
  '!local ',
  '!<tag:yaml.org,2002:int> ',
  '\uFEFF',
  '\u0000',
  '\u2028',
  '\uD800',
  '😀',
  '${PR_NUMBER}',
  '$${X}',
  '${',
  '{"name": "m", "ml_repo": "previews"}',
  '{"a": 1, "a": 2}',
)
const yamlish = fc.array(yamlPiece, { maxLength: 60 }).map((pieces) => pieces.join(''))

/** A valid manifest with some fields replaced by anything JSON can hold, and extra fields. */
const json = fc.jsonValue({ maxDepth: 3 })
const mutatedManifest = fc
  .tuple(
    fc.record(
      {
        name: fc.oneof(fc.constant('model'), json),
        ml_repo: fc.oneof(fc.constant('previews'), json),
        version: fc.oneof(fc.integer(), json),
        version_alias: fc.oneof(fc.stringMatching(/^v[a-z0-9.-]{0,8}$/), json),
        type: fc.oneof(fc.constant('artifact-version'), json),
        metadata: fc.oneof(fc.constant({}), json),
        source: fc.oneof(
          fc.constant({ type: 'truefoundry' }),
          fc.record(
            { type: fc.oneof(fc.constantFrom('truefoundry', 'external', 'local'), json), uri: json, paths: json },
            { requiredKeys: [] },
          ),
          json,
        ),
        step: json,
        run_id: json,
        description: json,
      },
      { requiredKeys: [] },
    ),
    fc.dictionary(fc.string(), json, { maxKeys: 3 }),
  )
  .map(([fields, extra]) => ({ ...extra, ...fields }))

describe('parsing and checkManifest on generated input', () => {
  test('arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), fileName, async (bytes, name) => {
        await load(bytes, name)
      }),
      { numRuns: 500 },
    )
  })

  test('arbitrary text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 500 }), fileName, async (text, name) => {
        await load(encode(text), name)
      }),
      { numRuns: 500 },
    )
  })

  test('YAML-ish text built from pieces of YAML, JSON and trouble', async () => {
    await fc.assert(
      fc.asyncProperty(yamlish, fileName, async (text, name) => {
        await load(encode(text), name)
      }),
      { numRuns: 1000 },
    )
  })

  test('YAML-ish text with environment substitution', async () => {
    const env = fc.dictionary(fc.constantFrom('PR_NUMBER', 'X', 'HOME'), fc.string({ unit: 'binary', maxLength: 20 }))
    await fc.assert(
      fc.asyncProperty(yamlish, env, async (text, vars) => {
        await load(encode(text), 'manifest.yaml', { substituteEnv: true, env: vars })
      }),
      { numRuns: 500 },
    )
  })

  test('manifests with mutated fields, as JSON and as YAML flow', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedManifest, async (manifest) => {
        const json = JSON.stringify(manifest)
        await load(encode(json), 'manifest.json')
        await load(encode(json), 'manifest.yaml')
      }),
      { numRuns: 500 },
    )
  })

  test('any value YAML can write: sent exactly, or refused with a reason', async () => {
    // Numbers JSON cannot hold exactly, YAML-only types, shared (aliased) values and odd keys, written out by yaml itself.
    const leaf = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 8 }),
      fc.double(),
      fc.integer(),
      fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }),
      fc.constantFrom(-0, 0, NaN, Infinity, -Infinity, Number('1e-400'), 9007199254740993n, true, false, null, '\uD800', 'x\uDC00'),
    )
    const tree = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('list'), tie('map')),
      list: fc.array(tie('value'), { maxLength: 4 }),
      map: fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 4 }),
    }))
    await fc.assert(
      fc.asyncProperty(tree.value, fc.boolean(), async (metadata, shared) => {
        const manifest = {
          name: 'model',
          ml_repo: 'previews',
          version: 1,
          source: { type: 'truefoundry' },
          metadata: { a: metadata, b: shared ? metadata : null },
        }
        const text = stringify(manifest, { aliasDuplicateObjects: true })
        const loaded = await load(encode(text))
        if (!Array.isArray(loaded)) throw new Error(`${loaded.reason}\n${text}`)
        const [doc] = loaded
        const exact = isExactJson(metadata)
        expect(doc!.problems.length === 0).toBe(exact)
        if (exact)
          expect(doc!.value).toStrictEqual(
            JSON.parse(JSON.stringify(manifest, (_key, value: unknown) => (typeof value === 'bigint' ? Number(value) : value))),
          )
      }),
      { numRuns: 500 },
    )
  })

  test('checkManifest on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => void check(value)),
      { numRuns: 500 },
    )
    fc.assert(
      fc.property(mutatedManifest, (value) => void check(value)),
      { numRuns: 500 },
    )
  })
})

/** Whether JSON carries `value` exactly: numbers finite and within 2^53 - 1 (and not underflowed), strings whole. */
function isExactJson(value: unknown): boolean {
  if (typeof value === 'bigint') return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= -BigInt(Number.MAX_SAFE_INTEGER)
  if (typeof value === 'number') return Number.isFinite(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER
  if (typeof value === 'string') return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value)
  if (Array.isArray(value)) return value.every(isExactJson)
  if (typeof value === 'object' && value !== null) return Object.values(value).every(isExactJson)
  return true
}

const deep = (depth: number) => {
  let value: unknown = 'x'
  for (let i = 0; i < depth; i++) value = [value]
  return value
}
const baseManifest = 'name: model\nml_repo: previews\nversion: 1\nmetadata: {}\nsource: {type: truefoundry}\n'

describe('parsing on known attacks and oddities', () => {
  test.each([
    ['10,000 levels of [', '['.repeat(10_000)],
    ['10,000 levels of [ ], closed', `${'['.repeat(10_000)}${']'.repeat(10_000)}`],
    ['10,000 levels of {a: ', `${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}`],
    ['a deep value inside a manifest', `${baseManifest.replace('metadata: {}\n', '')}metadata: ${'['.repeat(10_000)}`],
  ])('%s: unreadable, not a crash', async (_name, text) => {
    for (const name of ['manifest.yaml', 'manifest.json']) expect(await load(encode(text), name)).toMatchObject({ kind: 'unreadable' })
  })

  test('a 900 KB string value loads', async () => {
    const loaded = await load(encode(`${baseManifest}description: "${'x'.repeat(900_000)}"\n`))
    expect(Array.isArray(loaded) && checkManifest(loaded[0]!.value)).toMatchObject({ valid: false })
  })

  test('a 300 KB key loads and is reported unknown, without a typo suggestion', async () => {
    const loaded = await load(encode(`{"name": "m", "${'k'.repeat(300_000)}": 1}`), 'manifest.json')
    expect(Array.isArray(loaded) && checkManifest(loaded[0]!.value).unknownFields).toEqual([
      { field: 'k'.repeat(300_000), suggestion: null },
    ])
  })

  test('a 1 MB file of 100 keys of 9 KB each is checked quickly', async () => {
    const keys = Array.from({ length: 100 }, (_, i) => `"${i}${'k'.repeat(9000)}": 1`)
    await load(encode(`{${keys.join(', ')}}`), 'manifest.json')
  })

  test('a mapping of 20,000 keys loads in seconds (a check of each key against every other took minutes)', async () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `k${i}: 1`).join('\n')
    inputsTried++
    const started = performance.now()
    expect(await parseAndFillIn(encode(text), 'manifest.yaml', NO_ENV)).toHaveLength(1)
    expect(performance.now() - started).toBeLessThan(8000)
  })

  test('30,000 unknown top-level keys are found and located in seconds (each was searched for among all the others: 86 s for 60,000)', async () => {
    const text = Array.from({ length: 30_000 }, (_, i) => `verison${i}: 1`).join('\n')
    inputsTried++
    const started = performance.now()
    const loaded = await parseAndFillIn(encode(text), 'manifest.yaml', NO_ENV)
    if (!Array.isArray(loaded)) throw new Error(loaded.reason)
    const { unknownFields } = checkManifest(loaded[0]!.value)
    expect(unknownFields).toHaveLength(30_000)
    const lines = unknownFields.map(({ field }) => loaded[0]!.positionOf([field]).line)
    expect(lines.at(-1)).toBe(30_000)
    expect(performance.now() - started).toBeLessThan(8000)
  })

  test('thousands of aliases resolve in one walk (yaml resolves each by searching the document)', async () => {
    const text = `metadata:\n  a: &a 1\n${Array.from({ length: 50_000 }, (_, i) => `  k${i}: *a`).join('\n')}\n`
    inputsTried++
    const started = performance.now()
    const loaded = await parseAndFillIn(encode(text), 'manifest.yaml', NO_ENV)
    expect(Array.isArray(loaded) && Object.keys((loaded[0]!.value as { metadata: object }).metadata)).toHaveLength(50_001)
    expect(performance.now() - started).toBeLessThan(8000)
  })

  test.each([
    ['at the top', 'name: a\nname: b\n', 2],
    ['nested', 'metadata:\n  owner: a\n  team: b\n  owner: c\n', 4],
    ['in flow style', 'source: {type: truefoundry, type: local}\n', 1],
    ['after another document', 'name: a\n---\nname: b\nml_repo: x\nname: c\n', 5],
  ])('a duplicate key %s is refused at its line', async (_where, text, line) => {
    expect(await load(encode(text))).toMatchObject({
      kind: 'unreadable',
      line,
      reason: expect.stringMatching(/^is not valid YAML: the key "\w+" appears twice in one mapping \(lines \d+ and \d+\)/),
    })
  })

  test('a billion-laughs alias bomb is refused', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for (const [i, name] of ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].entries()) {
      const previous = 'abcdefgh'[i]
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`)
    }
    expect(await load(encode(levels.join('\n')))).toMatchObject({
      kind: 'unreadable',
      reason: expect.stringContaining('cannot be expanded'),
    })
  })

  test.each(['type', 'name', 'source', 'metadata'])(
    'an alias inside its own anchor (%s: &a [*a]) is checked, not a crash',
    async (field) => {
      const text = `${baseManifest.replace(new RegExp(`^${field}:.*\\n`, 'm'), '')}${field}: &a [*a]\n`
      const loaded = await load(encode(text))
      expect(Array.isArray(loaded) && loaded[0]!.problems).toEqual([
        { path: [field, 0], message: expect.stringMatching(/^is an alias \(\*a\) inside the very value its anchor &a names/) },
      ])
    },
  )

  test('a byte-order mark and CRLF line ends are read, with the right lines', async () => {
    const loaded = await load(
      encode(`\uFEFF# preview\r\n${baseManifest.replaceAll('\n', '\r\n')}---\r\n${baseManifest.replaceAll('\n', '\r\n')}`),
    )
    expect(
      Array.isArray(loaded) && loaded.map((doc) => [doc.line, doc.lineOf(['source', 'type']), checkManifest(doc.value).valid]),
    ).toEqual([
      [2, 6, true],
      [8, 12, true],
    ])
  })

  test.each([
    ['Latin-1', new Uint8Array([...encode('name: caf'), 0xe9, 0x0a]), 'is not UTF-8 text (invalid byte sequence at offset 9)'],
    [
      'UTF-16 with a byte-order mark',
      new Uint8Array([0xff, 0xfe, 0x6e, 0x00, 0x61, 0x00]),
      'is not UTF-8 text (invalid byte sequence at offset 0)',
    ],
    ['a NUL byte', encode('name: a\nml_repo: \0\n'), 'is not a text file (NUL character on line 2)'],
    ['only comments', encode('# nothing here\n\n# still nothing\n'), 'holds no manifest (it is empty or only comments)'],
    ['nothing', new Uint8Array(), 'holds no manifest (it is empty or only comments)'],
  ])('%s is refused with a readable reason', async (_name, bytes, reason) => {
    expect(await load(bytes)).toMatchObject({ kind: 'unreadable', reason })
  })

  test.each([
    ['a 10,000-deep list in "type"', { type: deep(10_000) }, false],
    ['a 10,000-deep list in "source.type"', { source: { type: deep(10_000) } }, false],
    // JSON.stringify overflows its stack on it, so it cannot be sent (the loader refuses 500 levels before that).
    ['a 10,000-deep list in "metadata"', { metadata: { nested: deep(10_000) } }, false],
    [
      'a value that contains itself',
      (() => {
        const loop: unknown[] = []
        loop.push(loop)
        return { type: loop, source: { type: loop } }
      })(),
      false,
    ],
  ])('checkManifest on %s returns a verdict', (_name, fields, valid) => {
    expect(
      check({ name: 'model', ml_repo: 'previews', version: 1, metadata: {}, source: { type: 'truefoundry' }, ...fields }),
    ).toMatchObject({ valid })
  })
})

describe('findFiles and readManifestFile at the workspace edge', () => {
  test('a link out of the workspace, to a file or a directory, is refused and not read', async () => {
    const root = await realpath(await mkdtemp(path.join(tmpdir(), 'hostile-')))
    try {
      const workspace = path.join(root, 'repo')
      const outside = path.join(root, 'outside')
      await mkdir(path.join(workspace, 'manifests'), { recursive: true })
      await mkdir(outside)
      await writeFile(path.join(outside, 'secret.yaml'), baseManifest)
      await writeFile(path.join(workspace, 'manifests', 'ok.yaml'), baseManifest)
      await symlink(path.join(outside, 'secret.yaml'), path.join(workspace, 'manifests', 'link.yaml'))
      await symlink(outside, path.join(workspace, 'manifests', 'dir'))

      const files = await findFiles(['manifests/**/*.yaml', `${outside}/*.yaml`], workspace, quiet)
      const byName = Object.fromEntries(files.map((file) => [file.relative, file.refusal]))
      expect(byName).toEqual({
        'manifests/ok.yaml': null,
        'manifests/link.yaml': `is a link to ${path.join(outside, 'secret.yaml')}, outside the workspace; manifests must be in the repository`,
        'manifests/dir/secret.yaml': `is a link to ${path.join(outside, 'secret.yaml')}, outside the workspace; manifests must be in the repository`,
        '../outside/secret.yaml': 'is outside the workspace; manifests must be in the repository',
      })
      for (const file of files) {
        const loaded = await readParseAndFillIn(file, NO_ENV)
        if (file.refusal) expect(loaded).toEqual({ kind: 'unreadable', line: 1, column: 1, reason: file.refusal })
        else expect(loaded).toHaveLength(1)
      }
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})
