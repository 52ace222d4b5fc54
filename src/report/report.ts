// The report: the results written to every channel, then the step's verdict.
import type { Rows } from '../results/store.ts'
import type { GuardedCore, TableLine } from '../runner/guarded-core.ts'
import type { RunContext } from '../runner/run-context.ts'
import { totalsLine } from './labels.ts'
import { renderLogTable } from './log-table.ts'
import { OUTPUT_LIMIT_BYTES, outputsOf } from './outputs.ts'
import { renderSummary, type SummaryHead } from './summary.ts'
import { verdictOf, type Ending } from './verdict.ts'

const SUMMARY_PIECE_CHARS = 64 * 1024

/**
 * The log table is written in pieces of about this many characters, each
 * one write to the log: a write a line cost a 20,000-row dry run about 8% of
 * its time, in writes to the pipe the runner reads.
 */
export const TABLE_PIECE_CHARS = 16 * 1024

export type RunEnd = SummaryHead & Omit<Ending, 'outputsBroken'>

export interface ReportDeps {
  core: GuardedCore
  runContext(): Promise<RunContext>
  /** A promise to wait for while the log is backed up, else null (see log-stream.ts). */
  logBacklog?: () => Promise<void> | null
}

/**
 * Writes the results to every channel: the log table, the outputs (where the
 * core has them: the command line has none), the job summary and the notice,
 * each on its own, so that one that cannot be written takes none of the
 * others with it; then the step's verdict, always.
 */
export async function report(rows: Rows, end: RunEnd, deps: ReportDeps): Promise<void> {
  const { core } = deps
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
      let piece: TableLine[] = []
      let chars = 0
      for (const tableLine of renderLogTable(rows)) {
        piece.push(tableLine)
        chars += tableLine.text.length + 1
        if (chars < TABLE_PIECE_CHARS) continue
        core.tableLines(piece)
        piece = []
        chars = 0
        const backlog = deps.logBacklog?.()
        if (backlog) await backlog
      }
      if (piece.length > 0) core.tableLines(piece)
    })
  }
  const { setOutput } = core
  if (setOutput) {
    await channel('outputs', () => {
      const outputs = outputsOf(rows, OUTPUT_LIMIT_BYTES)
      for (const [name, value] of Object.entries(outputs.values)) setOutput(name, value)
      if (outputs.warning !== null) core.warning(outputs.warning)
    })
  }
  if (rows.count > 0 || end.nothingFound !== null) {
    await channel('job summary', async () => {
      // In pieces of about 64 KiB: a summary is up to 900 KiB of HTML, and each write opens the file again.
      let piece = ''
      for (const part of renderSummary(rows, await deps.runContext(), end)) {
        piece += part
        if (piece.length < SUMMARY_PIECE_CHARS) continue
        await core.summary.addRaw(piece).write()
        piece = ''
      }
      if (piece !== '') await core.summary.addRaw(piece).write()
    })
    await channel('notice', () =>
      core.notice(end.nothingFound ?? totalsLine(rows.totals), { title: end.dryRun ? 'Cleanup (dry run)' : 'Cleanup' }),
    )
  }

  core.flushAnnotations()
  const verdict = verdictOf(rows, { ...end, outputsBroken: broken.includes('outputs') })
  if (verdict && 'failed' in verdict) core.setFailed(verdict.failed)
  else if (verdict) core.warning(verdict.warning)
}
