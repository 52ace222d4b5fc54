import { describe, expect, it } from 'vitest'
import { renderSummary, SUMMARY_BUDGET_BYTES, type SummaryHead } from '../../../src/report/summary.ts'
import type { RunContext } from '../../../src/runner/run-context.ts'
import type { Result } from '../../../src/results/result.ts'
import { result, stored } from '../../support/sample-rows.ts'

/** The summary of a run whose source of targets says nothing of its own, unless `head` gives its words. */
const summaryOf = (results: Result[], where: RunContext, head: Partial<SummaryHead> & { dryRun: boolean }) =>
  [...renderSummary(stored(results), where, { scope: null, nothingFound: null, endpoints: [], rules: null, ...head })].join('')

const context = {
  repository: 'acme/models',
  pullRequest: 42,
  runUrl: 'https://github.com/acme/models/actions/runs/1',
  serverUrl: 'https://github.com',
}

/** The Name cell of each row of the summary table, top to bottom. */
function summaryNames(html: string): string[] {
  return [...html.matchAll(/<tr><td>[^<]*<\/td><td>[^<]*<\/td><td>[^<]*<\/td><td>([^<]*)<\/td>/g)].map((match) => match[1]!)
}

describe('renderSummary', () => {
  it('leads with the totals and where the run was, and lists the rows worst first', () => {
    const html = summaryOf([result('deleted', 'ok'), result('failed', 'broken'), result('skipped', 'held')], context, { dryRun: false })
    expect(html).toContain('<h2>TrueFoundry cleanup</h2>')
    expect(html).toContain('<p>pull request #42 in acme/models · <a href="https://github.com/acme/models/actions/runs/1">run log</a></p>')
    expect(html).toContain('<strong>1 deleted, 0 not found, 1 failed, 0 invalid, 1 skipped</strong> of 3 manifests')
    expect(summaryNames(html)).toEqual(['broken', 'held', 'ok'])
  })

  it('says once, under the totals, which endpoint each kind was sent to; nothing of it when nothing was sent', () => {
    const endpoints = [
      { path: 'api/ml/v1/artifact-versions', types: ['artifact-version'] },
      { path: 'api/svc/v1/delete', types: ['model-version', '<x>'] },
    ]
    const html = summaryOf([result('deleted', 'a'), result('deleted', 'b')], context, { dryRun: false, endpoints })
    expect(html).toMatch(
      /of 2 manifests<\/p>\n<p>Sent to <code>api\/ml\/v1\/artifact-versions<\/code> \(artifact-version\), <code>api\/svc\/v1\/delete<\/code> \(model-version, &#60;x&#62;\)<\/p>\n/,
    )
    expect(html.match(/Sent to/g)).toHaveLength(1)
    expect(summaryOf([result('dry-run', 'a')], context, { dryRun: true })).not.toContain('Sent to')
  })

  it('shows the version with its alias, and the manifest as file:line', () => {
    const html = summaryOf([result('deleted', 'a', { version: 7, version_alias: 'v-pr-42', line: 12 })], context, { dryRun: false })
    expect(html).toContain('<td>7 (v-pr-42)</td><td>1</td><td><code>.truefoundry/a.yaml:12</code></td>')
  })

  it('says when it was a dry run', () => {
    const html = summaryOf(
      [result('dry-run', 'a')],
      { repository: null, pullRequest: null, runUrl: null, serverUrl: null },
      { dryRun: true },
    )
    expect(html).toMatch(/^<h2>TrueFoundry cleanup \(dry run\)<\/h2>\n/)
    expect(html).toContain('1 would be deleted (dry run)</strong> of 1 manifest</p>')
  })

  it('escapes text that comes from manifests and the repository', () => {
    const attack = '<img src=x onerror=alert(1)>'
    const rows = [
      result('invalid', attack, {
        ml_repo: attack,
        version: null,
        version_alias: attack,
        file: `${attack}.yaml`,
        message: `name: ${attack}`,
      }),
    ]
    const html = summaryOf(rows, { ...context, repository: attack, runUrl: '"><script>alert(1)</script>' }, { dryRun: false })
    expect(html).not.toContain('<img')
    expect(html).not.toContain('<script')
    expect(html).not.toContain('"><')
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;')
  })

  it('keeps each row on one line, so a blank line in a manifest value cannot end the HTML and start Markdown', () => {
    const html = summaryOf([result('invalid', 'a\n\n![x](https://example.com/t.png)\r\nb')], context, { dryRun: false })
    expect(html).not.toMatch(/\n\s*\n/)
    expect(summaryNames(html)).toEqual(['a ![x](https://example.com/t.png) b'])
  })

  it('fits 50,000 rows under the budget, keeping every failure and saying how many rows it left out', () => {
    const results = Array.from({ length: 50_000 }, (_, index) =>
      index % 500 === 7 ? result('failed', `failed-${index}`) : result('deleted', `model-${index}`),
    )
    const html = summaryOf(results, context, { dryRun: false })
    expect(Buffer.byteLength(html)).toBeLessThanOrEqual(SUMMARY_BUDGET_BYTES)
    const shown = summaryNames(html)
    const failed = results.filter((row) => row.status === 'failed').map((row) => row.name)
    expect(failed).toHaveLength(100)
    expect(shown.slice(0, 100)).toEqual(failed)
    expect(shown.length).toBeGreaterThan(1000)
    expect(html).toContain(`<p>${50_000 - shown.length} more rows are not shown: a job summary must stay under 1 MiB.`)
    expect(html).toContain('<strong>49900 deleted, 0 not found, 100 failed, 0 invalid, 0 skipped</strong> of 50000 manifests')
  })

  it('leaves out no row when they fit', () => {
    const html = summaryOf([result('deleted', 'a'), result('failed', 'b')], context, { dryRun: false })
    expect(html).not.toContain('not shown')
  })

  it('in a sweep, has a table for each pull request, linked, with its totals, those with the worst rows first', () => {
    const rows = [
      result('deleted', 'a1', { pull_request: 11 }),
      result('not-found', 'a2', { pull_request: 11 }),
      result('deleted', 'b1', { pull_request: 12 }),
      result('failed', 'b2', { pull_request: 12 }),
      result('invalid', 'c1', { pull_request: 13 }),
      result('skipped', 'c2', { pull_request: 13 }),
      result('deleted', 'd1', { pull_request: 14 }),
    ]
    const html = summaryOf(rows, context, { dryRun: false, scope: 'a sweep of 4 closed pull requests' })
    expect(html).toContain('<p>a sweep of 4 closed pull requests in acme/models')
    const headings = [...html.matchAll(/<h3>(.*?)<\/h3>/g)].map((match) => match[1])
    expect(headings).toEqual([
      '<a href="https://github.com/acme/models/pull/12">#12</a>: 1 deleted, 0 not found, 1 failed, 0 invalid, 0 skipped',
      '<a href="https://github.com/acme/models/pull/13">#13</a>: 0 deleted, 0 not found, 0 failed, 1 invalid, 1 skipped',
      '<a href="https://github.com/acme/models/pull/11">#11</a>: 1 deleted, 1 not found, 0 failed, 0 invalid, 0 skipped',
      '<a href="https://github.com/acme/models/pull/14">#14</a>: 1 deleted, 0 not found, 0 failed, 0 invalid, 0 skipped',
    ])
    expect(summaryNames(html)).toEqual(['b2', 'b1', 'c1', 'c2', 'a1', 'a2', 'd1'])
  })

  it('has no table for no results', () => {
    expect(summaryOf([], context, { dryRun: false })).not.toContain('<table>')
  })

  it('says, for a sweep that found no pull request, that nothing was checked, instead of counting nothing', () => {
    const html = summaryOf(
      [],
      { ...context, pullRequest: null },
      { dryRun: true, nothingFound: 'The sweep found no pull request of <acme>/models …' },
    )
    expect(html).toContain('<p>The sweep found no pull request of &#60;acme&#62;/models …</p>')
    expect(html).not.toContain('0 deleted')
    expect(html).toContain('in acme/models')
  })
})
