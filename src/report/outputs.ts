// The step's outputs: the counts, the results file, and the rows as JSON.
import type { Rows } from '../results/store.ts'
import { sizeOverLimit } from '../text/format.ts'
import { worstFirst } from './order.ts'
import { failures } from './verdict.ts'

/** GitHub documents 1 MB as the most an output can hold; a step that reads a larger one may fail. */
export const OUTPUT_LIMIT_BYTES = 1_000_000

export interface Outputs {
  /** Each output's name and value, in the order they are set. */
  values: Record<string, string | number>
  /** What to warn of when the rows did not all fit, else null. */
  warning: string | null
}

/**
 * Every row when they fit in `limit`; past it, as many as fit, those that
 * need a look first, since a step that reads a larger output fails.
 */
export function outputsOf(rows: Rows, limit: number): Outputs {
  const values: Record<string, string | number> = { deleted: rows.totals.deleted, failed: failures(rows.totals) }
  if (rows.file !== null) values['results-file'] = rows.file
  if (rows.jsonBytes <= limit) {
    values.results = `[${[...rows.json()].join(',')}]`
    return { values, warning: null }
  }
  const kept: string[] = []
  let bytes = 2
  for (const row of worstFirst(rows)) {
    const json = JSON.stringify(row)
    bytes += Buffer.byteLength(json) + (kept.length > 0 ? 1 : 0)
    if (bytes > limit) break
    kept.push(json)
  }
  values.results = `[${kept.join(',')}]`
  const shown = sizeOverLimit(rows.jsonBytes, limit, (size) => `${Number((size / 1e6).toFixed(1))} MB`)
  const whole =
    rows.file !== null ? `The results-file output names a file with every row (${rows.file}).` : 'The log above lists every manifest.'
  return {
    values,
    warning: `The rows come to ${shown.size} of JSON, more than the ${shown.limit} GitHub allows an output, which a step cannot read: the results output holds ${kept.length} of the ${rows.count} rows, those that need a look first. ${whole}`,
  }
}
