// The sweep's rules, through the validation stage on files parsed once: what a
// sweep refuses in a manifest's identity, as written in every way YAML and JSON allow.
import { describe, expect, it } from 'vitest'
import { messageOf, validateText } from '../../support/validate-text.ts'

const REST = 'metadata: {}\nsource: {type: truefoundry}\n'

describe('in a sweep, a manifest names a version of its own pull request', () => {
  it.each([
    ['version_alias', 'name: m\nml_repo: previews\nversion_alias: v0-pr${PR_NUMBER}\n'],
    ['name', 'name: m-${PR_NUMBER}\nml_repo: previews\nversion_alias: v1\n'],
    ['ml_repo', 'name: m\nml_repo: previews-${PR_NUMBER}\nversion: 3\n'],
    ['version', 'name: m\nml_repo: previews\nversion: ${PR_NUMBER}\n'],
    ['an alias to an anchor that holds it', 'description: &pr v0-pr${PR_NUMBER}\nname: m\nml_repo: previews\nversion_alias: *pr\n'],
    ['a double-quoted escape that spells it', 'name: m\nml_repo: previews\nversion_alias: "v0-pr\\x24{PR_NUMBER}"\n'],
    ['a tag', 'name: m\nml_repo: previews\nversion: !!int "${PR_NUMBER}"\n'],
  ])('accepts ${PR_NUMBER} in %s', async (_where, identity) => {
    const [manifest] = await validateText(`${identity}${REST}`)
    expect(messageOf(manifest)).toBeNull()
  })

  it('accepts it in a .json file, escapes included', async () => {
    const json = JSON.stringify({
      name: 'm',
      ml_repo: 'previews',
      version_alias: 'v0-pr\u0024{PR_NUMBER}',
      metadata: {},
      source: { type: 'truefoundry' },
    }).replace('\u0024', '\\u0024')
    const [manifest] = await validateText(json, { name: 'previews/a.json' })
    expect(messageOf(manifest)).toBeNull()
  })

  it.each([
    [
      'nowhere',
      'name: churn-features\nml_repo: previews\nversion: 3\n',
      /^version: names nothing that belongs to a pull request: its version is a number written out, the same for every pull request/,
    ],
    [
      'only in description and metadata',
      'name: m\nml_repo: previews\nversion_alias: v0\ndescription: pr ${PR_NUMBER}\nmetadata: {pr: "${PR_NUMBER}"}\nsource: {type: truefoundry}\n',
      /^version_alias: names nothing that belongs to a pull request: none of ml_repo, name and version_alias holds \$\{PR_NUMBER\}/,
    ],
    [
      'in the alias beside a version number, which picks the version',
      'name: m\nml_repo: previews\nversion: 7\nversion_alias: v0-pr${PR_NUMBER}\n',
      /^version: names nothing .*in place of version/,
    ],
    [
      'escaped as $${PR_NUMBER}, a literal',
      'name: m\nml_repo: previews\nversion_alias: v0-pr$${PR_NUMBER}\n',
      /names nothing that belongs to a pull request/,
    ],
    [
      'as $PR_NUMBER, without braces, which is not filled in',
      'name: m\nml_repo: previews\nversion_alias: v0-pr$PR_NUMBER\n',
      /\(\$PR_NUMBER without braces is not filled in\)/,
    ],
    [
      'behind a variable whose value spells it (values are not filled in twice)',
      'name: m\nml_repo: previews\nversion_alias: ${ALIAS}\n',
      /names nothing that belongs to a pull request/,
    ],
    [
      'only in a key',
      'name: m\nml_repo: previews\nversion_alias: v1\nmetadata: {"${PR_NUMBER}": 1}\nsource: {type: truefoundry}\n',
      /substitute-env fills in values, not keys.*names nothing that belongs to a pull request/,
    ],
  ])('refuses a manifest with ${PR_NUMBER} %s, saying how to name a version per pull request', async (_where, text, expected) => {
    const [manifest] = await validateText(text.includes('metadata') ? text : `${text}${REST}`, { env: { ALIAS: 'v0-pr${PR_NUMBER}' } })
    expect(messageOf(manifest)).toMatch(expected)
    expect(messageOf(manifest)).toMatch(
      /the sweep would delete the same version for every pull request it sweeps\. Name a version per pull request, e\.g\. version_alias: v0-pr\$\{PR_NUMBER\}/,
    )
  })

  it('refuses it as a .json file too, and the example manifests shipped for a single pull request', async () => {
    const [manifest] = await validateText(
      JSON.stringify({ name: 'churn-features', ml_repo: 'previews', version: 3, metadata: {}, source: { type: 'truefoundry' } }),
      { name: 'a.json' },
    )
    expect(messageOf(manifest)).toMatch(/names nothing that belongs to a pull request/)
  })

  it('applies only to a sweep: the same manifest is valid for one run', async () => {
    const [manifest] = await validateText(`name: churn-features\nml_repo: previews\nversion: 3\n${REST}`, { namedByNumber: false })
    expect(messageOf(manifest)).toBeNull()
  })
})

describe('in a sweep, no pull request’s number runs into digits that would make it another’s', () => {
  it.each([
    ['a digit before it', 'version_alias: v0-pr1${PR_NUMBER}'],
    ['a digit after it', 'version_alias: v0-pr${PR_NUMBER}0'],
    ['digits on both sides, in the name', 'name: m2${PR_NUMBER}3\nversion_alias: v1'],
    ['a digit beside it in a version number', 'version: 1${PR_NUMBER}'],
    ['another variable right before it', 'version_alias: v0-${TRY}${PR_NUMBER}'],
    ['another variable right after it', 'version_alias: v0-pr${PR_NUMBER}${TRY}'],
    ['a digit before it through an anchor', 'description: &a v0-pr7${PR_NUMBER}\nversion_alias: *a'],
    ['a digit that a double-quoted escape spells', 'version_alias: "v0-pr\\x31${PR_NUMBER}"'],
  ])('refuses %s, saying how to keep the number apart', async (_where, identity) => {
    const fields = `${identity}\n${identity.includes('name:') ? '' : 'name: m\n'}ml_repo: previews\n`
    const [manifest] = await validateText(`${fields}${REST}`, { env: { TRY: '5' } })
    expect(messageOf(manifest)).toMatch(
      /puts a digit or another variable right beside \$\{PR_NUMBER\}, so one pull request could name the version of another.*e\.g\. v0-pr\$\{PR_NUMBER\}-try1/,
    )
  })

  it.each([
    ['a letter before it and nothing after', 'version_alias: v0-pr${PR_NUMBER}'],
    ['a dash after it, then digits', 'version_alias: v0-pr${PR_NUMBER}-try2'],
    ['the whole version', 'version: ${PR_NUMBER}'],
    ['a digit only beside another variable', 'version_alias: v0-pr${PR_NUMBER}-1${TRY}'],
    ['digits kept apart by a dash on each side', 'version_alias: v1-${PR_NUMBER}-2'],
  ])('accepts %s', async (_where, identity) => {
    const [manifest] = await validateText(`${identity}\nname: m\nml_repo: previews\n${REST}`, { env: { TRY: '5' } })
    expect(messageOf(manifest)).toBeNull()
  })

  it('applies only to a sweep', async () => {
    const [manifest] = await validateText(`version_alias: v0-pr1\${PR_NUMBER}\nname: m\nml_repo: previews\n${REST}`, {
      namedByNumber: false,
    })
    expect(messageOf(manifest)).toBeNull()
  })
})

describe('in a sweep, what the pull request’s author chooses never names a version', () => {
  it.each(['PR_HEAD_REF', 'PR_HEAD_SHA'])('refuses ${%s} in each identity field, however written, saying why', async (variable) => {
    const forms = [
      `name: m\nml_repo: previews\nversion_alias: v0-pr\${PR_NUMBER}-\${${variable}}\n`,
      `name: m-\${${variable}}\nml_repo: previews\nversion_alias: v0-pr\${PR_NUMBER}\n`,
      `name: m\nml_repo: p-\${${variable}}\nversion_alias: v0-pr\${PR_NUMBER}\n`,
      `name: m\nml_repo: previews\nversion: \${${variable}}\nversion_alias: v0-pr\${PR_NUMBER}\n`,
      `description: &ref "\${${variable}}"\nname: *ref\nml_repo: previews\nversion_alias: v0-pr\${PR_NUMBER}\n`,
      `{"name": "m", "ml_repo": "previews", "version_alias": "v0-pr\${PR_NUMBER}-\\u0024{${variable}}", "metadata": {}, "source": {"type": "truefoundry"}}`,
    ]
    for (const [index, form] of forms.entries()) {
      const json = form.startsWith('{')
      const [manifest] = await validateText(json ? form : `${form}${REST}`, { name: json ? 'a.json' : 'a.yaml' })
      expect(messageOf(manifest), `form ${index}`).toMatch(
        new RegExp(
          `names \\$\\{${variable}\\}, which a sweep may not use to name a version: .*only \\$\\{PR_NUMBER\\} is unique and not chosen by the author`,
        ),
      )
    }
  })

  it('leaves them usable everywhere else in a manifest', async () => {
    const text =
      'name: m\nml_repo: previews\nversion_alias: v0-pr${PR_NUMBER}\ndescription: ${PR_HEAD_REF} at ${PR_HEAD_SHA}\nmetadata: {ref: "${PR_HEAD_REF}", sha: "${PR_HEAD_SHA}"}\nsource: {type: truefoundry}\n'
    const [manifest] = await validateText(text)
    expect(manifest).toMatchObject({ valid: true, version_alias: 'v0-pr42' })
    expect((JSON.parse((manifest as { body: string }).body) as { manifest: unknown }).manifest).toMatchObject({
      description: `main at ${'a'.repeat(40)}`,
      metadata: { ref: 'main' },
    })
  })

  describe('a data directory, named by ML repo and name', () => {
    const dataDirectory = (name: string) => `type: data-dir\nname: ${name}\nml_repo: previews\nmetadata: {}\nsource: {type: truefoundry}\n`

    it("is its pull request's own with ${PR_NUMBER} in its name", async () => {
      const [manifest] = await validateText(dataDirectory('sample-pr${PR_NUMBER}'))
      expect(messageOf(manifest)).toBeNull()
    })

    it('is refused without it, with an example of a name per pull request, not of a version', async () => {
      const [manifest] = await validateText(dataDirectory('sample'))
      expect(messageOf(manifest)).toMatch(
        /^manifest: names nothing that belongs to a pull request: neither ml_repo nor name holds \$\{PR_NUMBER\}, so the sweep would delete the same data directory for every pull request it sweeps\. Name a data directory per pull request, e\.g\. name: preview-pr\$\{PR_NUMBER\} \(line 1\)$/,
      )
    })
  })
})
