import { describe, expect, it } from 'vitest'
import { readVersionItem } from '../../../src/retention/version-items.ts'
import { versionPath } from '../../../src/retention/listing.ts'

const OWNER = { ml_repo: 'demo', name: 'churn', repoId: 'r1' }
const item = (fields: Record<string, unknown> = {}) => ({
  id: 'v1',
  fqn: 'artifact:tenant/demo/churn:3',
  ml_repo_id: 'r1',
  created_at: '2026-11-02T10:00:00Z',
  manifest: { name: 'churn', version: 3, version_alias: 'v0-pr1-try3' },
  ...fields,
})

describe('readVersionItem', () => {
  it('reads the id, the number, the alias and the creation date', () => {
    expect(readVersionItem(item(), OWNER)).toEqual({
      kind: 'version',
      version: {
        id: 'v1',
        fqn: 'artifact:tenant/demo/churn:3',
        version: 3,
        alias: 'v0-pr1-try3',
        hasManifest: true,
        created_at: '2026-11-02T10:00:00Z',
      },
    })
  })

  it('without a manifest, takes the number from the fqn and has no alias', () => {
    expect(readVersionItem(item({ manifest: undefined }), OWNER)).toMatchObject({
      version: { version: 3, alias: null, hasManifest: false },
    })
  })

  it('a number the manifest and the fqn disagree on, or neither gives, is none', () => {
    expect(readVersionItem(item({ manifest: { name: 'churn', version: 4 } }), OWNER)).toMatchObject({ version: { version: null } })
    expect(readVersionItem(item({ fqn: 'artifact:tenant/demo/churn:latest', manifest: null }), OWNER)).toMatchObject({
      version: { version: null },
    })
  })

  it('leaves aside an item of another name, ML repo or repo id', () => {
    expect(readVersionItem(item({ fqn: 'artifact:tenant/demo/churn-v2:3', manifest: { name: 'churn-v2' } }), OWNER)).toEqual({
      kind: 'other',
    })
    expect(readVersionItem(item({ fqn: 'artifact:tenant/other/churn:3' }), OWNER)).toEqual({ kind: 'other' })
    expect(readVersionItem(item({ ml_repo_id: 'r2' }), OWNER)).toEqual({ kind: 'other' })
  })

  it.each<[string, unknown, string]>([
    ['no id', item({ id: '' }), 'has no id'],
    [
      'an id that is a dot segment, which would send the DELETE to another path',
      item({ id: '..' }),
      'has the id "..", which as a path segment names another path',
    ],
    ['the other dot segment', item({ id: '.' }), 'has the id ".", which as a path segment names another path'],
    ['an id no control plane gives', item({ id: 'x'.repeat(257) }), 'has an id of 257 characters, more than the 256 an id may have'],
    ['no fqn', item({ fqn: 7 }), '(id v1) has no fqn'],
    ['a manifest that is a list', item({ manifest: [] }), '(id v1) has a manifest that is not an object'],
    ['names that disagree', item({ manifest: { name: 'other' } }), '(id v1) names other in its manifest but churn in its fqn'],
    [
      'no name anywhere',
      item({ fqn: 'garbled', manifest: null }),
      '(id v1) names nothing: no manifest.name, and its fqn garbled does not read as one',
    ],
    ['not an object', 'v1', 'is not an object'],
  ])('refuses an item with %s: the listing cannot be trusted', (_name, value, why) => {
    expect(readVersionItem(value, OWNER)).toEqual({ kind: 'bad', why })
  })
})

describe('the path a version is deleted at', () => {
  it('keeps every id that is read inside its own last segment, whatever characters it holds', () => {
    for (const id of ['a/../../ml-repos', '%2e%2e', '?x=1#y', ' ..', 'x'.repeat(256), 'é/☃']) {
      expect(readVersionItem(item({ id }), OWNER).kind, id).toBe('version')
      const url = new URL(versionPath('svc-v1', 'model-version', id), 'https://acme.truefoundry.cloud/')
      expect(url.pathname.startsWith('/api/svc/v1/model-versions/'), id).toBe(true)
      expect(decodeURIComponent(url.pathname.slice('/api/svc/v1/model-versions/'.length)), id).toBe(id)
    }
  })
})
