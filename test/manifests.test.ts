import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ManifestFile } from '../src/files.ts'
import { loadManifestFile, MAX_FILE_BYTES, parseManifests, substituteEnv, type LoadedDocument, type LoadOptions } from '../src/manifests.ts'

const fixtures = fileURLToPath(new URL('fixtures/manifests/', import.meta.url))
const plain: LoadOptions = { substituteEnv: false, env: {} }

function fixture(name: string): ManifestFile {
  return { absolute: path.join(fixtures, name), relative: `manifests/${name}`, refusal: null }
}

async function documents(name: string, options = plain): Promise<LoadedDocument[]> {
  const loaded = await loadManifestFile(fixture(name), options)
  if (!Array.isArray(loaded)) throw new Error(`${name} was refused: ${loaded.reason}`)
  return loaded
}

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part))))

describe('loadManifestFile', () => {
  it('reads each YAML document with its index in the file and the line it starts on', async () => {
    const loaded = await documents('several.yaml')
    expect(loaded.map(({ document, line }) => ({ document, line }))).toEqual([
      { document: 0, line: 2 },
      { document: 2, line: 12 },
    ])
    expect(loaded.map(({ value }) => (value as { name: string }).name)).toEqual(['churn-model', 'churn-tokenizer'])
  })

  it('skips empty documents, including the one after a trailing ---, keeping the others\' indices', async () => {
    const loaded = parseManifests(bytes('---\nname: a\n---\n---\n# nothing\n---\nname: b\n---\n'), 'a.yaml', plain)
    expect(Array.isArray(loaded) && loaded.map(({ document, value }) => ({ document, value }))).toEqual([
      { document: 0, value: { name: 'a' } },
      { document: 3, value: { name: 'b' } },
    ])
  })

  it('keeps a document that says null, for validation to refuse', () => {
    const loaded = parseManifests(bytes('name: a\n---\nnull\n'), 'a.yaml', plain)
    expect(Array.isArray(loaded) && loaded.map(({ document, value }) => ({ document, value }))).toEqual([
      { document: 0, value: { name: 'a' } },
      { document: 1, value: null },
    ])
  })

  it('finds the line of a nested field, and of the nearest parent of a missing one', async () => {
    const [first, second] = await documents('several.yaml')
    expect(first!.lineOf(['source', 'uri'])).toBe(8)
    expect(first!.positionOf(['source', 'uri'])).toEqual({ line: 8, col: 3 })
    expect(second!.lineOf(['source', 'paths', 1, 'src'])).toBe(21)
    expect(second!.lineOf(['source', 'paths', 1, 'dest'])).toBe(22)
    expect(second!.lineOf(['source', 'uri'])).toBe(second!.lineOf(['source']))
    expect(second!.lineOf(['source'])).toBe(17)
    expect(second!.lineOf(['version'])).toBe(12)
    expect(second!.lineOf([])).toBe(12)
  })

  it('reads a .json file as one manifest', async () => {
    const [only, ...rest] = await documents('one.json')
    expect(rest).toEqual([])
    expect(only).toMatchObject({ document: 0, line: 1, value: { name: 'churn-model', version: 3 } })
    expect(only!.lineOf(['version'])).toBe(5)
    expect(only!.lineOf(['source', 'uri'])).toBe(6)
  })

  it('refuses a .json file with two values', async () => {
    expect(await loadManifestFile(fixture('two-values.json'), plain)).toMatchObject({ kind: 'unreadable', line: 2, reason: expect.stringMatching(/^is not valid JSON: /) })
    expect(parseManifests(bytes('{"name": "a"}\n---\n{"name": "b"}\n'), 'a.JSON', plain)).toEqual({
      kind: 'unreadable',
      line: 2,
      reason: 'holds more than one JSON value; a .json file is one manifest (use a .yaml file with --- for several)',
    })
  })

  it('refuses a key given twice, on the line of the second', async () => {
    expect(await loadManifestFile(fixture('duplicate-keys.yaml'), plain)).toEqual({
      kind: 'unreadable',
      line: 7,
      reason: 'is not valid YAML: Map keys must be unique',
    })
  })

  it('refuses an alias bomb quickly instead of expanding it', async () => {
    const started = performance.now()
    const loaded = await loadManifestFile(fixture('billion-laughs.yaml'), plain)
    expect(performance.now() - started).toBeLessThan(1000)
    expect(loaded).toMatchObject({ kind: 'unreadable', line: 2, reason: expect.stringMatching(/^document 0 cannot be expanded: .*alias/i) })
  })

  it.each(['empty.yaml', 'comments-only.yaml'])('refuses %s, which holds no manifest', async (name) => {
    expect(await loadManifestFile(fixture(name), plain)).toEqual({ kind: 'unreadable', line: 1, reason: 'holds no manifest (it is empty or only comments)' })
  })

  it('refuses a file that is only document separators', () => {
    expect(parseManifests(bytes('---\n---\n'), 'a.yaml', plain)).toMatchObject({ kind: 'unreadable', reason: 'holds no manifest (it is empty or only comments)' })
  })

  it('passes on the refusal of a file found outside the workspace, without reading it', async () => {
    const file = { ...fixture('does-not-exist.yaml'), refusal: 'is a link to /etc/passwd, outside the workspace' }
    expect(await loadManifestFile(file, plain)).toEqual({ kind: 'unreadable', line: 1, reason: 'is a link to /etc/passwd, outside the workspace' })
  })

  it('says when a file cannot be read', async () => {
    expect(await loadManifestFile(fixture('does-not-exist.yaml'), plain)).toMatchObject({
      kind: 'unreadable',
      reason: expect.stringMatching(/^could not be read: ENOENT/),
    })
  })

  describe('a file over MAX_FILE_BYTES', () => {
    let dir = ''
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'manifests-'))
    })
    afterAll(() => rm(dir, { recursive: true, force: true }))

    it('is refused by its size, unread', async () => {
      // All NUL bytes: read, it would be refused as binary instead.
      const absolute = path.join(dir, 'huge.yaml')
      await writeFile(absolute, '')
      await truncate(absolute, MAX_FILE_BYTES + 1)
      expect(await loadManifestFile({ absolute, relative: 'huge.yaml', refusal: null }, plain)).toEqual({
        kind: 'unreadable',
        line: 1,
        reason: 'is 1.0 MiB, larger than the 1.0 MiB a manifest file may be',
      })
    })

    it('is read when exactly at the limit', async () => {
      const absolute = path.join(dir, 'at-limit.yaml')
      const manifest = 'name: churn-model\n'
      await writeFile(absolute, manifest + '#'.repeat(MAX_FILE_BYTES - manifest.length))
      expect(await loadManifestFile({ absolute, relative: 'at-limit.yaml', refusal: null }, plain)).toMatchObject([{ value: { name: 'churn-model' } }])
    })
  })
})

describe('parseManifests', () => {
  it('refuses bytes that are not UTF-8, giving the offset of the first bad one', () => {
    expect(parseManifests(bytes('name: caf', [0xe9], '\n'), 'a.yaml', plain)).toEqual({
      kind: 'unreadable',
      line: 1,
      reason: 'is not UTF-8 text (invalid byte sequence at offset 9)',
    })
    // Cut off at the end of the file.
    expect(parseManifests(bytes('name: a\n# \u2026', [0xe2, 0x80]), 'a.yaml', plain)).toMatchObject({ reason: 'is not UTF-8 text (invalid byte sequence at offset 13)' })
    // UTF-16, as some Windows editors save files.
    expect(parseManifests(bytes([0xff, 0xfe], 'n\0a\0'), 'a.yaml', plain)).toMatchObject({ reason: 'is not UTF-8 text (invalid byte sequence at offset 0)' })
  })

  it('refuses a NUL character, naming its line', () => {
    expect(parseManifests(bytes('name: a\nmetadata: {}\0\n'), 'a.yaml', plain)).toEqual({
      kind: 'unreadable',
      line: 1,
      reason: 'is not a text file (NUL character on line 2)',
    })
  })

  it('reads a file with a byte order mark and CRLF line ends, with the right lines', () => {
    const text = '\uFEFF# preview\r\nname: a\r\nsource:\r\n  type: truefoundry\r\n  uri: s3://b/x\r\n---\r\nname: b\r\n'
    const loaded = parseManifests(bytes(text), 'a.yaml', plain)
    if (!Array.isArray(loaded)) throw new Error(loaded.reason)
    expect(loaded.map(({ line, value }) => ({ line, value }))).toEqual([
      { line: 2, value: { name: 'a', source: { type: 'truefoundry', uri: 's3://b/x' } } },
      { line: 7, value: { name: 'b' } },
    ])
    expect(loaded[0]!.lineOf(['source', 'uri'])).toBe(5)
  })

  it('refuses a .json file written as YAML', () => {
    expect(parseManifests(bytes('name: churn-model\n'), 'a.json', plain)).toMatchObject({ kind: 'unreadable', reason: expect.stringMatching(/^is not valid JSON: /) })
  })
})

describe('substitute-env', () => {
  const on = (env: NodeJS.ProcessEnv): LoadOptions => ({ substituteEnv: true, env })

  it('replaces ${NAME} with the variable, and keeps $${NAME} as a literal ${NAME}', async () => {
    const [only] = await documents('with-env.yaml', on({ PR_NUMBER: '42', COST: '3' }))
    expect(only!.value).toMatchObject({ version_alias: 'v-pr-42', metadata: { note: 'costs ${COST} a day' } })
  })

  it('refuses a file naming a variable that is not set, with the line it is on', async () => {
    expect(await loadManifestFile(fixture('with-env.yaml'), on({ COST: '3' }))).toEqual({
      kind: 'unreadable',
      line: 5,
      reason: 'refers to ${PR_NUMBER}, which is not set in the environment (substitute-env is on)',
    })
  })

  it('names every variable that is not set, each once', () => {
    expect(substituteEnv('a: ${A}\nb: ${B}\nc: ${A}\nd: ${SET}\n', { SET: 'x' })).toEqual({
      kind: 'unreadable',
      line: 1,
      reason: 'refers to ${A}, ${B}, which are not set in the environment (substitute-env is on)',
    })
  })

  it('takes a variable set to the empty string as set', () => {
    expect(substituteEnv('alias: v${SUFFIX}1', { SUFFIX: '' })).toBe('alias: v1')
  })

  it('leaves the file as written when off', async () => {
    const [only] = await documents('with-env.yaml', { substituteEnv: false, env: { PR_NUMBER: '42' } })
    expect(only!.value).toMatchObject({ version_alias: 'v-pr-${PR_NUMBER}', metadata: { note: 'costs $${COST} a day' } })
  })
})
