import type { Identity, Location, Outcome } from './result.ts'
import type { SentVersions } from './sent-versions.ts'
import type { ApiGeneration, ManifestKind } from '../manifests/kinds.ts'

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

/**
 * A delete request: by manifest, `body`, the bytes to POST to the endpoint
 * that deletes its kind (`type`), which the deletion stage finds; or by id, a
 * `DELETE` of `path` (below control-plane-url), the version a retention rule
 * listed on the API generation that listed it.
 */
export type DeleteRequest = { type: ManifestKind; body: string } | { type: ManifestKind; byId: { path: string; generation: ApiGeneration } }

/** A delete request to send, and `index`, its row in the ledger: the manifest's place among all the run checked. */
export type Job = DeleteRequest & { index: number }

/**
 * What is decided for one row (a manifest, or a version a rule selected): its
 * outcome now, or the request whose answer decides it. `why`, when given, is
 * said before the answer in the row's message (a rule's reason to delete).
 */
export type Decision = { row: Location & Identity } & ({ outcome: Outcome } | { send: DeleteRequest; why?: string })

/** What is sent for one target, a decision per row in the order checked. */
export interface Plan {
  /** The swept pull request the manifests are of; null outside a sweep. */
  pullRequest: number | null
  /** The retention rule the rows are of, as `file:line`; null outside retention. */
  rule?: string | null
  decisions: Decision[]
}

/**
 * Decides what is sent for one target. Nothing at all when any manifest is
 * invalid: a cleanup that half-runs on a broken change set is harder to reason
 * about than one that refuses. Each version is sent once in a run, however
 * many manifests or pull requests name it: `sent` holds the versions the run's
 * targets before sent (or, in a dry run, would have), and takes this one's.
 */
export function plan(
  manifests: CheckedManifest[],
  options: { dryRun: boolean },
  sent: SentVersions,
  pullRequest: number | null = null,
): Plan {
  const invalid = manifests.filter((manifest) => !manifest.valid).length
  const firstByVersion = new Map<string, CheckedManifest>()

  const decide = (manifest: CheckedManifest): Outcome | DeleteRequest => {
    if (!manifest.valid) return { status: 'invalid', attempts: 0, http_status: null, message: manifest.message }
    const key = identityKey(manifest)
    const first = firstByVersion.get(key)
    if (first) return skipped(`duplicate of ${first.file}:${first.line}`)
    firstByVersion.set(key, manifest)
    const before = sent.first(key)
    if (before) {
      const of = before.pullRequest === null ? '' : ` of pull request #${before.pullRequest}`
      return skipped(`duplicate of ${before.location}${of}, ${options.dryRun ? 'which would delete it' : 'sent then'}`)
    }
    if (invalid > 0) return skipped(`not sent: ${invalid === 1 ? '1 manifest is invalid' : `${invalid} manifests are invalid`}`)
    sent.add(key, pullRequest, `${manifest.file}:${manifest.line}`)
    if (options.dryRun) return { status: 'dry-run', attempts: 0, http_status: null, message: 'would be deleted' }
    return { type: manifest.type, body: manifest.body }
  }

  return {
    pullRequest,
    decisions: manifests.map((manifest) => {
      const decision = decide(manifest)
      return 'status' in decision ? { row: manifest, outcome: decision } : { row: manifest, send: decision }
    }),
  }
}

/**
 * Which version a manifest deletes: by its number when it has one, else by its
 * alias. `{version: 3}` and `{version: 3, version_alias: v3}` are one version
 * (the alias only names it again); an alias alone cannot be matched to a number.
 * A data directory's row has neither, so it is its ML repo and name.
 */
function identityKey(manifest: Identity & { type: ManifestKind }): string {
  const version = manifest.version !== null ? { version: manifest.version } : { alias: manifest.version_alias }
  return JSON.stringify([manifest.type, manifest.ml_repo, manifest.name, version])
}

function skipped(message: string): Outcome {
  return { status: 'skipped', attempts: 0, http_status: null, message }
}
