import type { CheckedManifest, Job, Plan } from './plan.ts'
import type { Outcome, Result } from './results.ts'

/**
 * What the run knows of every manifest, written as it happens: checked,
 * planned, each request sent and each settled. Whatever stops the run, the
 * report reads its rows from here, so a version that was deleted is never
 * missing from the log, the summary or the outputs.
 */
export class Ledger {
  private manifests: readonly CheckedManifest[] = []
  private readonly outcomes = new Map<number, Outcome>()
  /** Attempts sent so far of the versions whose fate is not settled, by manifest index. */
  private readonly inFlight = new Map<number, number>()

  checked(manifests: readonly CheckedManifest[]): void {
    this.manifests = manifests
  }

  planned(plan: Plan): void {
    for (const [index, outcome] of plan.outcomes.entries()) if (outcome) this.outcomes.set(index, outcome)
  }

  sending(job: Job): void {
    this.inFlight.set(job.index, (this.inFlight.get(job.index) ?? 0) + 1)
  }

  settled(job: Job, outcome: Outcome): void {
    this.inFlight.delete(job.index)
    this.outcomes.set(job.index, outcome)
  }

  /**
   * One row per manifest, in file order. `stoppedBy` says why the run ended
   * early, if it did: rows it left open become failed (a request whose answer
   * never came) or skipped (never sent).
   */
  results(stoppedBy?: string): Result[] {
    return this.manifests.map((manifest, index) => {
      const { file, document, line, type, ml_repo, name, version, version_alias } = manifest
      return { file, document, line, type, ml_repo, name, version, version_alias, ...this.outcomeOf(manifest, index, stoppedBy) }
    })
  }

  private outcomeOf(manifest: CheckedManifest, index: number, stoppedBy = 'the run stopped'): Outcome {
    const outcome = this.outcomes.get(index)
    if (outcome) return outcome
    if (!manifest.valid) return { status: 'invalid', attempts: 0, http_status: null, message: manifest.message }
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
