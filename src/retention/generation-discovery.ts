// Which generation of the API lists versions here. The docs show /api/ml/v1,
// the SDKs call /api/svc/v1, and no source says whether the first still
// answers; so with api auto the ML repos list of ml-v1 is asked first, and a
// 404 or 405 there means it is not served, and svc-v1 is asked. An explicit
// api asks only its own. The question asked is the first rule's ML repo, a
// GET that changes nothing.
import type { Api } from '../deletion/discovery.ts'
import { checkTheUrl } from '../deletion/endpoint-check.ts'
import { mlReposPath, type Generation } from './listing.ts'
import { fetchPage, type ListingClient, type ListingPolicy } from './pages.ts'

export type ListingDiscovery = { generation: Generation } | { refused: string } | { cancelled: true }

const NOTHING_DONE = 'nothing was listed or deleted'

export async function discoverListing(
  client: ListingClient,
  api: Api,
  firstRepoName: string,
  policy: ListingPolicy,
): Promise<ListingDiscovery> {
  const generations: Generation[] = api === 'auto' ? ['ml-v1', 'svc-v1'] : [api]
  const unserved: { url: string; path: string; answer: string }[] = []
  for (const generation of generations) {
    const path = mlReposPath(generation)
    const url = client.endpointUrl(path)
    const outcome = await fetchPage(client, path, new URLSearchParams({ name: firstRepoName, limit: '1', offset: '0' }), policy)
    if (outcome.kind === 'page') return { generation }
    if (outcome.kind === 'cancelled') return { cancelled: true }
    if (outcome.kind !== 'not-served') {
      return { refused: `${url} (asked for the ML repo ${firstRepoName}): ${outcome.message}; ${NOTHING_DONE}` }
    }
    unserved.push({ url, path, answer: outcome.message })
  }
  const [first, second] = unserved as [(typeof unserved)[0], (typeof unserved)[0] | undefined]
  if (second) {
    return {
      refused:
        `Neither ${first.url} nor ${second.url} lists ML repos (the first answered ${first.answer}, the second ${second.answer}); ${NOTHING_DONE}. ` +
        `${checkTheUrl(first)}. The api setting is auto, which asks both generations (ml-v1 or svc-v1 asks only one)`,
    }
  }
  return {
    refused:
      `${first.url} does not list ML repos (it answered ${first.answer}); ${NOTHING_DONE}. ` +
      `${checkTheUrl(first)}. The api setting is ${api}, which asks only this generation (auto asks both)`,
  }
}
