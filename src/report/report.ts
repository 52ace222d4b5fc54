import type { SweepInputs } from '../inputs/get-inputs.ts'
import { MANIFEST_KINDS } from '../manifests/kinds.ts'
import type { RunContext } from '../runner/run-context.ts'
import { sizeOverLimit } from '../text/format.ts'
import { noTotals, type Rows, type Totals } from '../results/store.ts'
import { isFailure, STATUS_ORDER, type Result, type Status } from '../results/result.ts'
import { printable } from '../text/printable.ts'
import { oneLine, type Core, type GuardedCore, type TableLine } from '../runner/guarded-core.ts'

const STATUS_LABEL: Record<Status, string> = {
  failed: '❌ failed',
  invalid: '⚠️ invalid',
  skipped: '⏭️ skipped',
  deleted: '✅ deleted',
  'not-found': '➖ not found',
  'dry-run': '🔍 dry run',
}

const WORST_FIRST = (Object.keys(STATUS_ORDER) as Status[]).sort((a, b) => STATUS_ORDER[a] - STATUS_ORDER[b])

/** GitHub drops a step summary over 1 MiB entirely; stay well below it. */
export const SUMMARY_BUDGET_BYTES = 900 * 1024

/** The rows worst first, in the order checked within a status: a pass over the rows for each status they hold. */
export function* worstFirst(rows: Rows): Generator<Result> {
  for (const status of WORST_FIRST) {
    if (rows.totals[status] === 0) continue
    for (const row of rows.rows()) if (row.status === status) yield row
  }
}

export function sortForReport(results: Result[]): Result[] {
  return results
    .map((result, index) => ({ result, index }))
    .sort((a, b) => STATUS_ORDER[a.result.status] - STATUS_ORDER[b.result.status] || a.index - b.index)
    .map(({ result }) => result)
}

/** Rows that fail the step with fail-on-error. */
function failures(totals: Totals): number {
  return WORST_FIRST.filter(isFailure).reduce((sum, status) => sum + totals[status], 0)
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

const COLUMNS = ['Status', 'Kind', 'ML repo', 'Name', 'Version', 'Attempts', 'Manifest', 'Message'] as const
const MANIFEST_COLUMN = COLUMNS.indexOf('Manifest')

function cells(result: Result): string[] {
  return [
    STATUS_LABEL[result.status],
    result.type ? MANIFEST_KINDS[result.type].label : '',
    result.ml_repo ?? '',
    result.name ?? '',
    versionLabel(result),
    String(result.attempts),
    `${result.file}:${result.line}`,
    result.message,
    // As printed: the table's columns are measured on the escapes the guard would write.
  ].map((text) => printable(oneLine(text)))
}

function versionLabel(result: Result): string {
  if (result.version !== null && result.version_alias !== null) return `${result.version} (${result.version_alias})`
  if (result.version !== null) return String(result.version)
  return result.version_alias ?? ''
}

/**
 * The job summary as HTML, cut to fit GitHub's limit while keeping the rows
 * that failed, in parts to write one after the other: the head, a table for
 * each pull request (one table outside a sweep), and the note of what was cut.
 */
export function* renderSummary(rows: Rows, context: RunContext, options: { dryRun: boolean; emptySweep?: string }): Generator<string> {
  const title = options.dryRun ? 'TrueFoundry artifact cleanup (dry run)' : 'TrueFoundry artifact cleanup'
  const swept = rows.pullRequests > 0
  const where = [
    swept ? `a sweep of ${rows.pullRequests} closed ${rows.pullRequests === 1 ? 'pull request' : 'pull requests'}` : null,
    !swept && context.pullRequest !== null ? `pull request #${context.pullRequest}` : null,
    context.repository ? `in ${escapeHtml(context.repository)}` : null,
    context.runUrl ? `· <a href="${escapeHtml(context.runUrl)}">run log</a>` : null,
  ].filter(Boolean)

  const head = [
    `<h2>${title}</h2>`,
    where.length ? `<p>${where.join(' ')}</p>` : '',
    options.emptySweep !== undefined
      ? `<p>${escapeHtml(options.emptySweep)}</p>`
      : `<p><strong>${escapeHtml(totalsLine(rows.totals))}</strong> of ${rows.count} ${rows.count === 1 ? 'manifest' : 'manifests'}</p>`,
  ].join('\n')
  yield `${head}\n`
  if (rows.count === 0) return

  const headerRow = `<tr>${COLUMNS.map((column) => `<th>${column}</th>`).join('')}</tr>`
  let budget = SUMMARY_BUDGET_BYTES - Buffer.byteLength(head) - 1024
  let shown = 0
  // Pull requests with a failure first, as rows with one are within a table: what needs a look comes first, and survives a cut.
  const tables = swept ? pullRequestsWorstFirst(rows) : [{ pullRequest: null, results: worstFirst(rows) }]
  for (const { pullRequest, results } of tables) {
    const heading =
      pullRequest !== null ? `<h3>${pullRequestLink(pullRequest, context)}: ${escapeHtml(totalsLine(totalsOf(results)))}</h3>\n` : ''
    budget -= Buffer.byteLength(heading) + Buffer.byteLength(headerRow) + 20
    const lines: string[] = []
    for (const result of results) {
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

function totalsOf(results: Result[]): Totals {
  const totals = noTotals()
  for (const result of results) totals[result.status]++
  return totals
}

/**
 * Each pull request's rows, worst first, the pull requests with the worst rows
 * first: a pass over the rows for each status they hold, taking the pull
 * requests whose worst row has it, one pull request's rows held at a time.
 */
function* pullRequestsWorstFirst(rows: Rows): Generator<{ pullRequest: number; results: Result[] }> {
  for (const status of WORST_FIRST) {
    if (rows.totals[status] === 0) continue
    for (const held of byPullRequest(rows.rows())) {
      if (worstOf(held) === status) yield { pullRequest: held[0]!.pull_request!, results: sortForReport(held) }
    }
  }
}

/** The rows a pull request at a time: the store has each one's rows together. */
function* byPullRequest(results: Iterable<Result>): Generator<Result[]> {
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

function pullRequestLink(number: number, context: RunContext): string {
  if (!context.repository || !context.serverUrl) return `#${number}`
  return `<a href="${escapeHtml(`${context.serverUrl}/${context.repository}/pull/${number}`)}">#${number}</a>`
}

/** The same table for the log, as aligned plain text: a pass over the rows for the columns' widths, then the rows worst first. */
export function* renderLogTable(rows: Rows): Generator<TableLine> {
  // The message is the last column, never padded: its width is not measured.
  const padded = COLUMNS.length - 1
  const widths = COLUMNS.slice(0, padded).map(displayWidth)
  for (const row of rows.rows()) {
    const texts = cells(row)
    for (let column = 0; column < padded; column++) widths[column] = Math.max(widths[column]!, displayWidth(texts[column]!))
  }
  const line = (texts: readonly string[]) =>
    texts
      .map((cell, column) =>
        column === padded ? cell : cell + ' '.repeat(Math.max(0, Math.min(60, widths[column]!) - displayWidth(cell))),
      )
      .join('  ')
      .trimEnd()
  yield { text: line(COLUMNS), status: null }
  for (const row of worstFirst(rows)) yield { text: line(cells(row)), status: row.status }
}

/**
 * The wide and fullwidth blocks of Unicode's East Asian Width (CJK ideographs
 * and symbols, kana, Hangul, fullwidth forms), which terminals give two
 * columns; JavaScript's regular expressions have no property for them.
 */
const WIDE =
  /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{20000}-\u{3FFFD}]/u

/** Columns a terminal gives the text: two for an emoji (the status labels have one) or a wide character, none for a joiner or variation selector. */
function displayWidth(text: string): number {
  if (/^[\x20-\x7e]*$/.test(text)) return text.length
  let width = 0
  let previous = ''
  for (const char of text) {
    // VS16 asks for the emoji form of a text-style pictograph such as ⚠ or ⏭.
    if (char === '\uFE0F') width += /\p{Emoji_Presentation}/u.test(previous) ? 0 : 1
    else if (/\p{Emoji_Presentation}/u.test(char) || WIDE.test(char)) width += 2
    else if (char !== '\u200D' && !/\p{Mn}/u.test(char)) width += 1 // Mn: combining marks and the other variation selectors
    previous = char
  }
  return width
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}

/** GitHub documents 1 MB as the most an output can hold; a step that reads a larger one may fail. */
export const OUTPUT_LIMIT_BYTES = 1_000_000

export interface RunEnd {
  dryRun: boolean
  failOnError: boolean
  cancelled: boolean
  /** Why the run stopped before its end (a bad input, no files with if-no-files-found: error, an unexpected error), or null. */
  failure: string | null
  /** The sweep's repository and window; null outside a sweep. */
  sweep: SweepInputs | null
  /** How many manifest files matched. */
  filesFound: number
}

/**
 * What to say when a sweep ran to its end and found no pull request to
 * check, or null: with no row, the summary and the notice would say nothing.
 */
function emptySweepLine(rows: Rows, end: RunEnd): string | null {
  if (rows.count > 0 || end.sweep === null || end.filesFound === 0 || end.failure !== null || end.cancelled) return null
  const { owner, repo, closedWithinDays: days } = end.sweep
  return `The sweep found no pull request of ${owner}/${repo} closed in the last ${days} ${days === 1 ? 'day' : 'days'} to check: nothing was checked or deleted.`
}

export interface ReportDeps {
  core: GuardedCore
  runContext(): Promise<RunContext>
  /** Warn when the `results` output is larger than this; the runner's limit, none on the command line. */
  outputLimitBytes?: number
  /** A promise to wait for while the log is backed up, else null (see log-stream.ts). */
  logBacklog?: () => Promise<void> | null
}

/**
 * Writes the results to every channel: the log table, the outputs, the job
 * summary and the notice, each on its own, so that one that cannot be written
 * takes none of the others with it; then the step's verdict, always.
 */
export async function report(rows: Rows, end: RunEnd, deps: ReportDeps): Promise<void> {
  const { core } = deps
  const line = totalsLine(rows.totals)
  const emptySweep = emptySweepLine(rows, end)
  const broken: string[] = []
  const channel = async (name: string, write: () => unknown) => {
    try {
      await write()
    } catch (error) {
      broken.push(name)
      core.warning(`The ${name} could not be written: ${(error as Error).message}`)
    }
  }
  if (rows.count > 0) {
    await channel('log table', async () => {
      for (const tableLine of renderLogTable(rows)) {
        core.tableLine(tableLine)
        const backlog = deps.logBacklog?.()
        if (backlog) await backlog
      }
    })
  }
  await channel('outputs', () => writeOutputs(core, rows, deps.outputLimitBytes))
  if (rows.count > 0 || emptySweep !== null) {
    await channel('job summary', async () => {
      // A part at a time: the summary of a sweep is up to 900 KiB of HTML.
      for (const part of renderSummary(rows, await deps.runContext(), { dryRun: end.dryRun, emptySweep: emptySweep ?? undefined }))
        await core.summary.addRaw(part).write()
    })
    await channel('notice', () =>
      core.notice(emptySweep ?? line, { title: end.dryRun ? 'Artifact cleanup (dry run)' : 'Artifact cleanup' }),
    )
  }

  deps.core.flushAnnotations()
  const problems = failures(rows.totals)
  const manifests = `${problems} ${problems === 1 ? 'manifest' : 'manifests'}`
  if (end.failure !== null) {
    core.setFailed(rows.count > 0 ? `${end.failure}${/[.!?]$/.test(end.failure) ? '' : '.'} So far: ${line}.` : end.failure)
  } else if (end.cancelled) {
    core.setFailed(`The cleanup was cancelled: ${line}.`)
  } else if (broken.includes('outputs')) {
    core.setFailed(`The step's outputs could not be written (see the warning above), so later steps cannot read them: ${line}.`)
  } else if (problems > 0 && end.failOnError) {
    core.setFailed(`${manifests} failed or ${problems === 1 ? 'was' : 'were'} invalid: ${line}. The table in the log lists them first.`)
  } else if (problems > 0) {
    core.warning(`${manifests} failed or ${problems === 1 ? 'was' : 'were'} invalid (fail-on-error is false): ${line}.`)
  }
}

/**
 * The counts, the results file, and the rows as JSON: every row when they fit
 * in an output; past the runner's limit, as many as fit, those that need a
 * look first, since a step that reads a larger output fails.
 */
function writeOutputs(core: Core, rows: Rows, limit: number | undefined): void {
  core.setOutput('deleted', rows.totals.deleted)
  core.setOutput('failed', failures(rows.totals))
  if (rows.file !== null) core.setOutput('results-file', rows.file)
  if (limit === undefined || rows.jsonBytes <= limit) {
    core.setOutput('results', `[${[...rows.json()].join(',')}]`)
    return
  }
  const kept: string[] = []
  let bytes = 2
  for (const row of worstFirst(rows)) {
    const json = JSON.stringify(row)
    bytes += Buffer.byteLength(json) + (kept.length > 0 ? 1 : 0)
    if (bytes > limit) break
    kept.push(json)
  }
  core.setOutput('results', `[${kept.join(',')}]`)
  const shown = sizeOverLimit(rows.jsonBytes, limit, (size) => `${Number((size / 1e6).toFixed(1))} MB`)
  const whole =
    rows.file !== null ? `The results-file output names a file with every row (${rows.file}).` : 'The log above lists every manifest.'
  core.warning(
    `The rows come to ${shown.size} of JSON, more than the ${shown.limit} GitHub allows an output, which a step cannot read: the results output holds ${kept.length} of the ${rows.count} rows, those that need a look first. ${whole}`,
  )
}
