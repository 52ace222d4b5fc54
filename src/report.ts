import { MANIFEST_KINDS } from './manifest-kinds.ts'
import { sizeOverLimit } from './manifests.ts'
import { isFailure, type Result, type Status } from './results.ts'
import { oneLine, type Core, type GuardedCore } from './runner.ts'

export interface RunContext {
  /** owner/name, when known. */
  repository: string | null
  pullRequest: number | null
  runUrl: string | null
  /** https://github.com, or the GitHub Enterprise Server's address; for links to pull requests. */
  serverUrl: string | null
}

export type Totals = Record<Status, number>

/** Worst first: what needs a look sits at the top of the table. */
const STATUS_ORDER: Record<Status, number> = { failed: 0, invalid: 1, skipped: 2, deleted: 3, 'not-found': 4, 'dry-run': 5 }

const STATUS_LABEL: Record<Status, string> = {
  failed: '❌ failed',
  invalid: '⚠️ invalid',
  skipped: '⏭️ skipped',
  deleted: '✅ deleted',
  'not-found': '➖ not found',
  'dry-run': '🔍 dry run',
}

/** GitHub drops a step summary over 1 MiB entirely; stay well below it. */
export const SUMMARY_BUDGET_BYTES = 900 * 1024

export function countStatuses(results: Result[]): Totals {
  const totals: Totals = { deleted: 0, 'not-found': 0, failed: 0, invalid: 0, skipped: 0, 'dry-run': 0 }
  for (const result of results) totals[result.status]++
  return totals
}

export function sortForReport(results: Result[]): Result[] {
  return results
    .map((result, index) => ({ result, index }))
    .sort((a, b) => STATUS_ORDER[a.result.status] - STATUS_ORDER[b.result.status] || a.index - b.index)
    .map(({ result }) => result)
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
  ].map(oneLine)
}

function versionLabel(result: Result): string {
  if (result.version !== null && result.version_alias !== null) return `${result.version} (${result.version_alias})`
  if (result.version !== null) return String(result.version)
  return result.version_alias ?? ''
}

/** The job summary as HTML, cut to fit GitHub's limit while keeping the rows that failed. */
export function renderSummary(results: Result[], context: RunContext, options: { dryRun: boolean }): string {
  const totals = countStatuses(results)
  const title = options.dryRun ? 'TrueFoundry artifact cleanup (dry run)' : 'TrueFoundry artifact cleanup'
  const groups = groupByPullRequest(results)
  const swept = groups.length > 1 || groups[0]?.pullRequest != null
  const where = [
    swept ? `a sweep of ${groups.length} closed ${groups.length === 1 ? 'pull request' : 'pull requests'}` : null,
    !swept && context.pullRequest !== null ? `pull request #${context.pullRequest}` : null,
    context.repository ? `in ${escapeHtml(context.repository)}` : null,
    context.runUrl ? `· <a href="${escapeHtml(context.runUrl)}">run log</a>` : null,
  ].filter(Boolean)

  const head = [
    `<h2>${title}</h2>`,
    where.length ? `<p>${where.join(' ')}</p>` : '',
    `<p><strong>${escapeHtml(totalsLine(totals))}</strong> of ${results.length} ${results.length === 1 ? 'manifest' : 'manifests'}</p>`,
  ].join('\n')
  if (results.length === 0) return `${head}\n`

  const headerRow = `<tr>${COLUMNS.map((column) => `<th>${column}</th>`).join('')}</tr>`
  let budget = SUMMARY_BUDGET_BYTES - Buffer.byteLength(head) - 1024
  const sections: string[] = []
  let shown = 0
  // Pull requests with a failure first, as rows with one are within a table: what needs a look comes first, and survives a cut.
  for (const group of swept ? sortGroups(groups) : groups) {
    const heading = swept ? `<h3>${pullRequestLink(group.pullRequest!, context)}: ${escapeHtml(totalsLine(countStatuses(group.results)))}</h3>\n` : ''
    budget -= Buffer.byteLength(heading) + Buffer.byteLength(headerRow) + 20
    const rows: string[] = []
    for (const result of sortForReport(group.results)) {
      const row = `<tr>${cells(result)
        .map((cell, index) => (index === MANIFEST_COLUMN ? `<td><code>${escapeHtml(cell)}</code></td>` : `<td>${escapeHtml(cell)}</td>`))
        .join('')}</tr>`
      budget -= Buffer.byteLength(row) + 1
      if (budget < 0) break
      rows.push(row)
    }
    if (rows.length > 0) sections.push(`${heading}<table>\n${headerRow}\n${rows.join('\n')}\n</table>`)
    shown += rows.length
    if (budget < 0) break
  }
  const cut = results.length - shown
  const note = cut > 0 ? `\n<p>${cut} more ${cut === 1 ? 'row is' : 'rows are'} not shown: a job summary must stay under 1 MiB. The <code>results</code> output and the log have every row.</p>` : ''
  return `${head}\n${sections.join('\n')}${note}\n`
}

interface PullRequestGroup {
  pullRequest: number | null
  results: Result[]
}

/** Rows by pull request, in the order the sweep met them; one group outside a sweep. */
function groupByPullRequest(results: Result[]): PullRequestGroup[] {
  const groups = new Map<number | null, Result[]>()
  for (const result of results) {
    const group = groups.get(result.pull_request)
    if (group) group.push(result)
    else groups.set(result.pull_request, [result])
  }
  return [...groups].map(([pullRequest, rows]) => ({ pullRequest, results: rows }))
}

function sortGroups(groups: PullRequestGroup[]): PullRequestGroup[] {
  const worst = (group: PullRequestGroup) => Math.min(...group.results.map((result) => STATUS_ORDER[result.status]))
  return groups
    .map((group, index) => ({ group, index, worst: worst(group) }))
    .sort((a, b) => a.worst - b.worst || a.index - b.index)
    .map(({ group }) => group)
}

function pullRequestLink(number: number, context: RunContext): string {
  if (!context.repository || !context.serverUrl) return `#${number}`
  return `<a href="${escapeHtml(`${context.serverUrl}/${context.repository}/pull/${number}`)}">#${number}</a>`
}

/** The same table for the log, as aligned plain text. */
export function renderLogTable(results: Result[]): string[] {
  const rows = [[...COLUMNS], ...sortForReport(results).map(cells)]
  // Each cell's width is measured once, and the message's not at all: it is the last column, never padded.
  const padded = COLUMNS.length - 1
  const cellWidths = rows.map((row) => row.slice(0, padded).map(displayWidth))
  // reduce, not Math.max(...): spreading some 150,000 rows overflows the stack.
  const widths = cellWidths[0]!.map((_, column) => Math.min(60, cellWidths.reduce((widest, row) => Math.max(widest, row[column]!), 0)))
  return rows.map((row, index) =>
    row
      .map((cell, column) => (column === padded ? cell : cell + ' '.repeat(Math.max(0, widths[column]! - cellWidths[index]![column]!))))
      .join('  ')
      .trimEnd(),
  )
}

/** Columns a terminal gives the text: two for an emoji (the status labels have one), none for a joiner or variation selector. */
function displayWidth(text: string): number {
  if (/^[\x20-\x7e]*$/.test(text)) return text.length
  let width = 0
  let previous = ''
  for (const char of text) {
    // VS16 asks for the emoji form of a text-style pictograph such as ⚠ or ⏭.
    if (char === '\uFE0F') width += /\p{Emoji_Presentation}/u.test(previous) ? 0 : 1
    else if (/\p{Emoji_Presentation}/u.test(char)) width += 2
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
}

export interface ReportDeps {
  core: GuardedCore
  runContext(): Promise<RunContext>
  /** The results table for the log; plain text unless the command line colours it. */
  formatTable?(results: Result[]): string[]
  /** Warn when the `results` output is larger than this; the runner's limit, none on the command line. */
  outputLimitBytes?: number
}

/**
 * Writes the results to every channel: the log table, the outputs, the job
 * summary and the notice, each on its own, so that one that cannot be written
 * takes none of the others with it; then the step's verdict, always.
 */
export async function report(results: Result[], end: RunEnd, deps: ReportDeps): Promise<void> {
  const { core } = deps
  const line = totalsLine(countStatuses(results))
  const broken: string[] = []
  const channel = async (name: string, write: () => unknown) => {
    try {
      await write()
    } catch (error) {
      broken.push(name)
      core.warning(`The ${name} could not be written: ${(error as Error).message}`)
    }
  }
  if (results.length > 0) await channel('log table', () => (deps.formatTable ?? renderLogTable)(results).forEach((row) => core.info(row)))
  await channel('outputs', () => writeOutputs(core, results, deps.outputLimitBytes))
  if (results.length > 0) {
    await channel('job summary', async () => core.summary.addRaw(renderSummary(results, await deps.runContext(), { dryRun: end.dryRun })).write())
    await channel('notice', () => core.notice(line, { title: end.dryRun ? 'Artifact cleanup (dry run)' : 'Artifact cleanup' }))
  }

  deps.core.flushAnnotations()
  const problems = results.filter((result) => isFailure(result.status)).length
  const manifests = `${problems} ${problems === 1 ? 'manifest' : 'manifests'}`
  if (end.failure !== null) {
    core.setFailed(results.length > 0 ? `${end.failure} So far: ${line}.` : end.failure)
  } else if (end.cancelled) {
    core.setFailed(`The cleanup was cancelled: ${line}.`)
  } else if (broken.includes('outputs')) {
    core.setFailed(`The step's outputs could not be written (see the warning above), so later steps cannot read them: ${line}.`)
  } else if (problems > 0 && end.failOnError) {
    core.setFailed(`${manifests} failed or ${problems === 1 ? 'was' : 'were'} invalid: ${line}. See the table above.`)
  } else if (problems > 0) {
    core.warning(`${manifests} failed or ${problems === 1 ? 'was' : 'were'} invalid (fail-on-error is false): ${line}.`)
  }
}

function writeOutputs(core: Core, results: Result[], limit: number | undefined): void {
  core.setOutput('deleted', countStatuses(results).deleted)
  core.setOutput('failed', results.filter((result) => isFailure(result.status)).length)
  const json = JSON.stringify(results)
  core.setOutput('results', json)
  const bytes = Buffer.byteLength(json)
  if (limit !== undefined && bytes > limit) {
    const shown = sizeOverLimit(bytes, limit, (size) => `${Number((size / 1e6).toFixed(1))} MB`)
    core.warning(
      `The results output is ${shown.size}, more than the ${shown.limit} GitHub allows an output: a step that reads it may fail. The log above lists every manifest.`,
    )
  }
}
