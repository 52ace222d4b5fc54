// A row as the cells of the results table, which the log and the summary
// both show.
import type { Result } from '../results/result.ts'
import { printedCell } from '../runner/guarded-core.ts'
import { kindLabel, STATUS_LABEL } from './labels.ts'

export const COLUMNS = ['Status', 'Kind', 'ML repo', 'Name', 'Version', 'Attempts', 'Manifest', 'Message'] as const
export const MANIFEST_COLUMN = COLUMNS.indexOf('Manifest')

export function cells(result: Result): string[] {
  return [
    STATUS_LABEL[result.status],
    kindLabel(result.type),
    result.ml_repo ?? '',
    result.name ?? '',
    versionLabel(result),
    String(result.attempts),
    `${result.file}:${result.line}`,
    result.message,
    // As printed: the log table's columns are measured on the escapes the guard would write.
  ].map(printedCell)
}

function versionLabel(result: Result): string {
  if (result.version !== null && result.version_alias !== null) return `${result.version} (${result.version_alias})`
  if (result.version !== null) return String(result.version)
  return result.version_alias ?? ''
}
