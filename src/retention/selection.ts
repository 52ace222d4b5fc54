// Which of a rule's versions are deleted, decided as the listing streams in:
// the versions the aliases admit, newest first by version number; the newest
// `keep_latest` distinct numbers kept; of the rest, those created more than
// `older_than_days` before the run started. What cannot be judged is kept.
// Memory holds only the newest `keep_latest` and what is selected: a version
// leaves the newest when a newer one comes, and is decided then.
import TinyQueue from 'tinyqueue'
import { parseCreatedAt } from './created-at.ts'
import type { ListedVersion } from './version-items.ts'
import type { Kept } from '../results/rule-summary.ts'

/** The fields of a rule the selection reads. */
export interface SelectionRule {
  /** Globs; null: every version. */
  aliases: readonly string[] | null
  keep_latest: number | null
  older_than_days: number | null
}

export interface Selected {
  version: ListedVersion
  /** Why, as the row says: "older than 14 days (created 2026-11-02), beyond the 5 newest". */
  reason: string
}

const DAY_MS = 24 * 60 * 60 * 1000
const EXAMPLES = 5

export class Selection {
  private readonly rule: SelectionRule
  private readonly matches: (alias: string) => boolean
  private readonly cutoff: number | null
  /** A min-heap of the newest distinct version numbers, at most keep_latest of them; the versions of each in `newest`. */
  private heap = new TinyQueue<number>([], (a, b) => a - b)
  private readonly newest = new Map<number, ListedVersion[]>()
  private readonly retainedIds = new Set<string>()
  private readonly selectedIds = new Set<string>()
  private readonly counts: Kept = { newest: 0, younger: 0, notMatching: 0, unjudgeable: { count: 0, examples: [] } }

  constructor(rule: SelectionRule, runStartedAt: number, matches: (alias: string) => boolean) {
    this.rule = rule
    this.matches = matches
    this.cutoff = rule.older_than_days === null ? null : runStartedAt - rule.older_than_days * DAY_MS
  }

  /** The versions decided selected now: `version` itself, or those it pushes out of the newest. A duplicate id is counted once. */
  offer(version: ListedVersion): Selected[] {
    if (this.retainedIds.has(version.id) || this.selectedIds.has(version.id)) return []
    if (this.rule.aliases !== null) {
      if (!version.hasManifest) return this.unjudgeable(version, 'no manifest, so no alias to match')
      if (version.alias === null || !this.matches(version.alias)) return this.keep('notMatching')
    }
    const keep = this.rule.keep_latest
    if (keep === null) return this.decide(version)
    if (version.version === null) return this.unjudgeable(version, 'no version number in its manifest or fqn')
    const number = version.version
    const bucket = this.newest.get(number)
    if (bucket) return this.retain(bucket, version)
    if (this.heap.length >= keep && number < this.heap.peek()!) return this.decide(version)
    this.heap.push(number)
    this.newest.set(number, [])
    this.retain(this.newest.get(number)!, version)
    if (this.heap.length <= keep) return []
    const evicted = this.heap.pop()!
    const out = this.newest.get(evicted)!
    this.newest.delete(evicted)
    return out.flatMap((old) => {
      this.retainedIds.delete(old.id)
      return this.decide(old)
    })
  }

  /** The listing ended: the versions still among the newest are kept. Nothing is left to select, as each was decided when it left the newest. */
  finish(): Selected[] {
    for (const versions of this.newest.values()) this.counts.newest += versions.length
    this.newest.clear()
    this.heap = new TinyQueue<number>([], (a, b) => a - b)
    this.retainedIds.clear()
    return []
  }

  kept(): Kept {
    return { ...this.counts, unjudgeable: { ...this.counts.unjudgeable, examples: [...this.counts.unjudgeable.examples] } }
  }

  /** A version beyond the newest (or under a rule without keep_latest): selected unless it is too young or its age unknown. */
  private decide(version: ListedVersion): Selected[] {
    const reasons: string[] = []
    if (this.cutoff !== null) {
      if (version.created_at === null) return this.unjudgeable(version, 'no created_at')
      const created = parseCreatedAt(version.created_at)
      if (created === null) return this.unjudgeable(version, `created_at ${JSON.stringify(version.created_at)} is not a date`)
      if (created >= this.cutoff) return this.keep('younger')
      reasons.push(`older than ${this.rule.older_than_days} days (created ${new Date(created).toISOString().slice(0, 10)})`)
    }
    const keep = this.rule.keep_latest
    if (keep !== null) reasons.push(keep === 1 ? 'beyond the newest' : `beyond the ${keep} newest`)
    this.selectedIds.add(version.id)
    return [{ version, reason: reasons.join(', ') }]
  }

  private retain(bucket: ListedVersion[], version: ListedVersion): Selected[] {
    bucket.push(version)
    this.retainedIds.add(version.id)
    return []
  }

  private keep(why: 'younger' | 'notMatching'): Selected[] {
    this.counts[why]++
    return []
  }

  private unjudgeable(version: ListedVersion, why: string): Selected[] {
    const { unjudgeable } = this.counts
    if (unjudgeable.count++ < EXAMPLES) unjudgeable.examples.push(`${version.fqn} (id ${version.id}): ${why}`)
    return []
  }
}
