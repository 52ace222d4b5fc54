import type { ArtifactManifest } from './manifest-types.ts'
import type { Identity, Location, Outcome } from './results.ts'

/** A manifest document after loading and validation. */
export type CheckedManifest = Location &
  Identity & ({ valid: true; manifest: ArtifactManifest } | { valid: false; message: string })

/** One delete request to send; `index` is the manifest's place in the checked list. */
export interface Job {
  index: number
  /** The exact JSON text sent: {"manifest": …}. */
  body: string
}

export interface Plan {
  /** Settled outcomes by index; undefined where a job will decide. */
  outcomes: (Outcome | undefined)[]
  jobs: Job[]
}

/**
 * Decides what is sent. Nothing at all when any manifest is invalid: a
 * cleanup that half-runs on a broken change set is harder to reason about
 * than one that refuses. Each version is sent once, however many manifests name it.
 */
export function plan(manifests: CheckedManifest[], options: { dryRun: boolean }): Plan {
  const invalid = manifests.filter((manifest) => !manifest.valid).length
  const firstByVersion = new Map<string, CheckedManifest>()
  const outcomes: (Outcome | undefined)[] = []
  const jobs: Job[] = []

  for (const [index, manifest] of manifests.entries()) {
    if (!manifest.valid) {
      outcomes.push({ status: 'invalid', attempts: 0, http_status: null, message: manifest.message })
      continue
    }
    const key = versionKey(manifest)
    const first = firstByVersion.get(key)
    if (first) {
      outcomes.push(skipped(`duplicate of ${first.file}:${first.line}`))
    } else if (invalid > 0) {
      firstByVersion.set(key, manifest)
      outcomes.push(skipped(`not sent: ${invalid === 1 ? '1 manifest is invalid' : `${invalid} manifests are invalid`}`))
    } else if (options.dryRun) {
      firstByVersion.set(key, manifest)
      outcomes.push({ status: 'dry-run', attempts: 0, http_status: null, message: 'would be deleted' })
    } else {
      firstByVersion.set(key, manifest)
      outcomes.push(undefined)
      jobs.push({ index, body: JSON.stringify({ manifest: manifest.manifest }) })
    }
  }
  return { outcomes, jobs }
}

export function versionKey(identity: Identity): string {
  return JSON.stringify([identity.ml_repo, identity.name, identity.version, identity.version_alias])
}

function skipped(message: string): Outcome {
  return { status: 'skipped', attempts: 0, http_status: null, message }
}
