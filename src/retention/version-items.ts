// One item of a list of versions, read as far as a retention rule needs it:
// whose it is, its id, version number, alias and creation date. Whether the
// `name` filter of the lists is exact is unknown, so an item that names
// another artifact is left aside, never taken for the rule's.

/** A version as the listing read it: what the selection judges. */
export interface ListedVersion {
  id: string
  fqn: string
  /** From the item's manifest, else the `:N` at the end of its fqn; null when neither reads as one. */
  version: number | null
  /** The manifest's version_alias; null without one. */
  alias: string | null
  hasManifest: boolean
  /** As the server wrote it; the selection parses it. */
  created_at: string | null
}

export interface VersionOwner {
  ml_repo: string
  name: string
  /** The id the ML repo resolved to, which the listing filtered by. */
  repoId: string
}

export type ReadItem = { kind: 'version'; version: ListedVersion } | { kind: 'other' } | { kind: 'bad'; why: string }

/** Longer than any id a control plane gives (a UUID is 36): past it, the answer is not one to act on. */
const MAX_ID_CHARS = 256

/** `{type}:{tenant}/{ml_repo}/{name}:{version}`, as the reference describes an fqn. */
const FQN = /^[^:/]+:[^/]+\/([^/]+)\/([^/:]+)(?::([^/:]*))?$/

export function readVersionItem(item: unknown, owner: VersionOwner): ReadItem {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return { kind: 'bad', why: 'is not an object' }
  const { id, fqn, ml_repo_id, manifest, created_at } = item as Record<string, unknown>
  if (typeof id !== 'string' || id === '') return { kind: 'bad', why: 'has no id' }
  // The id becomes the last segment of the DELETE's path: a dot segment would name another path, and no id is that long.
  if (id === '.' || id === '..') return { kind: 'bad', why: `has the id ${JSON.stringify(id)}, which as a path segment names another path` }
  if (id.length > MAX_ID_CHARS)
    return { kind: 'bad', why: `has an id of ${id.length} characters, more than the ${MAX_ID_CHARS} an id may have` }
  if (typeof fqn !== 'string') return { kind: 'bad', why: `(id ${id}) has no fqn` }
  if (ml_repo_id !== undefined && typeof ml_repo_id !== 'string')
    return { kind: 'bad', why: `(id ${id}) has an ml_repo_id that is not a string` }
  if (manifest !== undefined && manifest !== null && (typeof manifest !== 'object' || Array.isArray(manifest))) {
    return { kind: 'bad', why: `(id ${id}) has a manifest that is not an object` }
  }
  const fields = (manifest ?? {}) as Record<string, unknown>
  const parts = FQN.exec(fqn)
  const names = [typeof fields.name === 'string' ? fields.name : null, parts?.[2] ?? null].filter((name) => name !== null)
  if (names.length === 0) return { kind: 'bad', why: `(id ${id}) names nothing: no manifest.name, and its fqn ${fqn} does not read as one` }
  if (names.length === 2 && names[0] !== names[1]) {
    return { kind: 'bad', why: `(id ${id}) names ${names[0]} in its manifest but ${names[1]} in its fqn` }
  }
  const ofAnotherRepo = (ml_repo_id !== undefined && ml_repo_id !== owner.repoId) || (parts !== null && parts[1] !== owner.ml_repo)
  if (names[0] !== owner.name || ofAnotherRepo) return { kind: 'other' }
  return {
    kind: 'version',
    version: {
      id,
      fqn,
      version: versionNumber(fields.version, parts?.[3]),
      alias: typeof fields.version_alias === 'string' ? fields.version_alias : null,
      hasManifest: manifest !== undefined && manifest !== null,
      created_at: typeof created_at === 'string' ? created_at : null,
    },
  }
}

/** The manifest's version, else the fqn's; two that disagree are no number the action can trust. */
function versionNumber(fromManifest: unknown, fromFqn: string | undefined): number | null {
  const manifest = isVersion(fromManifest) ? fromManifest : null
  const fqn = fromFqn !== undefined && /^[1-9]\d{0,15}$/.test(fromFqn) && isVersion(Number(fromFqn)) ? Number(fromFqn) : null
  if (manifest !== null && fqn !== null && manifest !== fqn) return null
  return manifest ?? fqn
}

function isVersion(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1
}
