import { describe, expect, test } from 'vitest'
import { linkTargets } from '../../../src/targets/link-header.ts'
import { github } from '../../../fakes/stand-in-github.ts'
import { closedWithin, list, standIn } from './listing.ts'

describe('Link headers, as RFC 8288 writes them', () => {
  test.each([
    ['rel="next"', (url: string) => `<${url}>; rel="next"`],
    ['rel=next, unquoted', (url: string) => `<${url}>; rel=next`],
    ['rel="next last", two relation types', (url: string) => `<${url}>; rel="next last"`],
    ['REL=NEXT, in capitals', (url: string) => `<${url}>;REL=NEXT`],
    [
      'params in another order, spaces around',
      (url: string) => `<https://x.invalid/p>; rel="prev", < ${url} > ;  title="page, next" ;rel = "next" `,
    ],
    ['a second rel ignored', (url: string) => `<${url}>; rel="next"; rel="prev"`],
    ['a query alone, relative to the page', (url: string) => `<${new URL(url).search}>; rel="next"`],
    ['a path relative to the page', (url: string) => `<pulls${new URL(url).search}>; rel="next"`],
    ['a path from the root', (url: string) => `<${new URL(url).pathname}${new URL(url).search}>; rel="next"`],
  ])('%s: every page is listed', async (_name, link) => {
    const pullRequests = closedWithin(250, 5)
    let origin = ''
    const stand = await standIn(pullRequests, {
      answers: (index) =>
        index < 3
          ? (request, response) => {
              const page = index + 1
              const next = `${origin}/repos/octo-org/previews/pulls?state=closed&sort=updated&direction=desc&per_page=100&page=${page + 1}`
              void github.answer(200, pullRequests.slice(index * 100, page * 100), page < 3 ? { link: link(next) } : {})(request, response)
            }
          : undefined,
    })
    origin = stand.origin
    const listing = await list(stand)
    expect(listing.failure).toBeNull()
    expect(listing.pullRequests).toHaveLength(250)
    // A relative target is resolved against the page it came with, as RFC 3986 says, not against GITHUB_API_URL.
    expect(new Set(stand.requests.map((request) => request.path.split('?')[0]))).toEqual(new Set(['/repos/octo-org/previews/pulls']))
  })

  test('linkTargets reads each link of a header by its relation types', () => {
    const header = '<https://a.test/1>; rel="prev first", <https://a.test/,2>; rel="next", <https://a.test/3>; rel=last; title="a, \\"b\\""'
    expect(linkTargets(header, 'next')).toEqual(['https://a.test/,2'])
    expect(linkTargets(header, 'first')).toEqual(['https://a.test/1'])
    expect(linkTargets(header, 'LAST')).toEqual(['https://a.test/3'])
    expect(linkTargets('', 'next')).toEqual([])
    expect(linkTargets('<https://a.test/1>; rel="nextish"', 'next')).toEqual([])
    expect(linkTargets('<broken', 'next')).toEqual([])
  })
})
