import fc from 'fast-check'
import { minimatch } from 'minimatch'
import { describe, expect, it } from 'vitest'
import { Selection, type SelectionRule } from '../../../src/retention/selection.ts'
import type { ListedVersion } from '../../../src/retention/listing.ts'
import { parseCreatedAt } from '../../../src/retention/created-at.ts'

const DAY = 24 * 60 * 60 * 1000
const RUN = Date.parse('2026-11-30T12:00:00Z')

function version(number: number | null, daysAgo: number | null, extra: Partial<ListedVersion> = {}): ListedVersion {
  return {
    id: `id-${number}-${daysAgo}`,
    fqn: `artifact:t/demo/churn:${number}`,
    version: number,
    alias: `v0-pr1-try${number}`,
    hasManifest: true,
    created_at: daysAgo === null ? null : new Date(RUN - daysAgo * DAY).toISOString(),
    ...extra,
  }
}

const rule = (fields: Partial<SelectionRule>): SelectionRule => ({ aliases: null, keep_latest: null, older_than_days: null, ...fields })
const globs = (patterns: readonly string[]) => (alias: string) => patterns.some((pattern) => minimatch(alias, pattern))

function run(selectionRule: SelectionRule, versions: ListedVersion[]) {
  const selection = new Selection(selectionRule, RUN, globs(selectionRule.aliases ?? []))
  const selected = versions.flatMap((v) => selection.offer(v))
  selected.push(...selection.finish())
  return { selected, kept: selection.kept() }
}

describe('Selection', () => {
  it('keeps the 5 newest by number, and of the rest deletes those older than 14 days, saying why', () => {
    const versions = [3, 9, 1, 7, 5, 8, 2, 6, 4].map((n) => version(n, n <= 2 ? 15 + n : 3))
    const { selected, kept } = run(rule({ keep_latest: 5, older_than_days: 14 }), versions)
    expect(selected.map((s) => s.version.version).sort()).toEqual([1, 2])
    expect(selected.find((s) => s.version.version === 1)!.reason).toBe('older than 14 days (created 2026-11-14), beyond the 5 newest')
    expect(kept).toEqual({ newest: 5, younger: 2, notMatching: 0, unjudgeable: { count: 0, examples: [] } })
  })

  it('counts distinct numbers: every version with one of the newest numbers is kept, and a gap is no version', () => {
    const versions = [version(10, 30, { id: 'a' }), version(10, 30, { id: 'b' }), version(4, 30), version(2, 30)]
    const { selected, kept } = run(rule({ keep_latest: 2 }), versions)
    expect(selected.map((s) => [s.version.version, s.reason])).toEqual([[2, 'beyond the 2 newest']])
    expect(kept.newest).toBe(3)
  })

  it('a duplicate id is counted once', () => {
    const v = version(1, 30)
    const { selected } = run(rule({ older_than_days: 1 }), [v, v, { ...v }])
    expect(selected).toHaveLength(1)
    expect(selected[0]!.reason).toBe('older than 1 days (created 2026-10-31)')
  })

  it('under aliases, touches only matching versions; one without a manifest is kept as unjudgeable', () => {
    const versions = [
      version(1, 30),
      version(2, 30, { alias: 'release-1' }),
      version(3, 30, { alias: null }),
      version(4, 30, { hasManifest: false, alias: null }),
    ]
    const { selected, kept } = run(rule({ aliases: ['v0-pr*'], older_than_days: 7 }), versions)
    expect(selected.map((s) => s.version.version)).toEqual([1])
    expect(kept.notMatching).toBe(2)
    expect(kept.unjudgeable).toEqual({ count: 1, examples: ['artifact:t/demo/churn:4 (id id-4-30): no manifest, so no alias to match'] })
  })

  it('keeps what cannot be judged: no created_at, an unreadable one, no version number under keep_latest', () => {
    const versions = [version(1, null), version(2, 30, { created_at: 'last Tuesday' }), version(null, 30), version(9, 1), version(8, 1)]
    const { selected, kept } = run(rule({ keep_latest: 1, older_than_days: 7 }), versions)
    expect(selected).toEqual([])
    expect(kept.unjudgeable.count).toBe(3)
    expect(kept.unjudgeable.examples).toEqual([
      'artifact:t/demo/churn:1 (id id-1-null): no created_at',
      'artifact:t/demo/churn:null (id id-null-30): no version number in its manifest or fqn',
      'artifact:t/demo/churn:2 (id id-2-30): created_at "last Tuesday" is not a date',
    ])
    expect(kept).toMatchObject({ newest: 1, younger: 1 })
  })

  it('a version created exactly at the cut-off is not older than it', () => {
    const { selected } = run(rule({ older_than_days: 14 }), [version(1, 14), version(2, 14.001)])
    expect(selected.map((s) => s.version.version)).toEqual([2])
  })

  it('examples stop at five, the count goes on', () => {
    const { kept } = run(
      rule({ older_than_days: 1 }),
      Array.from({ length: 8 }, (_, i) => version(i + 1, null)),
    )
    expect(kept.unjudgeable.count).toBe(8)
    expect(kept.unjudgeable.examples).toHaveLength(5)
  })
})

// The reference: every version in memory, deduplicated, sorted, then judged, as the README describes the order.
function reference(selectionRule: SelectionRule, versions: ListedVersion[]): string[] {
  const unique = versions.filter((v, i) => versions.findIndex((other) => other.id === v.id) === i)
  const match = globs(selectionRule.aliases ?? [])
  const admitted = unique.filter((v) => selectionRule.aliases === null || (v.hasManifest && v.alias !== null && match(v.alias)))
  let beyond = admitted
  if (selectionRule.keep_latest !== null) {
    const numbers = [...new Set(admitted.flatMap((v) => (v.version === null ? [] : [v.version])))].sort((a, b) => b - a)
    const newest = new Set(numbers.slice(0, selectionRule.keep_latest))
    beyond = admitted.filter((v) => v.version !== null && !newest.has(v.version))
  }
  const cutoff = selectionRule.older_than_days === null ? null : RUN - selectionRule.older_than_days * DAY
  return beyond
    .filter((v) => {
      if (cutoff === null) return true
      const created = v.created_at === null ? null : parseCreatedAt(v.created_at)
      return created !== null && created < cutoff
    })
    .map((v) => v.id)
    .sort()
}

const listedVersion = fc.record({
  id: fc.integer({ min: 1, max: 60 }).map((n) => `v${n}`),
  version: fc.option(fc.integer({ min: 1, max: 25 }), { nil: null }),
  daysAgo: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
  garbledDate: fc.boolean(),
  alias: fc.option(fc.constantFrom('v0-pr1-try1', 'v0-pr2-try3', 'release-1', 'v1'), { nil: null }),
  hasManifest: fc.boolean(),
})

describe('Selection against a sort-everything reference', () => {
  it('selects the same ids for any listing, in any order, with ties, gaps, duplicates and missing fields', () => {
    const selectionRule = fc
      .record({
        aliases: fc.option(fc.constantFrom(['v0-pr*'], ['release-*', 'v1'], ['*']), { nil: null }),
        keep_latest: fc.option(fc.integer({ min: 1, max: 8 }), { nil: null }),
        older_than_days: fc.option(fc.integer({ min: 1, max: 30 }), { nil: null }),
      })
      .filter((r) => r.keep_latest !== null || r.older_than_days !== null)
    fc.assert(
      fc.property(selectionRule, fc.array(listedVersion, { maxLength: 80 }), (r, raw) => {
        // A duplicate id is the same version listed twice: the first one's fields.
        const byId = new Map<string, ListedVersion>()
        const versions = raw.map((item) => {
          const known = byId.get(item.id)
          if (known) return known
          const v: ListedVersion = {
            id: item.id,
            fqn: `artifact:t/demo/churn:${item.version}`,
            version: item.version,
            alias: item.hasManifest ? item.alias : null,
            hasManifest: item.hasManifest,
            created_at:
              item.daysAgo === null
                ? null
                : item.garbledDate
                  ? `${item.daysAgo} days ago`
                  : new Date(RUN - item.daysAgo * DAY).toISOString(),
          }
          byId.set(item.id, v)
          return v
        })
        const { selected } = run(r, versions)
        const ids = selected.map((s) => s.version.id)
        expect(new Set(ids).size).toBe(ids.length)
        expect(ids.sort()).toEqual(reference(r, versions))
      }),
      { numRuns: 2000 },
    )
  })
})
