// The versions one retention rule looks at: its ML repo resolved by exact
// name, then every version of its name and kind listed to the end, each told
// to the caller as its page arrives. A listing that cannot be trusted fails
// the rule, and nothing it told may then be acted on.
import type { Api } from '../deletion/discovery.ts'
import { readPages, type ListingClient, type ListingPolicy, type PagesEnd } from './pages.ts'
import { readVersionItem, type ListedVersion } from './version-items.ts'

export type { ListedVersion } from './version-items.ts'
export type { ListingClient, ListingPolicy } from './pages.ts'

/** The generation the listing and the deletes by id use: the one discoverListing found. */
export type Generation = Exclude<Api, 'auto'>

/** The kinds a rule may name. */
export type ListedKind = 'artifact-version' | 'model-version' | 'chat_prompt'

export interface RuleTarget {
  type: ListedKind
  ml_repo: string
  name: string
}

const KIND_WORDS: Record<ListedKind, { segment: string; noun: string }> = {
  'artifact-version': { segment: 'artifact-versions', noun: 'artifact' },
  'model-version': { segment: 'model-versions', noun: 'model' },
  chat_prompt: { segment: 'prompt-versions', noun: 'prompt' },
}

const API_ROOT: Record<Generation, string> = { 'ml-v1': 'api/ml/v1', 'svc-v1': 'api/svc/v1' }

/** The list of ML repos on a generation, below control-plane-url. */
export function mlReposPath(generation: Generation): string {
  return `${API_ROOT[generation]}/ml-repos`
}

/** The list of a kind's versions on a generation, below control-plane-url. */
export function versionsPath(generation: Generation, type: ListedKind): string {
  return `${API_ROOT[generation]}/${KIND_WORDS[type].segment}`
}

/** Where a version is deleted by its id (`DELETE`), below control-plane-url. */
export function versionPath(generation: Generation, type: ListedKind, id: string): string {
  return `${versionsPath(generation, type)}/${encodeURIComponent(id)}`
}

export type Listing =
  /** Every page read and checked: `count` versions of the rule's, `others` items of names the filter let through. */
  | { kind: 'listed'; repoId: string; count: number; others: number }
  /** `tokenRejected`: nothing more may be sent, for any rule. */
  | { kind: 'failed'; message: string; http_status: number | null; tokenRejected: boolean }
  | { kind: 'cancelled' }

/**
 * Lists the versions `rule` looks at on `generation`, telling `onVersion`
 * each as its page arrives. Messages name the rule's ML repo and name.
 */
export async function listRuleVersions(
  client: ListingClient,
  generation: Generation,
  rule: RuleTarget,
  onVersion: (version: ListedVersion) => void,
  policy: ListingPolicy,
): Promise<Listing> {
  const { noun } = KIND_WORDS[rule.type]
  const about = `listing the ${noun} versions of ${rule.name} in ML repo ${rule.ml_repo}`
  const fail = (message: string, http_status: number | null = null, tokenRejected = false): Listing => ({
    kind: 'failed',
    message,
    http_status,
    tokenRejected,
  })
  const unread = (end: Exclude<PagesEnd, { kind: 'read' }>, url: string): Listing =>
    end.kind === 'cancelled'
      ? end
      : fail(
          `${about} (${url}): ${end.kind === 'not-served' ? 'answered ' : ''}${end.message}`,
          end.http_status,
          end.kind === 'failed' && end.tokenRejected,
        )

  const reposPath = mlReposPath(generation)
  const repoIds: string[] = []
  const repos = await readPages(
    client,
    reposPath,
    { name: rule.ml_repo },
    (items, page) => {
      for (const [index, item] of items.entries()) {
        const { id, manifest } = (item ?? {}) as { id?: unknown; manifest?: { name?: unknown } | null }
        if (typeof id !== 'string' || id === '' || typeof manifest?.name !== 'string') {
          return `item ${index + 1} of page ${page} of the ML repos has no id or no manifest.name, so the action cannot tell which ML repo is named ${rule.ml_repo}`
        }
        if (manifest.name === rule.ml_repo) repoIds.push(id)
      }
      return null
    },
    policy,
  )
  if (repos.kind !== 'read') return unread(repos, client.endpointUrl(reposPath))
  if (repoIds.length === 0)
    return fail(`${about}: there is no ML repo named ${rule.ml_repo} (${repos.total} listed for that name, none named exactly so)`)
  if (repoIds.length > 1) {
    return fail(
      `${about}: ${repoIds.length} ML repos are named ${rule.ml_repo} (ids ${repoIds.slice(0, 5).join(', ')}${repoIds.length > 5 ? ', …' : ''}), so the action cannot tell which one the rule means`,
    )
  }
  const repoId = repoIds[0]!

  const path = versionsPath(generation, rule.type)
  let count = 0
  let others = 0
  const versions = await readPages(
    client,
    path,
    { ml_repo_id: repoId, name: rule.name },
    (items, page) => {
      for (const [index, item] of items.entries()) {
        const read = readVersionItem(item, { ml_repo: rule.ml_repo, name: rule.name, repoId })
        if (read.kind === 'bad') return `item ${index + 1} of page ${page} ${read.why}`
        if (read.kind === 'other') others++
        else {
          count++
          onVersion(read.version)
        }
      }
      return null
    },
    policy,
  )
  // The list answered for the ML repos, so a 404 of this one is the server's word that the name is unknown.
  if (versions.kind === 'not-served' && versions.http_status === 404) {
    return fail(
      `${about}: there is no ${noun} named ${rule.name} in ML repo ${rule.ml_repo} (${client.endpointUrl(path)} answered ${versions.message})`,
      404,
    )
  }
  if (versions.kind !== 'read') return unread(versions, client.endpointUrl(path))
  if (count === 0) {
    const listed = others > 0 ? `${others} versions of other names listed, none of ${rule.name}` : 'the listing is empty'
    return fail(`${about}: there is no ${noun} named ${rule.name} in ML repo ${rule.ml_repo} (${listed})`)
  }
  return { kind: 'listed', repoId, count, others }
}
