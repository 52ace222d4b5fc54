import { DEFAULT_KIND, fieldsOnlyIn, isManifestKind, isOtherKind, KIND_NAMES, MANIFEST_KINDS, type ManifestKind } from './kinds.ts'
import { formatPath, type Problem } from './problems.ts'
import { closestField } from './unknown-fields.ts'
import { isPlainObject, listWords, quote } from './words.ts'

/**
 * Which kind a manifest is: the one its `type` names; without `type`, the
 * default, unless it has fields only another kind has. `otherResource`: its
 * `type` is a resource the action never deletes, which is all there is to say
 * about it (its fields are that resource's, not unknown ones).
 */
type KindClaim = { kind: ManifestKind; problem: null } | { kind: null; problem: Problem; otherResource: boolean }

const ML_REPO = 'ml-repo'

export function claimKind(manifest: Record<string, unknown>): KindClaim {
  const type = manifest.type
  if (isManifestKind(type)) return { kind: type, problem: null }
  if (type === ML_REPO) {
    const message = `is "${ML_REPO}": deleting an ML repo deletes everything in it (every artifact, model and prompt with all their versions, and every data directory), and this action does not delete ML repos; it deletes the versions and data directories its manifests name`
    return { kind: null, problem: { path: ['type'], message }, otherResource: true }
  }
  if (isOtherKind(type)) {
    const message = `is "${type}", which this action does not delete: it deletes versions and data directories only (${listWords(KIND_NAMES, 'and')}); \`tfy delete -f\` deletes deployments and the other resources of TrueFoundry`
    return { kind: null, problem: { path: ['type'], message }, otherResource: true }
  }
  if (type !== undefined) {
    const close = typeof type === 'string' ? closestField(type, KIND_NAMES) : null
    const hint = close ? `; did you mean "${close}"?` : ''
    const message = `must be ${listWords(KIND_NAMES)}, got ${quote(type)}${hint}`
    return { kind: null, problem: { path: ['type'], message }, otherResource: false }
  }
  for (const kind of KIND_NAMES) {
    if (kind === DEFAULT_KIND) continue
    const found = fieldsOnlyIn(kind).filter((path) => hasPath(manifest, path))
    if (found.length === 0) continue
    const fields = listWords(found.map(formatPath), 'and')
    const label = MANIFEST_KINDS[kind].label
    return {
      kind: null,
      otherResource: false,
      problem: {
        path: [...found[0]!],
        message: `has no "type" but has ${fields}, ${found.length === 1 ? 'a field' : 'fields'} of a ${label} only: add "type: ${kind}" to delete a ${label} (without "type", a manifest is an ${MANIFEST_KINDS[DEFAULT_KIND].label})`,
      },
    }
  }
  return { kind: DEFAULT_KIND, problem: null }
}

/** The kind a document claims, for a row of a document judged by its loader alone. */
export function claimedKind(value: unknown): ManifestKind | null {
  return isPlainObject(value) ? claimKind(value).kind : null
}

function hasPath(value: Record<string, unknown>, path: readonly string[]): boolean {
  let node: unknown = value
  for (const part of path) {
    if (!isPlainObject(node) || !Object.hasOwn(node, part)) return false
    node = node[part]
  }
  return true
}
