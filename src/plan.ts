import type { Identity, Location, Outcome } from './results.ts'
import { MANIFEST_KINDS, type ManifestKind } from './manifest-kinds.ts'

/** A manifest document after loading and validation. */
export type CheckedManifest = Location &
  Identity &
  (
    | {
        valid: true
        type: ManifestKind
        /** The exact request body, serialized once at validation. */
        body: string
      }
    | { valid: false; message: string }
  )

/** One delete request to send; `index` is the manifest's place in the checked list, `body` the bytes to POST to `path`. */
export interface Job {
  index: number
  /** Its kind's endpoint, below control-plane-url. */
  path: string
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
      jobs.push({ index, path: MANIFEST_KINDS[manifest.type].path, body: manifest.body })
    }
  }
  return { outcomes, jobs }
}

/**
 * Which version a manifest deletes: by its number when it has one, else by its
 * alias. `{version: 3}` and `{version: 3, version_alias: v3}` are one version
 * (the alias only names it again); an alias alone cannot be matched to a number.
 */
export function versionKey(manifest: Identity & { type: ManifestKind }): string {
  const version = manifest.version !== null ? { version: manifest.version } : { alias: manifest.version_alias }
  return JSON.stringify([manifest.type, manifest.ml_repo, manifest.name, version])
}

function skipped(message: string): Outcome {
  return { status: 'skipped', attempts: 0, http_status: null, message }
}
