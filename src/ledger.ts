import type { CheckedManifest, Job, Plan } from './plan.ts'
import type { Identity, Location, Outcome, Result } from './results.ts'

/** A manifest's row before its outcome: where it is, what it names, and, if it is invalid, why. */
interface Entry {
  row: Location & Identity & { pull_request: number | null }
  invalid: string | null
}

/**
 * What the run knows of every manifest, written as it happens: checked,
 * planned, each request sent and each settled. Whatever stops the run, the
 * report reads its rows from here, so a version that was deleted is never
 * missing from the log, the summary or the outputs. It keeps no request
 * bodies: a sweep of many pull requests holds only their rows.
 */
export class Ledger {
  private readonly entries: Entry[] = []
  private readonly outcomes = new Map<number, Outcome>()
  /** Attempts sent so far of the versions whose fate is not settled, by row. */
  private readonly inFlight = new Map<number, number>()
  /** One copy of each text the rows hold (see `own`). */
  private readonly texts = new Map<string, string>()

  /** Adds the manifests of one target (a pull request in a sweep); returns the row of the first, which its plan's indexes start from. */
  checked(manifests: readonly CheckedManifest[], pullRequest: number | null = null): number {
    const first = this.entries.length
    for (const manifest of manifests) {
      const { file, document, line, type, ml_repo, name, version, version_alias } = manifest
      this.entries.push({
        row: { pull_request: pullRequest, file, document, line, type, ml_repo: this.own(ml_repo), name: this.own(name), version, version_alias: this.own(version_alias) },
        invalid: manifest.valid ? null : manifest.message,
      })
    }
    return first
  }

  /**
   * The text as a string of the ledger's own, one per distinct value. A value
   * parsed from a manifest may be a slice of the whole file's text, which it
   * keeps alive: a sweep checks the same files for every pull request, and its
   * rows would hold a copy of each file per pull request.
   */
  private own(text: string | null): string | null {
    if (text === null) return null
    let owned = this.texts.get(text)
    if (owned === undefined) {
      owned = (JSON.parse(JSON.stringify(text)) as string)
      this.texts.set(owned, owned)
    }
    return owned
  }

  /** Records a target's settled outcomes, and returns its jobs with their rows in the ledger. */
  planned(plan: Plan, first: number): Job[] {
    for (const [index, outcome] of plan.outcomes.entries()) if (outcome) this.outcomes.set(first + index, outcome)
    return plan.jobs.map((job) => ({ ...job, index: first + job.index }))
  }

  sending(job: Job): void {
    this.inFlight.set(job.index, (this.inFlight.get(job.index) ?? 0) + 1)
  }

  settled(job: Job, outcome: Outcome): void {
    this.inFlight.delete(job.index)
    this.outcomes.set(job.index, outcome)
  }

  /**
   * One row per manifest, in the order checked. `stoppedBy` says why the run
   * ended early, if it did: rows it left open become failed (a request whose
   * answer never came) or skipped (never sent).
   */
  results(stoppedBy?: string): Result[] {
    return this.entries.map((entry, index) => ({ ...entry.row, ...this.outcomeOf(entry, index, stoppedBy) }))
  }

  private outcomeOf(entry: Entry, index: number, stoppedBy = 'the run stopped'): Outcome {
    const outcome = this.outcomes.get(index)
    if (outcome) return outcome
    if (entry.invalid !== null) return { status: 'invalid', attempts: 0, http_status: null, message: entry.invalid }
    const attempts = this.inFlight.get(index)
    if (attempts !== undefined) {
      return {
        status: 'failed',
        attempts,
        http_status: null,
        message: `unknown: ${stoppedBy} before this version's delete was answered; it may or may not be deleted`,
      }
    }
    return { status: 'skipped', attempts: 0, http_status: null, message: `not sent: ${stoppedBy}` }
  }
}
