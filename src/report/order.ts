// The order the report shows rows in: what needs a look first. The rows may
// be many thousand, read back from a file, so each ordering is a pass over
// them for each status they hold, never a sort of them all in memory.
import { STATUS_ORDER, type Result, type Status } from '../results/result.ts'
import { noTotals, type Rows } from '../results/store.ts'

/** Rows to show together, with their counts: all the run's, or one target's. */
export type RowSet = Pick<Rows, 'totals' | 'rows'>

const WORST_FIRST = (Object.keys(STATUS_ORDER) as Status[]).sort((a, b) => STATUS_ORDER[a] - STATUS_ORDER[b])

/** The rows worst first, in the order checked within a status. */
export function* worstFirst(rows: RowSet): Generator<Result> {
  for (const status of WORST_FIRST) {
    if (rows.totals[status] === 0) continue
    for (const row of rows.rows()) if (row.status === status) yield row
  }
}

/**
 * Each numbered target's rows (a pull request's in a sweep), the targets with
 * the worst rows first: a pass over the rows for each status they hold,
 * taking the targets whose worst row has it, one target's rows held at a time.
 */
export function* targetsWorstFirst(rows: Rows): Generator<{ pullRequest: number; rows: RowSet }> {
  for (const status of WORST_FIRST) {
    if (rows.totals[status] === 0) continue
    for (const held of byTarget(rows.rows())) {
      if (worstOf(held) === status) yield { pullRequest: held[0]!.pull_request!, rows: rowSetOf(held) }
    }
  }
}

/** The rows a target at a time: the store has each one's rows together. */
function* byTarget(results: Iterable<Result>): Generator<Result[]> {
  let held: Result[] = []
  for (const row of results) {
    if (held.length > 0 && row.pull_request !== held[0]!.pull_request) {
      yield held
      held = []
    }
    held.push(row)
  }
  if (held.length > 0) yield held
}

function worstOf(results: Result[]): Status {
  return results.reduce<Status>((worst, row) => (STATUS_ORDER[row.status] < STATUS_ORDER[worst] ? row.status : worst), 'dry-run')
}

function rowSetOf(results: Result[]): RowSet {
  const totals = noTotals()
  for (const result of results) totals[result.status]++
  return { totals, rows: () => results }
}
