// The step's verdict: whether it fails, and what it says.
import { isFailure, type Status } from '../results/result.ts'
import type { Rows, Totals } from '../results/store.ts'
import { totalsLine } from './labels.ts'

/** How the run ended, as the verdict weighs it. */
export interface Ending {
  failOnError: boolean
  cancelled: boolean
  /** Why the run stopped before its end (a bad input, no files with if-no-files-found: error, an unexpected error), or null. */
  failure: string | null
  /** Whether the outputs could not be written, so later steps cannot read them. */
  outputsBroken: boolean
  /** What the rows are of, for the message: manifests, or (retention) rules and the versions they selected; null for manifests. */
  rules?: readonly unknown[] | null
}

/** Rows that fail the step with fail-on-error. */
export function failures(totals: Totals): number {
  return (Object.keys(totals) as Status[]).filter(isFailure).reduce((sum, status) => sum + totals[status], 0)
}

/** The step's failure, or a warning when fail-on-error lets it pass, or null when all went well. */
export function verdictOf(rows: Rows, end: Ending): { failed: string } | { warning: string } | null {
  const line = totalsLine(rows.totals)
  const problems = failures(rows.totals)
  const noun = end.rules ? (problems === 1 ? 'row' : 'rows') : problems === 1 ? 'manifest' : 'manifests'
  const manifests = `${problems} ${noun}`
  const were = problems === 1 ? 'was' : 'were'
  if (end.failure !== null) {
    return { failed: rows.count > 0 ? `${end.failure}${/[.!?]$/.test(end.failure) ? '' : '.'} So far: ${line}.` : end.failure }
  }
  if (end.cancelled) return { failed: `The cleanup was cancelled: ${line}.` }
  if (end.outputsBroken) {
    return { failed: `The step's outputs could not be written (see the warning above), so later steps cannot read them: ${line}.` }
  }
  if (problems > 0 && end.failOnError) {
    return { failed: `${manifests} failed or ${were} invalid: ${line}. The table in the log lists them first.` }
  }
  if (problems > 0) return { warning: `${manifests} failed or ${were} invalid (fail-on-error is false): ${line}.` }
  return null
}
