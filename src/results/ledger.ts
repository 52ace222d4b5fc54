import type { Job, Plan } from './plan.ts'
import type { ResultStore } from './store.ts'
import type { Identity, Location, Origin, Outcome, Result } from './result.ts'

/** A manifest's row until it is written: where it is, what it names, and what became of it so far. */
interface Entry {
  row: Origin & Location & Identity
  /** Said before the answer in the message of the outcome a request settles. */
  why: string | null
  /** Undefined while a request decides it. */
  outcome: Outcome | undefined
  /** Attempts sent so far, while its fate is not settled. */
  attempts: number
  range: RowRange
}

/** The rows of one plan (a pull request's, in a sweep), from `first` up to `end`. */
interface RowRange {
  first: number
  end: number
  /** Its rows still waiting on a request. */
  waiting: number
}

/**
 * What the run knows of every manifest, written as it happens: planned, each
 * request sent and each settled. Whatever stops the run, the report reads its
 * rows from the store this writes to, so a version that was deleted is never
 * missing from the log, the summary or the outputs.
 *
 * The ledger gives each row its place in the order checked, once. A plan's
 * rows go to the store once all of them are settled and the plans before have
 * gone, so the store has them in that order; until then they are held here,
 * with no request bodies. A sweep holds only the pull requests still being deleted.
 */
export class Ledger {
  /** Rows not yet in the store, by their place in the order checked. */
  private readonly open = new Map<number, Entry>()
  /** Plans not yet in the store, in order. */
  private readonly ranges: RowRange[] = []
  private next = 0
  private readonly store: ResultStore
  private readonly clean: (row: Result) => Result

  /** `clean` takes every secret out of a row before it is stored. */
  constructor(store: ResultStore, clean: (row: Result) => Result) {
    this.store = store
    this.clean = clean
  }

  /** Records a plan's rows and the outcomes it settled; returns its requests as jobs, each with its row. */
  planned(plan: Plan): Job[] {
    const { decisions, pullRequest } = plan
    const rule = plan.rule ?? null
    const range: RowRange = { first: this.next, end: this.next + decisions.length, waiting: 0 }
    const jobs: Job[] = []
    for (const decision of decisions) {
      const { file, document, line, type, ml_repo, name, version, version_alias, id } = decision.row
      const index = this.next++
      const outcome = 'outcome' in decision ? decision.outcome : undefined
      this.open.set(index, {
        row: { pull_request: pullRequest, rule, file, document, line, type, ml_repo, name, version, version_alias, id },
        why: ('why' in decision && decision.why) || null,
        outcome,
        attempts: 0,
        range,
      })
      if ('send' in decision) jobs.push({ index, ...decision.send })
    }
    range.waiting = jobs.length
    this.ranges.push(range)
    this.writeSettled()
    return jobs
  }

  sending(job: Job): void {
    const entry = this.open.get(job.index)
    if (entry) entry.attempts++
  }

  settled(job: Job, outcome: Outcome): void {
    const entry = this.open.get(job.index)
    if (!entry || entry.outcome) return
    entry.outcome = entry.why === null ? outcome : { ...outcome, message: `${entry.why}: ${outcome.message}` }
    entry.range.waiting--
    this.writeSettled()
  }

  /**
   * Writes every row still held, and finishes the store. `stoppedBy` says why
   * the run ended early, if it did: rows it left open become failed (a request
   * whose answer never came) or skipped (never sent).
   */
  finish(stoppedBy?: string): ResultStore {
    while (this.ranges.length > 0) this.write(this.ranges.shift()!, stoppedBy)
    return this.store.finish()
  }

  /** Writes the plans whose rows are all settled, in order, up to the first that is not. */
  private writeSettled(): void {
    while (this.ranges[0]?.waiting === 0) this.write(this.ranges.shift()!)
  }

  private write(range: RowRange, stoppedBy?: string): void {
    for (let index = range.first; index < range.end; index++) {
      const entry = this.open.get(index)!
      this.open.delete(index)
      this.store.add(this.clean({ ...entry.row, ...(entry.outcome ?? unsettled(entry.attempts, stoppedBy)) }))
    }
  }
}

/** The outcome of a row whose request the run stopped before it was answered, or before it was sent. */
function unsettled(attempts: number, stoppedBy = 'the run stopped'): Outcome {
  if (attempts > 0) {
    return {
      status: 'failed',
      attempts,
      http_status: null,
      message: `unknown: ${stoppedBy} before this version's delete was answered; it may or may not be deleted`,
    }
  }
  return { status: 'skipped', attempts: 0, http_status: null, message: `not sent: ${stoppedBy}` }
}
