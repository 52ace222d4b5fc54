// The words for a row's status and kind and for a run's totals, said alike
// in the log table, the summary, the notice and the step's verdict.
import { MANIFEST_KINDS, type ManifestKind } from '../manifests/kinds.ts'
import type { Status } from '../results/result.ts'
import type { Totals } from '../results/store.ts'

export const STATUS_LABEL: Record<Status, string> = {
  failed: '❌ failed',
  invalid: '⚠️ invalid',
  skipped: '⏭️ skipped',
  deleted: '✅ deleted',
  'not-found': '➖ not found',
  'dry-run': '🔍 dry run',
}

/**
 * The terminal columns each label takes, its emoji two (after ⚠ and ⏭, the
 * VS16 that asks for the emoji form makes the second), written out: measuring
 * them compiles Unicode property classes that a table of ASCII names never
 * needs otherwise. test/unit/report/log-table.test.ts measures them.
 */
export const STATUS_LABEL_COLUMNS: Record<Status, number> = {
  failed: 9,
  invalid: 10,
  skipped: 10,
  deleted: 10,
  'not-found': 12,
  'dry-run': 10,
}

/** What the log and the summary call a row's kind; nothing when an invalid manifest does not say. */
export function kindLabel(type: ManifestKind | null): string {
  return type ? MANIFEST_KINDS[type].label : ''
}

export function totalsLine(totals: Totals): string {
  const parts = [
    `${totals.deleted} deleted`,
    `${totals['not-found']} not found`,
    `${totals.failed} failed`,
    `${totals.invalid} invalid`,
    `${totals.skipped} skipped`,
  ]
  if (totals['dry-run'] > 0) parts.push(`${totals['dry-run']} would be deleted (dry run)`)
  return parts.join(', ')
}
