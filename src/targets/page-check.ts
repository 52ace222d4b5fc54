// A page as Octokit's iterator may follow it: a list of pull requests, and a
// next link only if it stays under GITHUB_API_URL.
import type { Redact } from '../text/redact.ts'
import { shownUrl } from '../text/user-info.ts'
import { bodyExcerpt } from './github-answers.ts'
import { underApiRoot } from './github-fetch.ts'
import { linkTargets, resolveTarget } from './link-header.ts'
import { GitHubListingError, Stop } from './listing-error.ts'
import type { ListingWords } from './listing-words.ts'
import { isPullRequestItem } from './pull-request-items.ts'

/** What Octokit resolves a request with, as far as the page check reads it. */
export interface OctokitResponse {
  status: number
  /** Where the page came from, redirects followed; empty if unknown. */
  url: string
  headers: { link?: string }
  data: unknown
}

/** The page, its Link header reduced to the one next link the iterator reads; a Stop for a page the listing refuses. */
export function checkedPage<Response extends OctokitResponse>(response: Response, api: URL, words: ListingWords, redact: Redact): Response {
  const { data } = response
  if (!Array.isArray(data) || !data.every(isPullRequestItem)) {
    throw new Stop(new GitHubListingError(words.notAList(bodyExcerpt(data, redact))))
  }
  const target = linkTargets(response.headers.link ?? '', 'next')[0]
  delete response.headers.link
  if (target === undefined) return response
  // A relative target is relative to the page it came with (RFC 8288, 3.2), not to GITHUB_API_URL.
  const url = resolveTarget(target, resolveTarget(response.url, api) ?? api)
  if (url === null || !underApiRoot(url, api)) {
    throw new Stop(new GitHubListingError(words.nextOutside(url === null ? 'an unreadable URL' : shownUrl(url))))
  }
  response.headers.link = `<${url.href}>; rel="next"`
  return response
}
