import type { ManifestKind } from '../manifests/kinds.ts'

/** The versions a rule listed and kept, by why they were kept. */
export interface Kept {
  /** Among the `keep_latest` newest. */
  newest: number
  /** Created within `older_than_days`. */
  younger: number
  /** Without an alias that `aliases` admits. */
  notMatching: number
  /** Whose age, alias or version number could not be read: kept, since they cannot be judged; a few of them, for the log. */
  unjudgeable: { count: number; examples: string[] }
}

/** What one retention rule did, for the job summary: how many versions it listed, selected and kept, or why it failed. */
export interface RuleSummary {
  /** The rule's `file:line`. */
  rule: string
  type: ManifestKind
  ml_repo: string
  name: string
  /** Null when the listing did not finish. */
  listed: number | null
  selected: number
  kept: Kept | null
  /** Why nothing of the rule was selected: its listing failed or could not be trusted; else null. */
  failure: string | null
}
