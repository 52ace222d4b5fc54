import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_FILE_BYTES } from '../../../src/manifests/read.ts'
import { bytes, documents, fixture, parseAndFillIn, plain, readParseAndFillIn } from '../../support/load-manifest.ts'

// The limits as src/manifests/ sets them (to-json.ts and compose.ts), pinned here.
const MAX_DEPTH = 500
const MAX_WRITTEN_DEPTH = 64
const MAX_TOKENS = 800_000

describe('readManifestFile and parseManifestFile', () => {
  it('reads each YAML document with its index in the file and the line it starts on', async () => {
    const loaded = await documents('several.yaml')
    expect(loaded.map(({ document, line }) => ({ document, line }))).toEqual([
      { document: 0, line: 2 },
      { document: 2, line: 12 },
    ])
    expect(loaded.map(({ value }) => (value as { name: string }).name)).toEqual(['churn-model', 'churn-tokenizer'])
  })

  it("skips empty documents, including the one after a trailing ---, keeping the others' indices", async () => {
    const loaded = await parseAndFillIn(bytes('---\nname: a\n---\n---\n# nothing\n---\nname: b\n---\n'), 'a.yaml', plain)
    expect(Array.isArray(loaded) && loaded.map(({ document, value }) => ({ document, value }))).toEqual([
      { document: 0, value: { name: 'a' } },
      { document: 3, value: { name: 'b' } },
    ])
  })

  it('keeps a document that says null, for validation to refuse', async () => {
    const loaded = await parseAndFillIn(bytes('name: a\n---\nnull\n'), 'a.yaml', plain)
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
    expect(await readParseAndFillIn(fixture('two-values.json'), plain)).toMatchObject({
      kind: 'unreadable',
      line: 2,
      reason: expect.stringMatching(/^holds more than one JSON value \(the second at line 2, column 1\)/),
    })
    expect(await parseAndFillIn(bytes('{"name": "a"}\n{"name": "b"}\n'), 'a.JSON', plain)).toEqual({
      kind: 'unreadable',
      line: 2,
      column: 1,
      reason:
        'holds more than one JSON value (the second at line 2, column 1); a .json file is one manifest (use a .yaml file with --- for several)',
    })
  })

  it('refuses a key given twice, on the line of the second', async () => {
    expect(await readParseAndFillIn(fixture('duplicate-keys.yaml'), plain)).toMatchObject({
      kind: 'unreadable',
      line: 7,
      reason: expect.stringMatching(
        /^is not valid YAML: the key "\w+" appears twice in one mapping \(lines \d+ and 7\), and only one value would be used; remove one$/,
      ),
    })
  })

  it('refuses an alias bomb quickly instead of expanding it', async () => {
    const started = performance.now()
    const loaded = await readParseAndFillIn(fixture('billion-laughs.yaml'), plain)
    expect(performance.now() - started).toBeLessThan(1000)
    expect(loaded).toMatchObject({
      kind: 'unreadable',
      line: 2,
      reason: expect.stringMatching(/^holds a document at line 2 that cannot be expanded: .*alias/i),
    })
  })

  it.each(['empty.yaml', 'comments-only.yaml'])('refuses %s, which holds no manifest', async (name) => {
    expect(await readParseAndFillIn(fixture(name), plain)).toEqual({
      kind: 'unreadable',
      line: 1,
      column: 1,
      reason: 'holds no manifest (it is empty or only comments)',
    })
  })

  it('refuses a file that is only document separators', async () => {
    expect(await parseAndFillIn(bytes('---\n---\n'), 'a.yaml', plain)).toMatchObject({
      kind: 'unreadable',
      reason: 'holds no manifest (it is empty or only comments)',
    })
  })

  it('passes on the refusal of a file found outside the workspace, without reading it', async () => {
    const file = { ...fixture('does-not-exist.yaml'), refusal: 'is a link to /etc/passwd, outside the workspace' }
    expect(await readParseAndFillIn(file, plain)).toEqual({
      kind: 'unreadable',
      line: 1,
      column: 1,
      reason: 'is a link to /etc/passwd, outside the workspace',
    })
  })

  it('says when a file cannot be read', async () => {
    expect(await readParseAndFillIn(fixture('does-not-exist.yaml'), plain)).toMatchObject({
      kind: 'unreadable',
      reason: expect.stringMatching(/^could not be read: ENOENT/),
    })
  })
})

describe('parseManifestFile', () => {
  it('refuses bytes that are not UTF-8, giving the offset of the first bad one', async () => {
    expect(await parseAndFillIn(bytes('name: caf', [0xe9], '\n'), 'a.yaml', plain)).toEqual({
      kind: 'unreadable',
      line: 1,
      column: 1,
      reason: 'is not UTF-8 text (invalid byte sequence at offset 9)',
    })
    // Cut off at the end of the file.
    expect(await parseAndFillIn(bytes('name: a\n# \u2026', [0xe2, 0x80]), 'a.yaml', plain)).toMatchObject({
      reason: 'is not UTF-8 text (invalid byte sequence at offset 13)',
    })
    // UTF-16, as some Windows editors save files.
    expect(await parseAndFillIn(bytes([0xff, 0xfe], 'n\0a\0'), 'a.yaml', plain)).toMatchObject({
      reason: 'is not UTF-8 text (invalid byte sequence at offset 0)',
    })
  })

  it('refuses a NUL character, naming its line', async () => {
    expect(await parseAndFillIn(bytes('name: a\nmetadata: {}\0\n'), 'a.yaml', plain)).toEqual({
      kind: 'unreadable',
      line: 1,
      column: 1,
      reason: 'is not a text file (NUL character on line 2)',
    })
  })

  it('reads a file with a byte order mark and CRLF line ends, with the right lines', async () => {
    const text = '\uFEFF# preview\r\nname: a\r\nsource:\r\n  type: truefoundry\r\n  uri: s3://b/x\r\n---\r\nname: b\r\n'
    const loaded = await parseAndFillIn(bytes(text), 'a.yaml', plain)
    if (!Array.isArray(loaded)) throw new Error(loaded.reason)
    expect(loaded.map(({ line, value }) => ({ line, value }))).toEqual([
      { line: 2, value: { name: 'a', source: { type: 'truefoundry', uri: 's3://b/x' } } },
      { line: 7, value: { name: 'b' } },
    ])
    expect(loaded[0]!.lineOf(['source', 'uri'])).toBe(5)
  })

  it('refuses a .json file written as YAML', async () => {
    expect(await parseAndFillIn(bytes('name: churn-model\n'), 'a.json', plain)).toEqual({
      kind: 'unreadable',
      line: 1,
      column: 1,
      reason: 'is not valid JSON at line 1, column 1: expected a value, found "n" (keys and text must be in double quotes)',
    })
  })
})

describe('what is loaded is JSON, exactly as written', () => {
  const loadOne = async (text: string, name = 'a.yaml') => {
    const loaded = await parseAndFillIn(bytes(text), name, plain)
    if (!Array.isArray(loaded)) throw new Error(loaded.reason)
    return loaded[0]!
  }

  it.each([
    [
      'an integer beyond 2^53 - 1',
      'version: 9007199254740993\n',
      ['version'],
      /^is "9007199254740993", beyond 9007199254740991 \(2\^53 - 1\), the largest a JSON number holds exactly: it would be sent as 9007199254740992; quote it to send text$/,
    ],
    ['a negative one', 'metadata: {n: -9007199254740993}\n', ['metadata', 'n'], /beyond 9007199254740991/],
    ['a float that lands on a big integer', 'metadata: {n: 9007199254740993.0}\n', ['metadata', 'n'], /would be sent as 9007199254740992/],
    [
      'a float too large for a double',
      'metadata: {n: 1e400}\n',
      ['metadata', 'n'],
      /^is "1e400", which JSON has no number for \(it would be sent as null\)/,
    ],
    ['NaN', 'metadata: {n: .nan}\n', ['metadata', 'n'], /^is "\.nan", which JSON has no number for/],
    ['-Infinity', 'metadata:\n  n: -.inf\n', ['metadata', 'n'], /^is "-\.inf", which JSON has no number for/],
    [
      'a float too small for a double',
      'metadata: {n: 1e-400}\n',
      ['metadata', 'n'],
      /^is "1e-400", too small for a JSON number \(it would be sent as 0\)/,
    ],
    ['binary', 'metadata: {b: !!binary aGVsbG8=}\n', ['metadata', 'b'], /^is tagged !!binary, a type JSON does not have/],
    ['a set', 'metadata: !!set {a, b}\n', ['metadata'], /^is tagged !!set/],
    ['an ordered map', 'metadata: !!omap [a: 1]\n', ['metadata'], /^is tagged !!omap/],
    ['a timestamp', 'metadata: {t: !!timestamp 2024-01-01}\n', ['metadata', 't'], /^is tagged !!timestamp/],
    ['a local tag', 'metadata: {t: !secret x}\n', ['metadata', 't'], /^is tagged !secret/],
    ['a core tag that does not fit', 'metadata: {t: !!int abc}\n', ['metadata', 't'], /^is tagged !!int, but "abc" is not one/],
    ['half a surrogate pair', 'metadata: {s: "\\uD800"}\n', ['metadata', 's'], /^holds half of a UTF-16 surrogate pair/],
    [
      'a mapping inside itself',
      'metadata: &a {self: *a}\n',
      ['metadata', 'self'],
      /^is an alias \(\*a\) inside the very value its anchor &a names, so the value would contain itself/,
    ],
    ['a list inside itself', 'metadata: {l: &l [1, [*l]]}\n', ['metadata', 'l', 1, 0], /^is an alias \(\*l\) inside/],
    ['a list as a key', 'metadata:\n  ? [a]\n  : 1\n', ['metadata'], /^has a key on line 2 that is a list; JSON keys are text$/, 1],
    [
      'a hex key',
      'metadata: {0x1F: a}\n',
      ['metadata'],
      /^has the key 0x1F on line 1, which YAML reads as the number 31, not as the text written; quote the key/,
    ],
    ['a ~ key', 'metadata: {~: a}\n', ['metadata'], /^has the key ~ on line 1, which YAML reads as null \(nothing\)/],
    ['an empty key', 'metadata:\n  : a\n', ['metadata'], /^has the key \(empty\) on line 2/, 1],
    ['1.0 as a key', 'metadata: {1.0: a}\n', ['metadata'], /^has the key 1\.0 on line 1, which YAML reads as the number 1/],
  ])('refuses %s, naming the field and why', async (_what, text, path, message, line?: number) => {
    const doc = await loadOne(text)
    expect(doc.problems).toEqual([{ path, message: expect.stringMatching(message) }])
    expect(doc.lineOf(doc.problems[0]!.path)).toBe(line ?? (text.startsWith('metadata:\n') ? 2 : 1))
  })

  it('keeps keys and numbers that JSON writes the way they were written', async () => {
    const doc = await loadOne(
      'metadata: {1: a, true: b, null: c, 1.5: d, zero: -0, hex: 0x1F, big: 9007199254740991, small: 1.5e-300, __proto__: {p: 1}}\n',
    )
    expect(doc.problems).toEqual([])
    const metadata = (doc.value as { metadata: Record<string, unknown> }).metadata
    expect(Object.keys(metadata)).toEqual(['1', 'true', 'null', '1.5', 'zero', 'hex', 'big', 'small', '__proto__'])
    expect(Object.is(metadata.zero, 0)).toBe(true)
    expect(metadata).toMatchObject({ hex: 31, big: 9007199254740991, small: 1.5e-300 })
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype)
    expect(JSON.parse(JSON.stringify(doc.value))).toStrictEqual(doc.value)
  })

  it('refuses two keys that are one in JSON (1 and "1"), on the line of the second', async () => {
    expect(await parseAndFillIn(bytes('metadata:\n  1: a\n  "1": b\n'), 'a.yaml', plain)).toEqual({
      kind: 'unreadable',
      line: 3,
      column: 3,
      reason: 'is not valid YAML: the key "1" appears twice in one mapping (lines 2 and 3), and only one value would be used; remove one',
    })
  })

  it('caps the problems of one document, counting the rest', async () => {
    const doc = await loadOne(`metadata: [${Array(500).fill('.nan').join(', ')}]\n`)
    expect(doc.problems).toHaveLength(21)
    expect(doc.problems.at(-1)).toEqual({ path: [], message: '480 more values cannot be sent as written, for the same kinds of reasons' })
  })

  it('expands aliases into copies of their anchors', async () => {
    const doc = await loadOne('metadata:\n  a: &x {k: [1, 2]}\n  b: *x\n')
    expect(doc.value).toEqual({ metadata: { a: { k: [1, 2] }, b: { k: [1, 2] } } })
    expect(doc.lineOf(['metadata', 'b', 'k'])).toBe(2)
  })

  it('takes each alias to the nearest anchor before it, also when a name is used again', async () => {
    const doc = await loadOne('a: &x 1\nb: *x\nc: &x 2\nd: *x\n')
    expect(doc.value).toEqual({ a: 1, b: 1, c: 2, d: 2 })
  })
})

/** Where JSON text holds a number beyond 2^53 - 1 (JSON.parse rounds it) or half a surrogate pair. */
function inexactPaths(value: unknown, path: (string | number)[]): (string | number)[][] {
  if (typeof value === 'number') return Math.abs(value) > Number.MAX_SAFE_INTEGER ? [path] : []
  if (typeof value === 'string') return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value) ? [path] : []
  if (Array.isArray(value)) return value.flatMap((item, index) => inexactPaths(item, [...path, index]))
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, item]) => inexactPaths(item, [...path, key]))
  return []
}

describe('nesting', () => {
  const load = (text: string, name = 'a.yaml') => parseAndFillIn(bytes(text), name, plain)
  const flow = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`
  /** `depth` mappings, each indented under the one before. */
  const block = (depth: number) =>
    Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}k${i}:\n`).join('') + `${' '.repeat(depth)}v: 1\n`
  /** Flow and block alternating: a list item holding a mapping holding a flow list, and so on. */
  const mixed = (depth: number) => {
    const lines = Math.ceil(depth / 2)
    let text = ''
    for (let i = 0; i < lines; i++) text += `${' '.repeat(i * 2)}- k:\n`
    return `${text}${' '.repeat(lines * 2)}- ${flow(2)}\n`
  }
  const deeper = `more than ${MAX_WRITTEN_DEPTH} levels deep`

  it.each([
    ['flow', (depth: number) => `metadata: ${flow(depth)}\n`],
    ['block', (depth: number) => `metadata:\n${block(depth).replace(/^/gm, '  ')}`],
    ['mixed', (depth: number) => `metadata:\n${mixed(depth).replace(/^/gm, '  ')}`],
  ])('refuses %s nesting past the bound, naming the line where it goes too deep', async (_kind, make) => {
    const text = `name: m\n${make(MAX_WRITTEN_DEPTH + 10)}`
    const loaded = await load(text)
    if (Array.isArray(loaded)) throw new Error('read')
    expect(loaded.reason).toBe(
      `nests lists and mappings more than ${MAX_WRITTEN_DEPTH} levels deep (at line ${loaded.line}), far more than manifests need, so it is not read further: flatten the value there, or quote it to send it as text`,
    )
    // The line is where the bound is passed: at or before the deepest line, past the levels a manifest would use.
    const lines = text.split('\n').length - 1
    expect(loaded.line).toBeLessThanOrEqual(lines)
    if (_kind === 'flow') expect(loaded.line).toBe(2)
    else expect(loaded.line).toBeGreaterThan(lines / 2)
  })

  it('stops at the bound: the text after it is not parsed', async () => {
    const deep = `metadata: ${flow(MAX_WRITTEN_DEPTH + 1)}\n`
    // A syntax error after the deep value would be reported if the parser had gone on.
    expect(await load(`${deep}broken: [\n`)).toMatchObject({ kind: 'unreadable', reason: expect.stringContaining(deeper) })
  })

  it.each([
    ['flow', (depth: number) => `metadata: ${flow(depth)}\n`],
    ['block', (depth: number) => `metadata:\n${block(depth).replace(/^/gm, '  ')}`],
    ['mixed', (depth: number) => `metadata:\n${mixed(depth).replace(/^/gm, '  ')}`],
  ])('reads %s nesting well past what a manifest needs', async (_kind, make) => {
    const loaded = await load(`name: m\n${make(MAX_WRITTEN_DEPTH - 8)}`)
    expect(Array.isArray(loaded) && loaded[0]!.problems).toEqual([])
  })

  it('refuses it in a .json file too', async () => {
    expect(await load(`{"metadata": ${flow(MAX_WRITTEN_DEPTH + 1)}}`, 'a.json')).toMatchObject({
      kind: 'unreadable',
      line: 1,
      reason: expect.stringContaining(deeper),
    })
  })

  it.each([
    [
      'one long flow list',
      (n: number) => `metadata: {l: [${'1,'.repeat(n)}1]}\n`,
      /^holds more than 800,000 YAML tokens \(values, indicators and spaces\) \(at line 2\), far more than manifests need, so it is not read further: split it into several files/,
    ],
    ['flow mappings', (n: number) => `metadata: [${'{a: 1},'.repeat(n / 3)}{}]\n`, /^holds more than 800,000 YAML tokens/],
    [
      'empty flow lists',
      (n: number) => `metadata: [${'[],'.repeat(n / 2)}[]]\n`,
      /^holds more than 100,000 lists and mappings written with \[ \] or \{ \} \(at line 2\)/,
    ],
    [
      'documents of empty flow mappings',
      () => '--- {}\n'.repeat(100_001),
      /^holds more than 100,000 lists and mappings written with \[ \] or \{ \} \(at line 100002\)/,
    ],
  ])('refuses a file denser than any manifest file (%s), while parsing it', async (_shape, make, reason) => {
    const loaded = await load(`name: m\n${make(MAX_TOKENS)}`)
    expect(loaded).toMatchObject({ kind: 'unreadable', reason: expect.stringMatching(reason) })
  })

  it('reads a file of many manifests up to the size limit', async () => {
    const manifest = (i: number) =>
      `---\nname: model-${i}\nml_repo: previews\nversion: ${i + 1}\nmetadata: {}\nsource: {type: truefoundry}\n`
    let text = ''
    for (let i = 0; text.length < MAX_FILE_BYTES - 100; i++) text += manifest(i)
    const loaded = await load(text.slice(0, text.lastIndexOf('---')))
    expect(Array.isArray(loaded) && loaded.length).toBeGreaterThan(10_000)
  })

  it('refuses depth that aliases build past MAX_DEPTH as a problem of the value, not by crashing', async () => {
    // Each line is five levels deeper than the one it refers to, so the text itself stays shallow.
    const lines = Array.from(
      { length: MAX_DEPTH / 5 + 2 },
      (_, i) => `  a${i}: &a${i} ${flow(4).replace('1', `[${i === 0 ? '1' : `*a${i - 1}`}]`)}\n`,
    )
    const loaded = await load(`metadata:\n${lines.join('')}`)
    if (!Array.isArray(loaded)) throw new Error(loaded.reason)
    const { problems } = loaded[0]!
    expect(problems.length).toBeGreaterThan(0)
    for (const problem of problems)
      expect(problem).toEqual({
        path: expect.arrayContaining(['metadata']),
        message: expect.stringMatching(/^is nested more than 500 levels deep/),
      })
  })
})

describe('a .json file', () => {
  const refusal = (text: string) => parseAndFillIn(bytes(text), 'a.json', plain)

  it.each([
    ['a trailing comma in an object', '{\n  "name": "a",\n}', 3, 1, 'a comma before "}" (trailing commas are not JSON)'],
    ['a trailing comma in a list', '{"paths": [1, 2, ]}', 1, 18, 'a comma before "]" (trailing commas are not JSON)'],
    [
      'single quotes',
      "{'name': 'a'}",
      1,
      2,
      'expected a key in double quotes, found a single quote (JSON strings and keys use double quotes)',
    ],
    ['a comment', '{\n  "name": "a" // the model\n}', 2, 15, 'expected "," or "}", found a comment (JSON has no comments)'],
    ['a # comment', '# manifest\n{}', 1, 1, 'expected a value, found a comment (JSON has no comments)'],
    ['a key without quotes', '{name: "a"}', 1, 2, 'expected a key in double quotes, found "n" (keys and text must be in double quotes)'],
    ['NaN', '{"n": NaN}', 1, 7, 'expected a value, found "N" (keys and text must be in double quotes)'],
    ['a leading zero', '{"n": 01}', 1, 8, 'not a JSON number (no leading zeros, hex, or a dot without digits)'],
    [
      'a line break in a string',
      '{"n": "a\nb"}',
      1,
      9,
      'a line break or control character inside a string (write it as an escape such as \\n)',
    ],
    ['an escape JSON lacks', '{"n": "\\x41"}', 1, 8, 'an escape JSON does not have (it has \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX)'],
    ['a string never closed', '{"n": "abc}', 1, 7, 'a string that is never closed'],
    ['a cut-off file', '{"n": [1, 2', 1, 12, 'the file ends where "," or "]" should be'],
  ])('refuses %s, with its line and column', async (_what, text, line, column, reason) => {
    expect(await refusal(text)).toEqual({
      kind: 'unreadable',
      line,
      column,
      reason: `is not valid JSON at line ${line}, column ${column}: ${reason}`,
    })
  })

  it('refuses a key given twice', async () => {
    expect(await refusal('{"name": "a",\n "name": "b"}')).toMatchObject({
      line: 2,
      reason:
        'is not valid JSON: the key "name" appears twice in one mapping (lines 1 and 2), and only one value would be used; remove one',
    })
  })

  it('reads a byte order mark, and reports big numbers like YAML does', async () => {
    const loaded = await parseAndFillIn(bytes('\uFEFF{"version": 9007199254740993, "n": 1E400, "s": "\\ud800"}'), 'a.json', plain)
    expect(Array.isArray(loaded) && loaded[0]!.problems.map((problem) => problem.path)).toEqual([['version'], ['n'], ['s']])
  })

  it('reads any JSON value as JSON.parse does, or names the values JSON.parse would change', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.constantFrom(0, 2), async (value, indent) => {
        const text = JSON.stringify(value, null, indent)
        const loaded = await parseAndFillIn(bytes(text), 'a.json', plain)
        if (!Array.isArray(loaded)) throw new Error(loaded.reason)
        expect(loaded).toHaveLength(1)
        const expected = inexactPaths(JSON.parse(text), [])
        expect(loaded[0]!.problems.map((problem) => problem.path)).toEqual(expected.slice(0, 20).concat(expected.length > 20 ? [[]] : []))
        if (expected.length === 0) expect(loaded[0]!.value).toStrictEqual(JSON.parse(text))
      }),
      { numRuns: 500 },
    )
  })
})
