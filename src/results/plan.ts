import { hash } from 'node:crypto'
import type { Identity, Location, Outcome } from './result.ts'
import { MANIFEST_KINDS, type ManifestKind } from '../manifests/kinds.ts'

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
  const outcomes: (Outcome | undefined)[] = []
  const jobs: Job[] = []

  for (const [index, manifest] of manifests.entries()) {
    if (!manifest.valid) {
      outcomes.push({ status: 'invalid', attempts: 0, http_status: null, message: manifest.message })
      continue
    }
    const key = versionKey(manifest)
    const first = firstByVersion.get(key)
    const before = first ? null : sent.first(key)
    if (first) {
      outcomes.push(skipped(`duplicate of ${first.file}:${first.line}`))
      continue
    }
    firstByVersion.set(key, manifest)
    if (before) {
      outcomes.push(
        skipped(
          `duplicate of ${before.location}${before.pullRequest === null ? '' : ` of pull request #${before.pullRequest}`}, ${options.dryRun ? 'which would delete it' : 'sent then'}`,
        ),
      )
    } else if (invalid > 0) {
      outcomes.push(skipped(`not sent: ${invalid === 1 ? '1 manifest is invalid' : `${invalid} manifests are invalid`}`))
    } else if (options.dryRun) {
      sent.add(key, pullRequest, `${manifest.file}:${manifest.line}`)
      outcomes.push({ status: 'dry-run', attempts: 0, http_status: null, message: 'would be deleted' })
    } else {
      sent.add(key, pullRequest, `${manifest.file}:${manifest.line}`)
      outcomes.push(undefined)
      jobs.push({ index, path: MANIFEST_KINDS[manifest.type].path, body: manifest.body })
    }
  }
  return { outcomes, jobs }
}

/**
 * The versions a run has sent, each with the pull request and the manifest
 * that named it first. A sweep of thousands of pull requests holds one entry
 * per version, so an entry is 20 bytes of typed arrays: a 64-bit fingerprint
 * of its key (SHA-1's first bytes; the chance of any false match among a
 * million versions is about 3 in 10^8), not the key itself.
 */
export class SentVersions {
  private size = 0
  private high = new Uint32Array(1024)
  private low = new Uint32Array(1024)
  private pullRequests = new Float64Array(1024)
  private where = new Uint32Array(1024)
  /** Manifest locations (`file:line`), each once: a run has few, and many versions share each. */
  private readonly locations: string[] = []
  private readonly locationIndex = new Map<string, number>()

  add(key: string, pullRequest: number | null, location: string): void {
    if ((this.size + 1) * 4 > this.high.length * 3) this.grow()
    const [high, low] = fingerprint(key)
    const slot = this.find(high, low)
    if (this.high[slot] !== 0) return
    let where = this.locationIndex.get(location)
    if (where === undefined) {
      where = this.locations.push(location) - 1
      this.locationIndex.set(location, where)
    }
    this.high[slot] = high
    this.low[slot] = low
    this.pullRequests[slot] = pullRequest ?? Number.NaN
    this.where[slot] = where
    this.size++
  }

  first(key: string): { pullRequest: number | null; location: string } | null {
    const [high, low] = fingerprint(key)
    const slot = this.find(high, low)
    if (this.high[slot] === 0) return null
    const pullRequest = this.pullRequests[slot]!
    return { pullRequest: Number.isNaN(pullRequest) ? null : pullRequest, location: this.locations[this.where[slot]!]! }
  }

  /** The slot that holds this fingerprint, or the empty one where it would go (open addressing, linear probing). */
  private find(high: number, low: number): number {
    const mask = this.high.length - 1
    for (let slot = low & mask; ; slot = (slot + 1) & mask) {
      if (this.high[slot] === 0 || (this.high[slot] === high && this.low[slot] === low)) return slot
    }
  }

  private grow(): void {
    const [high, low, pullRequests, where] = [this.high, this.low, this.pullRequests, this.where]
    const capacity = high.length * 2
    this.high = new Uint32Array(capacity)
    this.low = new Uint32Array(capacity)
    this.pullRequests = new Float64Array(capacity)
    this.where = new Uint32Array(capacity)
    for (let old = 0; old < high.length; old++) {
      if (high[old] === 0) continue
      const slot = this.find(high[old]!, low[old]!)
      this.high[slot] = high[old]!
      this.low[slot] = low[old]!
      this.pullRequests[slot] = pullRequests[old]!
      this.where[slot] = where[old]!
    }
  }
}

/** Two 32-bit words of the key's SHA-1; the first is never 0, which marks an empty slot. */
function fingerprint(key: string): [number, number] {
  const digest = hash('sha1', key, 'buffer')
  return [digest.readUInt32BE(0) || 1, digest.readUInt32BE(4)]
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
