// The stand-in control plane's listing side: `GET …/ml-repos`, `GET
// …/{artifact,model,prompt}-versions` page by page (offset, limit, total) and
// `DELETE …/{kind}-versions/{id}`, on the generations the stand-in serves, with
// item shapes from the list-versions reference. Hooks make it lie the ways a
// listing can: a wrong or changing total, an empty page early, pages that never
// end, a version created or deleted between two requests.
import type http from 'node:http'
import { setTimeout as delay } from 'node:timers/promises'
import type { ApiGeneration } from '../src/manifests/kinds.ts'

export type ListedKind = 'artifact-version' | 'model-version' | 'chat_prompt'

const KIND_ROUTES: Record<ListedKind, { segment: string; fqnPrefix: string; parent: string; label: string }> = {
  'artifact-version': { segment: 'artifact-versions', fqnPrefix: 'artifact', parent: 'artifact_id', label: 'Artifact version' },
  'model-version': { segment: 'model-versions', fqnPrefix: 'model', parent: 'model_id', label: 'Model version' },
  chat_prompt: { segment: 'prompt-versions', fqnPrefix: 'chat_prompt', parent: 'prompt_id', label: 'Prompt version' },
}

/** One version to serve; what is left out is left out of the item too. */
export interface VersionSeed {
  version: number
  id?: string
  created_at?: string | null
  alias?: string | null
  /** false: an item without a manifest (so without an alias), as the reference allows. */
  manifest?: boolean
}

export interface VersionSet {
  type?: ListedKind
  ml_repo: string
  name: string
  versions: VersionSeed[]
}

/** What the stand-in keeps of a version it lists: the item as served. */
export type StoredItem = Record<string, unknown> & { id: string }

/** One request for a page of versions, as a hook sees it; `page` counts this set's pages from 1. */
export interface PageRequest {
  type: ListedKind
  ml_repo: string
  name: string
  offset: number
  limit: number
  page: number
}

export interface PageAnswer {
  data: unknown[]
  total: number
}

export interface ListingOptions {
  /** The versions each (kind, ML repo, name) has. Their ML repos exist; `repos` adds more (and may name one twice). */
  versions?: VersionSet[]
  repos?: { name: string; id?: string }[]
  /** How `name` filters the ML repos: the real filter may not be exact, so by default a substring. */
  repoNameMatch?: 'exact' | 'substring'
  /** The most items a page holds whatever `limit` asks for. */
  maxPageSize?: number
  /** Delay before each page of versions is answered. */
  pageDelayMs?: number
  /** Delay before each DELETE by id is answered. */
  deleteDelayMs?: number
  /** Before a page of versions is answered: may change the versions (create or delete one between requests). */
  beforePage?: (request: PageRequest, listing: ListingStore) => void
  /** The page as it will be answered, to be rewritten into a lie. */
  lie?: (request: PageRequest, answer: PageAnswer) => PageAnswer
}

export interface ListingStore {
  /** The items of each set, keyed `type:ml_repo/name`, in the order they are listed. */
  sets: Map<string, StoredItem[]>
  repos: { name: string; id: string }[]
  /** Adds a version to a set (its repo must exist): a version created while the action runs. */
  add(set: Omit<VersionSet, 'versions'>, seed: VersionSeed): StoredItem
  /** Removes a version by id, wherever it is; whether it was there. */
  remove(id: string): boolean
  /** The ids left in a set. */
  ids(set: Omit<VersionSet, 'versions'>): string[]
}

const setKey = (set: Omit<VersionSet, 'versions'>) => `${set.type ?? 'artifact-version'}:${set.ml_repo}/${set.name}`
const SUBJECT = { subjectId: 'user-1', subjectType: 'user', subjectSlug: 'ci@example.com', subjectDisplayName: 'CI' }

export function createListingStore(options: ListingOptions): ListingStore {
  const repos = (options.repos ?? []).map((repo, i) => ({ name: repo.name, id: repo.id ?? `repo-extra-${i}` }))
  const sets = new Map<string, StoredItem[]>()
  let made = 0
  const repoOf = (name: string) => {
    let repo = repos.find((candidate) => candidate.name === name)
    if (!repo) repos.push((repo = { name, id: `repo-${repos.length + 1}` }))
    return repo
  }
  const store: ListingStore = {
    sets,
    repos,
    add(set, seed) {
      const type = set.type ?? 'artifact-version'
      const route = KIND_ROUTES[type]
      const repo = repoOf(set.ml_repo)
      const item: StoredItem = {
        id: seed.id ?? `${route.fqnPrefix}-version-${++made}`,
        fqn: `${route.fqnPrefix}:tenant/${set.ml_repo}/${set.name}:${seed.version}`,
        created_by_subject: SUBJECT,
        ml_repo_id: repo.id,
        [route.parent]: `${route.fqnPrefix}-${set.ml_repo}-${set.name}`,
        tags: [],
      }
      if (seed.created_at !== undefined && seed.created_at !== null) item.created_at = seed.created_at
      if (seed.manifest !== false) {
        item.manifest = {
          type,
          name: set.name,
          ml_repo: set.ml_repo,
          version: seed.version,
          metadata: {},
          ...(seed.alias ? { version_alias: seed.alias } : {}),
        }
      }
      const items = sets.get(setKey(set)) ?? []
      sets.set(setKey(set), items)
      items.push(item)
      return item
    },
    remove(id) {
      for (const items of sets.values()) {
        const at = items.findIndex((item) => item.id === id)
        if (at >= 0) return items.splice(at, 1).length === 1
      }
      return false
    },
    ids: (set) => (sets.get(setKey(set)) ?? []).map((item) => item.id),
  }
  for (const set of options.versions ?? []) {
    repoOf(set.ml_repo)
    sets.set(setKey(set), sets.get(setKey(set)) ?? [])
    for (const seed of set.versions) store.add(set, seed)
  }
  return store
}

const PREFIXES: Record<ApiGeneration, string> = { 'ml-v1': '/api/ml/v1/', 'svc-v1': '/api/svc/v1/' }

/**
 * Answers a listing request or a DELETE by id on the generations served;
 * false for any other request (the caller answers it). A request without the
 * token is answered 401.
 */
export async function answerListing(
  { method, target, authorized }: { method: string; target: URL; authorized: boolean },
  served: readonly ApiGeneration[],
  store: ListingStore,
  options: ListingOptions,
  pages: Map<string, number>,
  res: http.ServerResponse,
): Promise<boolean> {
  const generation = served.find((candidate) => target.pathname.startsWith(PREFIXES[candidate]))
  if (!generation) return false
  const rest = target.pathname.slice(PREFIXES[generation].length).split('/')
  const send = (status: number, payload: unknown) => {
    if (res.destroyed) return
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(payload))
  }
  if (!authorized) {
    send(401, { detail: 'Invalid API key' })
    return true
  }
  const query = target.searchParams
  const offset = Number(query.get('offset') ?? 0)
  const limit = Math.min(Number(query.get('limit') ?? 100), options.maxPageSize ?? Infinity)
  const page = (items: unknown[]) => items.slice(offset, offset + limit)
  if (method === 'GET' && rest.length === 1 && rest[0] === 'ml-repos') {
    const name = query.get('name')
    const exact = options.repoNameMatch === 'exact'
    const matching = store.repos.filter((repo) => name === null || (exact ? repo.name === name : repo.name.includes(name)))
    const items = matching.map((repo) => ({
      id: repo.id,
      tenant_name: 'tenant',
      manifest: { type: 'ml-repo', name: repo.name, storage_integration_fqn: 'truefoundry:default' },
      created_by_subject: SUBJECT,
      created_at: '2026-01-01T00:00:00.000Z',
    }))
    send(200, { data: page(items), pagination: { total: items.length, offset, limit } })
    return true
  }
  const type = (Object.keys(KIND_ROUTES) as ListedKind[]).find((kind) => KIND_ROUTES[kind].segment === rest[0])
  if (!type) return false
  if (method === 'GET' && rest.length === 1) {
    const repo = store.repos.find((candidate) => candidate.id === query.get('ml_repo_id'))
    const name = query.get('name') ?? ''
    const set = { type, ml_repo: repo?.name ?? '', name }
    const key = setKey(set)
    const request: PageRequest = { ...set, offset, limit, page: (pages.get(key) ?? 0) + 1 }
    pages.set(key, request.page)
    options.beforePage?.(request, store)
    if (options.pageDelayMs) await delay(options.pageDelayMs)
    const items = repo ? (store.sets.get(key) ?? []) : []
    const answer = options.lie?.(request, { data: page(items), total: items.length }) ?? { data: page(items), total: items.length }
    send(200, { data: answer.data, pagination: { total: answer.total, offset, limit } })
    return true
  }
  if (method === 'DELETE' && rest.length === 2) {
    if (options.deleteDelayMs) await delay(options.deleteDelayMs)
    const id = decodeURIComponent(rest[1]!)
    if (store.remove(id)) send(200, {})
    else {
      const message = `${KIND_ROUTES[type].label} ${id} not found`
      send(404, generation === 'svc-v1' ? { statusCode: 404, message } : { detail: message })
    }
    return true
  }
  return false
}
