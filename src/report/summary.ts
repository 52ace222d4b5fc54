// The job summary: HTML, cut to fit GitHub's limit while keeping the rows
// that need a look.
import type { Rows } from '../results/store.ts'
import type { RuleSummary } from '../results/rule-summary.ts'
import type { RunContext } from '../runner/run-context.ts'
import { cells, COLUMNS, MANIFEST_COLUMN } from './cells.ts'
import { totalsLine } from './labels.ts'
import { targetsWorstFirst, worstFirst, type RowSet } from './order.ts'

/** GitHub drops a step summary over 1 MiB entirely; stay well below it. */
export const SUMMARY_BUDGET_BYTES = 900 * 1024

/** What the summary's head says beside the run's context; the source of targets' words, as the run passes them on. */
export interface SummaryHead {
  dryRun: boolean
  /** What the run went over ("a sweep of 3 closed pull requests"); null leaves it to the run's context (its pull request). */
  scope: string | null
  /** Said instead of the totals when the source found no target to check; else null. */
  nothingFound: string | null
  /** The endpoints deletes went to (paths below control-plane-url), each with the kinds sent there; empty when nothing was sent. */
  endpoints: { path: string; types: string[] }[]
  /** What each retention rule listed, selected and kept; null outside retention. */
  rules: RuleSummary[] | null
}

/**
 * The summary in parts to write one after the other: the head, a table for
 * each numbered target (one table for rows without a number), and the note
 * of what was cut.
 */
export function* renderSummary(rows: Rows, context: RunContext, head: SummaryHead): Generator<string> {
  const title = head.dryRun ? 'TrueFoundry cleanup (dry run)' : 'TrueFoundry cleanup'
  const where = [
    head.scope ?? (context.pullRequest !== null ? `pull request #${context.pullRequest}` : null),
    context.repository ? `in ${escapeHtml(context.repository)}` : null,
    context.runUrl ? `· <a href="${escapeHtml(context.runUrl)}">run log</a>` : null,
  ].filter(Boolean)

  const top = [
    `<h2>${title}</h2>`,
    where.length ? `<p>${where.join(' ')}</p>` : '',
    head.nothingFound !== null
      ? `<p>${escapeHtml(head.nothingFound)}</p>`
      : `<p><strong>${escapeHtml(totalsLine(rows.totals))}</strong> of ${rows.count} ${rowNoun(rows.count, head.rules !== null)}</p>`,
    ...(head.endpoints.length > 0 ? [`<p>Sent to ${head.endpoints.map(endpointText).join(', ')}</p>`] : []),
    ...(head.rules && head.rules.length > 0 ? [rulesTable(head.rules)] : []),
  ].join('\n')
  yield `${top}\n`
  if (rows.count === 0) return

  const headerRow = `<tr>${COLUMNS.map((column) => `<th>${column}</th>`).join('')}</tr>`
  let budget = SUMMARY_BUDGET_BYTES - Buffer.byteLength(top) - 1024
  let shown = 0
  // Rows that carry their target's number (a swept pull request's) get a table per target, those with a failure
  // first, as rows with one are within a table: what needs a look comes first, and survives a cut.
  const tables: Iterable<{ pullRequest: number | null; rows: RowSet }> =
    rows.pullRequests > 0 ? targetsWorstFirst(rows) : [{ pullRequest: null, rows }]
  for (const table of tables) {
    const heading =
      table.pullRequest !== null
        ? `<h3>${pullRequestLink(table.pullRequest, context)}: ${escapeHtml(totalsLine(table.rows.totals))}</h3>\n`
        : ''
    budget -= Buffer.byteLength(heading) + Buffer.byteLength(headerRow) + 20
    const lines: string[] = []
    for (const result of worstFirst(table.rows)) {
      const row = `<tr>${cells(result)
        .map((cell, index) => (index === MANIFEST_COLUMN ? `<td><code>${escapeHtml(cell)}</code></td>` : `<td>${escapeHtml(cell)}</td>`))
        .join('')}</tr>`
      budget -= Buffer.byteLength(row) + 1
      if (budget < 0) break
      lines.push(row)
    }
    if (lines.length > 0) yield `${heading}<table>\n${headerRow}\n${lines.join('\n')}\n</table>\n`
    shown += lines.length
    if (budget < 0) break
  }
  const cut = rows.count - shown
  if (cut > 0) {
    yield `<p>${cut} more ${cut === 1 ? 'row is' : 'rows are'} not shown: a job summary must stay under 1 MiB. The <code>results-file</code> output and the log have every row.</p>\n`
  }
}

function rowNoun(count: number, retention: boolean): string {
  if (retention) return count === 1 ? 'row' : 'rows'
  return count === 1 ? 'manifest' : 'manifests'
}

/** A line a rule: what it listed, selected and kept, and why it kept them; or why its listing failed. */
function rulesTable(rules: RuleSummary[]): string {
  const header = '<tr><th>Rule</th><th>Versions of</th><th>Listed</th><th>Selected</th><th>Kept</th></tr>'
  const lines = rules.map((rule) => {
    const cells = [
      `<code>${escapeHtml(rule.rule)}</code>`,
      `${escapeHtml(rule.type)} <code>${escapeHtml(rule.ml_repo)}/${escapeHtml(rule.name)}</code>`,
      rule.listed === null ? '–' : String(rule.listed),
      String(rule.selected),
      rule.failure !== null ? `failed: ${escapeHtml(rule.failure)}` : escapeHtml(keptText(rule)),
    ]
    return `<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`
  })
  return `<h3>Retention rules</h3>\n<table>\n${header}\n${lines.join('\n')}\n</table>`
}

function keptText({ kept }: RuleSummary): string {
  if (!kept) return ''
  const parts = [
    kept.newest > 0 ? `${kept.newest} as the newest` : null,
    kept.younger > 0 ? `${kept.younger} as younger than the cut-off` : null,
    kept.notMatching > 0 ? `${kept.notMatching} as not matching the aliases` : null,
    kept.unjudgeable.count > 0 ? `${kept.unjudgeable.count} that could not be judged` : null,
  ].filter((part) => part !== null)
  return parts.length > 0 ? parts.join(', ') : 'none'
}

function endpointText({ path, types }: { path: string; types: string[] }): string {
  return `<code>${escapeHtml(path)}</code> (${escapeHtml(types.join(', '))})`
}

function pullRequestLink(number: number, context: RunContext): string {
  if (!context.repository || !context.serverUrl) return `#${number}`
  return `<a href="${escapeHtml(`${context.serverUrl}/${context.repository}/pull/${number}`)}">#${number}</a>`
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}
