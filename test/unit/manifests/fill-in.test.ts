// substitute-env: each ${NAME} filled in for a target, into the one scalar it is in.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytes, documents, fixture, parseAndFillIn, readParseAndFillIn, type LoadOptions } from '../../support/load-manifest.ts'

describe('substitute-env', () => {
  const on = (env: NodeJS.ProcessEnv): LoadOptions => ({ substituteEnv: true, env })
  const load = (text: string, env: NodeJS.ProcessEnv, name = 'a.yaml') => parseAndFillIn(bytes(text), name, on(env))
  const values = async (text: string, env: NodeJS.ProcessEnv, name = 'a.yaml') => {
    const loaded = await load(text, env, name)
    if (!Array.isArray(loaded)) throw new Error(loaded.reason)
    return loaded.map((doc) => (doc.problems.length > 0 ? doc.problems : doc.value))
  }

  it('replaces ${NAME} with the variable, and keeps $${NAME} as a literal ${NAME}', async () => {
    const [only] = await documents('with-env.yaml', on({ PR_NUMBER: '42', COST: '3' }))
    expect(only!.value).toMatchObject({ version_alias: 'v-pr-42', metadata: { note: 'costs ${COST} a day' } })
  })

  it('refuses a file naming a variable that is not set, with the line it is on', async () => {
    expect(await readParseAndFillIn(fixture('with-env.yaml'), on({ COST: '3' }))).toEqual({
      kind: 'unreadable',
      line: 5,
      column: 16,
      reason:
        "refers to ${PR_NUMBER}, which is not set (substitute-env is on): give it a value in the step's env, or write $${NAME} for a literal ${NAME}",
    })
  })

  it('counts a variable set to the empty string as not set: v0-pr${PR_NUMBER} must not become v0-pr', async () => {
    expect(await load('name: a\nversion_alias: v0-pr${PR_NUMBER}\n', { PR_NUMBER: '' })).toEqual({
      kind: 'unreadable',
      line: 2,
      column: 16,
      reason:
        "refers to ${PR_NUMBER}, which is set but empty (substitute-env is on; an empty value counts as not set, since pasting nothing in would name another version): give it a value in the step's env, or write $${NAME} for a literal ${NAME}",
    })
  })

  it('names every variable not filled in, each once, saying which are empty', async () => {
    expect(await load('a: ${A}\nb: ${B}\nc: ${A}\nd: ${SET}\ne: "${E}"\n', { SET: 'x', E: '' })).toMatchObject({
      line: 1,
      reason: expect.stringMatching(
        /^refers to \$\{A\}, \$\{B\}, which are not set, and \$\{E\}, which is set but empty \(substitute-env is on; .*\): give them a value/,
      ),
    })
  })

  it('ignores ${NAME} in comments: it is neither required nor filled in', async () => {
    const text = '# ${PR_NUMBER} is filled in by the workflow\nname: a # ${NOT_SET}\nmetadata:\n  # ${ALSO_NOT_SET}\n  pr: "${PR_NUMBER}"\n'
    expect(await values(text, { PR_NUMBER: '7' })).toEqual([{ name: 'a', metadata: { pr: '7' } }])
  })

  it('pastes a value into the one scalar it is in: no value changes the structure of the document', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), async (value) => {
        for (const text of [
          'alias: v-${X}\nname: a\n',
          'alias: "v-${X}"\nname: a\n',
          "alias: 'v-${X}'\nname: a\n",
          'alias: |-\n  v-${X}\nname: a\n',
          '{alias: "v-${X}", name: a}\n',
        ]) {
          expect(await values(text, { X: value })).toEqual([{ alias: `v-${value}`, name: 'a' }])
        }
        expect(await values('{"alias": "v-${X}", "name": "a"}', { X: value }, 'a.json')).toEqual([{ alias: `v-${value}`, name: 'a' }])
      }),
      { numRuns: 300 },
    )
    for (const hostile of ['x\nml_repo: other', 'x", "ml_repo": "other', '1 # comment', '[1, 2]', '&a x', '*a', '\n---\nname: b']) {
      expect(await values('alias: v-${X}\nname: a\n', { X: hostile })).toEqual([{ alias: `v-${hostile}`, name: 'a' }])
    }
  })

  it('reads a plain value that is all substitution as the scalar it spells; a quoted one stays text', async () => {
    const text = 'version: ${V}\nflag: ${B}\nquoted: "${V}"\nblock: |-\n  ${V}\nmixed: v${V}\ncommented: ${C}\n'
    expect(await values(text, { V: '3', B: 'true', C: '4 # not a comment' })).toEqual([
      { version: 3, flag: true, quoted: '3', block: '3', mixed: 'v3', commented: '4 # not a comment' },
    ])
  })

  it('checks a substituted number like a written one', async () => {
    expect(await values('version: ${V}\n', { V: '9007199254740993' })).toEqual([
      [
        {
          path: ['version'],
          message: expect.stringMatching(/^is "9007199254740993", beyond 9007199254740991 .* sent as 9007199254740992/),
        },
      ],
    ])
  })

  it('needs ${NAME} quoted inside a flow collection, where { is not text, and says so', async () => {
    expect(await load('{alias: v-${X}}\n', { X: '1' })).toMatchObject({
      reason: expect.stringContaining('a ${NAME} inside { } or [ ] must be quoted: "${NAME}"'),
    })
  })

  it('fills in values behind aliases too', async () => {
    expect(await values('a: &x v-${X}\nb: *x\n', { X: '1' })).toEqual([{ a: 'v-1', b: 'v-1' }])
  })

  it('does not substitute into keys, and says so', async () => {
    expect(await values('metadata:\n  ${K}: 1\n', { K: 'k' })).toEqual([
      [
        {
          path: ['metadata'],
          message: expect.stringMatching(/^has the key "\$\{K\}" on line 2: substitute-env fills in values, not keys/),
        },
      ],
    ])
    expect(await values('metadata:\n  $${K}: 1\n', {})).toEqual([{ metadata: { '${K}': 1 } }])
  })

  it('leaves the file as written when off', async () => {
    const [only] = await documents('with-env.yaml', { substituteEnv: false, env: { PR_NUMBER: '42' } })
    expect(only!.value).toMatchObject({ version_alias: 'v-pr-${PR_NUMBER}', metadata: { note: 'costs $${COST} a day' } })
  })
})
