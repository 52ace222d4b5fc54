// What a rule author is told: each rule file read and parsed as a run reads
// it (readManifestFiles, no substitution), then every document checked.
import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildRuleValidatorSource, RULE_SCHEMA_FILE, RULE_VALIDATOR_FILE } from '../../../scripts/generate-validator.ts'
import { readManifestFiles } from '../../../src/manifests/check.ts'
import { MAX_FILE_BYTES } from '../../../src/manifests/read.ts'
import { checkRuleFiles, type CheckedRule } from '../../../src/retention/rule-file.ts'
import { timeSlice } from '../../../src/runner/time-slice.ts'
import { scratchDir } from '../../support/scratch.ts'

const RULE = 'ml_repo: demo-previews\nname: churn-classifier\n'

/** The files, written under rules/ by name, read, parsed and checked as a run does. */
async function check(files: Record<string, string | Uint8Array>): Promise<CheckedRule[]> {
  const dir = await scratchDir('rules-')
  const found = await Promise.all(
    Object.entries(files).map(async ([name, content]) => {
      await writeFile(path.join(dir, name), content)
      return { absolute: path.join(dir, name), relative: `rules/${name}`, refusal: null }
    }),
  )
  return checkRuleFiles(await readManifestFiles(found, { substituteEnv: false }, timeSlice()))
}

async function checkOne(text: string): Promise<CheckedRule> {
  const [checked, ...more] = await check({ 'a.yaml': text })
  expect(more).toEqual([])
  return checked!
}

function refusal(checked: CheckedRule | undefined) {
  if (!checked || checked.valid) throw new Error(`expected a refused rule, got ${JSON.stringify(checked)}`)
  return checked
}

/** Each annotation as "line:col message". */
const annotations = (checked: CheckedRule) =>
  checked.findings.map(({ level, message, properties }) => `${level} ${properties.startLine}:${properties.startColumn} ${message}`)

describe('a valid rule', () => {
  it('is the rule as written, at its document, type artifact-version by default', async () => {
    expect(await checkOne(`# previews\n${RULE}keep_latest: 5\n`)).toEqual({
      valid: true,
      rule: {
        file: 'rules/a.yaml',
        document: 0,
        line: 2,
        type: 'artifact-version',
        ml_repo: 'demo-previews',
        name: 'churn-classifier',
        aliases: null,
        keep_latest: 5,
        older_than_days: null,
      },
      findings: [],
    })
  })

  it('takes every field', async () => {
    const checked = await checkOne(`${RULE}type: model-version\naliases: ["v0-pr*"]\nkeep_latest: 100000\nolder_than_days: 36500\n`)
    expect(checked).toMatchObject({
      valid: true,
      rule: { type: 'model-version', aliases: ['v0-pr*'], keep_latest: 100000, older_than_days: 36500 },
    })
  })

  it('may be JSON', async () => {
    const [checked] = await check({ 'a.json': '{"ml_repo": "demo-previews", "name": "p", "type": "chat_prompt", "older_than_days": 1}' })
    expect(checked).toMatchObject({ valid: true, rule: { type: 'chat_prompt', older_than_days: 1, file: 'rules/a.json' } })
  })

  it('takes no ${VAR} substitution: the text is the value', async () => {
    const checked = refusal(await checkOne('ml_repo: ${REPO}\nname: n\nkeep_latest: 1\n'))
    expect(checked.message).toBe(
      'ml_repo: "${REPO}" is not a valid ml_repo: it must match ^[a-zA-Z][a-zA-Z0-9\\-]{1,98}[a-zA-Z0-9]$ (line 1)',
    )
  })
})

describe('a refused rule says why, at the line of each problem', () => {
  it('refuses a rule with neither keep_latest nor older_than_days: it would delete every version', async () => {
    const checked = refusal(await checkOne(`---\n${RULE}aliases: ["v0-pr*"]\n`))
    expect(checked).toMatchObject({ line: 2, type: 'artifact-version', ml_repo: 'demo-previews', name: 'churn-classifier' })
    expect(annotations(checked)).toEqual([
      'error 2:1 a rule without keep_latest or older_than_days would delete every version: give it one of them, or both',
    ])
  })

  it('refuses an unknown key with "did you mean", at the key', async () => {
    const checked = refusal(await checkOne(`${RULE}keep_lastest: 5\nolder_than_days: 3\n`))
    expect(checked.message).toBe(
      'unknown key "keep_lastest": did you mean "keep_latest"? A rule must mean exactly what it says, so it is refused (line 3)',
    )
    expect(checked.findings[0]).toMatchObject({
      level: 'error',
      properties: { startLine: 3, startColumn: 1, title: 'Invalid retention rule' },
    })
  })

  it('names the keys a rule takes when nothing is close', async () => {
    expect(refusal(await checkOne(`${RULE}keep_latest: 5\nschedule: weekly\n`)).message).toContain(
      'unknown key "schedule": a rule takes "type", "ml_repo", "name", "aliases", "keep_latest" and "older_than_days", and must mean exactly what it says, so it is refused (line 4)',
    )
  })

  it('refuses an unknown type, naming the three', async () => {
    const checked = refusal(await checkOne(`${RULE}type: data-dir\nkeep_latest: 5\n`))
    expect(checked.message).toBe('type: must be "artifact-version", "model-version" or "chat_prompt", got "data-dir" (line 3)')
    expect(checked.type).toBeNull()
  })

  it.each([
    ['keep_latest: 0', 'keep_latest: must be at least 1, got 0'],
    ['keep_latest: 100001', 'keep_latest: must be at most 100000, got 100001'],
    ['keep_latest: 2.5', 'keep_latest: must be an integer, got the number 2.5'],
    ['keep_latest: "5"', 'keep_latest: must be an integer, got the string "5"'],
    ['older_than_days: 36501', 'older_than_days: must be at most 36500, got 36501'],
    ['older_than_days: -1', 'older_than_days: must be at least 1, got -1'],
  ])('refuses %s', async (line, message) => {
    expect(refusal(await checkOne(`${RULE}${line}\n`)).message).toBe(`${message} (line 3)`)
  })

  it.each([
    ['aliases: []', 'aliases: must hold at least one glob (a rule without aliases touches every version) (line 4)'],
    ['aliases: v0-pr*', 'aliases: must be a list, got the string "v0-pr*" (line 4)'],
    ['aliases:\n  - v0-pr*\n  - ""', 'aliases[1]: must not be empty (line 6)'],
    [`aliases: ["${'x'.repeat(257)}"]`, 'aliases[0]: must be at most 256 characters, got 257 (line 4)'],
    [`aliases: [${Array(101).fill('a').join(',')}]`, 'aliases: must hold at most 100 globs, got 101 (line 4)'],
  ])('refuses %s', async (aliases, message) => {
    expect(refusal(await checkOne(`${RULE}keep_latest: 1\n${aliases}\n`)).message).toBe(message)
  })

  it('lists every problem in the order written, each annotated at its own line', async () => {
    const checked = refusal(await checkOne('name: bad name\nkeep_latest: 0\nkep_latest: 1\n'))
    expect(annotations(checked)).toEqual([
      'error 1:1 missing the required key "ml_repo"',
      'error 1:1 name: "bad name" is not a valid name: it must match ^[A-Za-z0-9_\\-]+$',
      'error 2:1 keep_latest: must be at least 1, got 0',
      'error 3:1 unknown key "kep_latest": did you mean "keep_latest"? A rule must mean exactly what it says, so it is refused',
    ])
    expect(checked.message).toMatch(
      /^missing the required key "ml_repo" \(line 1\); name: .* \(line 1\); keep_latest: .* \(line 2\); unknown key/,
    )
  })

  it('shows ten problems of a rule with a hundred, and counts the rest', async () => {
    const checked = refusal(await checkOne(`${RULE}keep_latest: 1\naliases: [${Array(100).fill('""').join(',')}]\n`))
    expect(checked.findings).toHaveLength(10)
    expect(checked.message).toMatch(/^aliases\[0\]: must not be empty \(line 4\);.*; and 90 more problems$/)
  })

  it.each([
    ['a list', '- ml_repo: demo-previews\n', 'got a list'],
    ['null', 'null\n', 'got nothing (null)'],
    ['a string', 'keep the newest five\n', 'got the string "keep the newest five"'],
  ])('refuses a document that is %s', async (_what, text, got) => {
    const checked = refusal(await checkOne(text))
    expect(checked.message).toBe(
      `a rule must be a mapping of "type", "ml_repo", "name", "aliases", "keep_latest" and "older_than_days", ${got} (line 1)`,
    )
    expect(checked).toMatchObject({ type: null, ml_repo: null, name: null })
  })
})

describe('what a hostile or odd file gets', () => {
  it('quotes a key that looks like a workflow command, on one line, cut short', async () => {
    const key = `"::error file=x::pwned\\n::add-mask::${'x'.repeat(200)}"`
    const checked = refusal(await checkOne(`${RULE}keep_latest: 1\n${key}: 1\n`))
    const [message] = checked.findings.map((finding) => finding.message)
    expect(message).toMatch(/^unknown key "::error file=x::pwned\\n::add-mask::x+…": a rule takes/)
    expect(message).not.toContain('\n')
    expect(checked.message).not.toContain('\n')
  })

  it('reads YAML anchors and aliases within a document', async () => {
    const checked = await checkOne('ml_repo: &repo demo-previews\nname: *repo\naliases: &globs ["v0-pr*"]\nkeep_latest: 3\n')
    expect(checked).toMatchObject({ valid: true, rule: { ml_repo: 'demo-previews', name: 'demo-previews', aliases: ['v0-pr*'] } })
  })

  it('takes no anchor of another document, and no merge key: "<<" is an unknown key', async () => {
    // An anchor is the document's own: another document's is not there.
    const [, checked] = await check({ 'a.yaml': `${RULE}keep_latest: &d 3\n---\nml_repo: demo-previews\nname: other\nkeep_latest: *d\n` })
    expect(refusal(checked).message).toBe('keep_latest: is an alias (*d) with no anchor &d before it (line 7)')
    const merged = refusal(await checkOne(`${RULE}older_than_days: 3\n<<: {keep_latest: 3}\n`))
    expect(merged.message).toMatch(/^unknown key "<<": a rule takes .* \(line 4\)$/)
  })

  it('refuses an alias bomb, naming the document', async () => {
    const bomb = [
      'a: &a [x,x,x,x,x,x,x,x,x,x]',
      ...'bcdef'.split('').map((n, i) => `${n}: &${n} [${Array(10).fill(`*${'abcde'[i]}`).join(',')}]`),
    ]
    const checked = refusal(await checkOne(`${RULE}keep_latest: 1\n---\n${bomb.join('\n')}\n`))
    expect(checked.message).toMatch(
      /^the rule file rules\/a\.yaml holds a document at line 5 that cannot be expanded: its aliases stand for more than 100,000 values/,
    )
    expect(checked.findings[0]!.properties).toMatchObject({ startLine: 5, title: 'Unreadable retention rule file' })
  })

  it('refuses a file nested deeper than any rule, at the line where it goes too deep', async () => {
    const checked = refusal(await checkOne(`${RULE}keep_latest: 1\naliases: ${'['.repeat(10_000)}\n`))
    expect(checked.message).toMatch(/^the rule file rules\/a\.yaml nests lists and mappings more than \d+ levels deep \(at line 4\)/)
    expect(checked.line).toBe(4)
  })

  it('refuses a file larger than 1 MiB unread', async () => {
    const [checked] = await check({ 'a.yaml': `${RULE}keep_latest: 1\n#${'x'.repeat(MAX_FILE_BYTES)}\n` })
    expect(refusal(checked).message).toMatch(
      /^the rule file rules\/a\.yaml is [\d,]+ bytes, larger than the 1,048,576 bytes \(1\.0 MiB\) a manifest file may be$/,
    )
  })

  it('refuses a number JSON cannot carry exactly', async () => {
    expect(refusal(await checkOne(`${RULE}keep_latest: 12345678901234567890\n`)).message).toMatch(/^keep_latest: .* \(line 3\)$/)
  })

  it.each([
    ['empty', ''],
    ['only comments', '# rules come later\n'],
    ['only document markers', '---\n---\n'],
  ])('refuses a file that is %s: it holds no rule', async (_what, text) => {
    const checked = refusal(await checkOne(text))
    expect(checked.message).toBe('the rule file rules/a.yaml holds no rule (it is empty or only comments)')
    expect(checked).toMatchObject({ document: 0, line: 1, type: null })
  })

  it('refuses a file that is not YAML, or cannot be read', async () => {
    expect(refusal(await checkOne('ml_repo: [\n')).message).toMatch(/^the rule file rules\/a\.yaml is not valid YAML: /)
    const [refused] = checkRuleFiles(
      await readManifestFiles(
        [{ absolute: '/nowhere/a.yaml', relative: 'rules/gone.yaml', refusal: null }],
        { substituteEnv: false },
        timeSlice(),
      ),
    )
    expect(refusal(refused).message).toMatch(/^the rule file rules\/gone\.yaml could not be read: ENOENT/)
  })
})

describe('a file of several rules', () => {
  it('gives each document its own verdict', async () => {
    const checked = await check({
      'a.yaml': `${RULE}keep_latest: 1\n---\n${RULE.replace('churn', 'other')}keep_latst: 1\n---\n${RULE.replace('churn', 'third')}older_than_days: 7\n`,
    })
    expect(checked.map((rule) => [rule.valid, rule.valid ? rule.rule.line : rule.line])).toEqual([
      [true, 1],
      [false, 5],
      [true, 9],
    ])
    expect(refusal(checked[1]).message).toMatch(
      /^a rule without keep_latest or older_than_days would delete every version: .* \(line 5\); unknown key "keep_latst": did you mean "keep_latest"\? .* \(line 7\)$/,
    )
  })

  it('refuses a second rule for the same versions, naming the first', async () => {
    const checked = await check({
      'a.yaml': `${RULE}keep_latest: 5\n---\n${RULE}type: model-version\nkeep_latest: 5\n`,
      'b.yaml': `# also\n${RULE}type: artifact-version\nolder_than_days: 3\n`,
    })
    expect(checked.map((rule) => rule.valid)).toEqual([true, true, false])
    const second = refusal(checked[2])
    expect(second.message).toBe(
      `a second rule for artifact-version "churn-classifier" of ML repo "demo-previews", whose first rule is at rules/a.yaml:1: one rule's keep would be the other's delete, so make them one rule (line 2)`,
    )
    expect(second.findings.map((finding) => finding.properties)).toEqual([
      { file: 'rules/b.yaml', startLine: 2, startColumn: 1, title: 'Duplicate retention rule' },
    ])
  })

  it('counts an invalid rule that names its versions, so fixing it reveals nothing new', async () => {
    const checked = await check({ 'a.yaml': `${RULE}keep_latest: 0\n---\n${RULE}keep_latest: 0\n` })
    expect(refusal(checked[1]).message).toMatch(
      /^keep_latest: must be at least 1, got 0 \(line 7\); a second rule for .* at rules\/a\.yaml:1: .* \(line 5\)$/,
    )
  })
})

describe('the rule schema', () => {
  const schemaFile = (name: string) => readFileSync(new URL(`../../../src/schema/${name}`, import.meta.url), 'utf8')

  it(`is compiled into ${RULE_VALIDATOR_FILE} as scripts/generate-validator.ts makes it (run npm run generate if not)`, () => {
    expect(buildRuleValidatorSource(schemaFile(RULE_SCHEMA_FILE))).toBe(schemaFile(RULE_VALIDATOR_FILE))
  })
})
