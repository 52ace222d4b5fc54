// Which endpoint deletes each kind on this control plane. TrueFoundry's SDKs
// and CLI moved to the generic /api/svc/v1/delete and nothing says whether a
// control plane still serves the per-kind endpoints the docs show, so with
// api auto the per-kind one is asked first (what the action always sent), then
// the generic one; an explicit api asks only its own.
import { MANIFEST_KINDS, type ApiGeneration, type KindEndpoints, type ManifestKind } from '../manifests/kinds.ts'
import { neitherServed, type EndpointCheck, type Unserved } from './endpoint-check.ts'

/** The `api` input: which generation's endpoints to use, or `auto` to ask. */
export type Api = 'auto' | ApiGeneration

/** An endpoint that may delete a kind: its path below control-plane-url, and its generation. */
export interface Candidate {
  path: string
  generation: ApiGeneration
}

/** Where a kind's deletes go, once found; `unserved`, the endpoints asked before it that are not served. */
export type Route =
  | { kind: 'routed'; type: ManifestKind; path: string; generation: ApiGeneration; unserved: string[] }
  | { kind: 'cancelled' }
  | { kind: 'refused'; message: string }

/** The endpoints to ask for a kind (`endpoints`, its row's), in order; or why there is none, for a kind the pinned generation does not delete. */
export function candidatesFor(type: string, endpoints: KindEndpoints, api: Api): Candidate[] | { refused: string } {
  const generations: ApiGeneration[] = api === 'auto' ? ['ml-v1', 'svc-v1'] : [api]
  const candidates = generations.flatMap((generation) => {
    const path = endpoints[generation]
    return path === null ? [] : [{ path, generation }]
  })
  if (candidates.length > 0) return candidates
  return {
    refused: `The api setting is ${api}, whose per-kind endpoints do not delete ${type} manifests: only the generic ${endpoints['svc-v1']} does, which api svc-v1 or auto uses; nothing was deleted`,
  }
}

export interface Discovery {
  /** The route of each of `types`: each kind's found once, one kind after another, each endpoint checked once whichever kinds ask it. */
  route(types: readonly ManifestKind[]): Promise<Route[]>
}

/**
 * Finds the endpoints as deletes first need them. `check` asks one endpoint
 * with the request that deletes nothing (checkEndpoint); `urlOf` gives an
 * endpoint's URL for messages. A kind the pinned generation does not delete
 * is refused before anything is asked.
 */
export function openDiscovery(
  api: Api,
  check: (candidate: Candidate) => Promise<EndpointCheck>,
  urlOf: (path: string) => string,
): Discovery {
  const checks = new Map<string, Promise<EndpointCheck>>()
  const routes = new Map<ManifestKind, Promise<Route>>()
  let previous: Promise<Route | null> = Promise.resolve(null)

  async function find(type: ManifestKind, candidates: Candidate[]): Promise<Route> {
    const unserved: Unserved[] = []
    for (const candidate of candidates) {
      let checked = checks.get(candidate.path)
      if (!checked) checks.set(candidate.path, (checked = check(candidate)))
      const answer = await checked
      if (answer.kind === 'served') {
        return {
          kind: 'routed',
          type,
          path: candidate.path,
          generation: candidate.generation,
          unserved: unserved.map((endpoint) => endpoint.url),
        }
      }
      if (answer.kind !== 'not-served') return answer
      unserved.push({ url: urlOf(candidate.path), path: candidate.path, answer: answer.answer })
      if (candidates.length === 1) {
        // With auto, one candidate means the kind has no per-kind endpoint: the URL may well be right, the kind needs the generic one.
        const why =
          api === 'auto'
            ? `. The api setting is auto, but ${type} manifests have no per-kind endpoint: only the generic one deletes them`
            : `. The api setting is ${api}, which asks only this endpoint (auto asks both generations)`
        return { kind: 'refused', message: `${answer.message}${why}` }
      }
    }
    return { kind: 'refused', message: neitherServed(unserved as [Unserved, Unserved]) }
  }

  return {
    route(types) {
      const fresh = [...new Set(types)].filter((type) => !routes.has(type))
      const planned = fresh.map((type) => ({ type, candidates: candidatesFor(type, MANIFEST_KINDS[type].endpoints, api) }))
      for (const { candidates } of planned) {
        if ('refused' in candidates) return Promise.resolve([{ kind: 'refused', message: candidates.refused }])
      }
      for (const { type, candidates } of planned as { type: ManifestKind; candidates: Candidate[] }[]) {
        // One kind after another: a refusal of the first spares the others a request.
        const route = previous.then((before) => (before === null || before.kind === 'routed' ? find(type, candidates) : before))
        routes.set(type, route)
        previous = route
      }
      return Promise.all(types.map((type) => routes.get(type)!))
    },
  }
}
