import type { CheckedManifest, Job, Plan } from './plan.ts'
import type { ResultStore } from './store.ts'
import type { Identity, Location, Outcome, Result } from './result.ts'

/** A manifest's row until it is written: where it is, what it names, and what became of it so far. */
interface Entry {
  row: Location & Identity & { pull_request: number | null }
  /** Why it is invalid, if it is. */
  invalid: string | null
  outcome: Outcome | undefined
  /** Attempts sent so far, while its fate is not settled. */
  attempts: number
  target: Target
}

/** The rows of one target (a pull request in a sweep), from `first` up to `end`. */
interface Target {
  first: number
  end: number
  /** Its rows still waiting on a request; null until it is planned. */
  waiting: number | null
}

/**
 * What the run knows of every manifest, written as it happens: checked,
 * planned, each request sent and each settled. Whatever stops the run, the
 * report reads its rows from the store this writes to, so a version that was
 * deleted is never missing from the log, the summary or the outputs.
 *
 * A target's rows go to the store once all of them are settled and the
 * targets before have gone, so the store has them in the order checked; until
 * then they are held here, with no request bodies. A sweep holds only the pull
 * requests still being deleted.
 */
export class Ledger {
  /** Rows not yet in the store, by their place in the order checked. */
  private readonly open = new Map<number, Entry>()
  /** Targets not yet in the store, in order. */
  private readonly targets: Target[] = []
  private next = 0
  private readonly store: ResultStore
  private readonly clean: (row: Result) => Result

  /** `clean` takes every secret out of a row before it is stored. */
  constructor(store: ResultStore, clean: (row: Result) => Result) {
    this.store = store
    this.clean = clean
  }

  /** Adds the manifests of one target (a pull request in a sweep); returns the row of the first, which its plan's indexes start from. */
  checked(manifests: readonly CheckedManifest[], pullRequest: number | null = null): number {
    const target: Target = { first: this.next, end: this.next + manifests.length, waiting: null }
    for (const manifest of manifests) {
      const { file, document, line, type, ml_repo, name, version, version_alias } = manifest
      this.open.set(this.next++, {
        row: { pull_request: pullRequest, file, document, line, type, ml_repo, name, version, version_alias },
        invalid: manifest.valid ? null : manifest.message,
        outcome: undefined,
        attempts: 0,
        target,
      })
    }
    this.targets.push(target)
    return target.first
  }

  /** Records a target's settled outcomes, and returns its jobs with their rows in the ledger. */
  planned(plan: Plan, first: number): Job[] {
    // The target checked last: an empty one has no row to find it by.
    const target = this.targets.findLast((candidate) => candidate.first === first)
    for (const [index, outcome] of plan.outcomes.entries()) if (outcome) this.open.get(first + index)!.outcome = outcome
    if (target) target.waiting = plan.jobs.length
    this.writeSettled()
    return plan.jobs.map((job) => ({ ...job, index: first + job.index }))
  }

  sending(job: Job): void {
    const entry = this.open.get(job.index)
    if (entry) entry.attempts++
  }

  settled(job: Job, outcome: Outcome): void {
    const entry = this.open.get(job.index)
    if (!entry || entry.outcome) return
    entry.outcome = outcome
    entry.target.waiting!--
    this.writeSettled()
  }

  /**
   * Writes every row still held, and finishes the store. `stoppedBy` says why
   * the run ended early, if it did: rows it left open become failed (a request
   * whose answer never came) or skipped (never sent).
   */
  finish(stoppedBy?: string): ResultStore {
    while (this.targets.length > 0) this.write(this.targets.shift()!, stoppedBy)
    return this.store.finish()
  }

  /** Writes the targets whose rows are all settled, in order, up to the first that is not. */
  private writeSettled(): void {
    while (this.targets[0]?.waiting === 0) this.write(this.targets.shift()!)
  }

  private write(target: Target, stoppedBy?: string): void {
    for (let index = target.first; index < target.end; index++) {
      const entry = this.open.get(index)!
      this.open.delete(index)
      this.store.add(this.clean({ ...entry.row, ...outcomeOf(entry, stoppedBy) }))
    }
  }
}

function outcomeOf(entry: Entry, stoppedBy = 'the run stopped'): Outcome {
  if (entry.outcome) return entry.outcome
  if (entry.invalid !== null) return { status: 'invalid', attempts: 0, http_status: null, message: entry.invalid }
  if (entry.attempts > 0) {
    return {
      status: 'failed',
      attempts: entry.attempts,
      http_status: null,
      message: `unknown: ${stoppedBy} before this version's delete was answered; it may or may not be deleted`,
    }
  }
  return { status: 'skipped', attempts: 0, http_status: null, message: `not sent: ${stoppedBy}` }
}
