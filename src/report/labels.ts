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
