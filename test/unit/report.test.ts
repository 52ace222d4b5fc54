import { describe, expect, it } from 'vitest'
import { renderLogTable, renderSummary, sortForReport, SUMMARY_BUDGET_BYTES, totalsLine } from '../../src/report/report.ts'
import type { RunContext } from '../../src/runner/run-context.ts'
import { ResultStore } from '../../src/results/store.ts'
import type { Identity, Location, Outcome, Result, Status } from '../../src/results/result.ts'

const OUTCOMES: Record<Status, Outcome> = {
  deleted: { status: 'deleted', attempts: 1, http_status: 200, message: 'deleted' },
  'not-found': { status: 'not-found', attempts: 1, http_status: 404, message: 'not found (HTTP 404): already gone' },
  failed: { status: 'failed', attempts: 5, http_status: 503, message: 'HTTP 503: busy (gave up after 5 attempts)' },
  invalid: { status: 'invalid', attempts: 0, http_status: null, message: 'name: missing required field' },
  skipped: { status: 'skipped', attempts: 0, http_status: null, message: 'not sent: 1 manifest is invalid' },
  'dry-run': { status: 'dry-run', attempts: 0, http_status: null, message: 'would be deleted' },
}

function result(
  status: Status,
  name: string,
  fields: Partial<Location & Identity & { message: string; pull_request: number }> = {},
): Result {
  return {
    pull_request: null,
    file: `.truefoundry/${name}.yaml`,
    document: 0,
    line: 1,
    type: 'artifact-version',
    ml_repo: 'previews',
    name,
    version: 3,
    version_alias: null,
    ...OUTCOMES[status],
    ...fields,
  }
}

/** The rows as a run keeps them, in memory. */
function stored(results: Result[]): ResultStore {
  const store = new ResultStore(null)
  for (const row of results) store.add(row)
  return store.finish()
}

const totalsOf = (results: Result[]) => stored(results).totals
const summaryOf = (results: Result[], where: RunContext, options: { dryRun: boolean; emptySweep?: string }) =>
  [...renderSummary(stored(results), where, options)].join('')
const tableOf = (results: Result[]) => [...renderLogTable(stored(results))].map((line) => line.text)

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

describe('sortForReport', () => {
  it('puts failures first, then invalid, skipped, deleted, not found and dry run, keeping the order within each', () => {
    const results = [
      result('deleted', 'd1'),
      result('dry-run', 'r1'),
      result('not-found', 'n1'),
      result('skipped', 's1'),
      result('failed', 'f1'),
      result('invalid', 'i1'),
      result('deleted', 'd2'),
      result('failed', 'f2'),
    ]
    expect(sortForReport(results).map((row) => row.name)).toEqual(['f1', 'f2', 'i1', 's1', 'd1', 'd2', 'n1', 'r1'])
  })
})

describe('totalsLine', () => {
  it('counts each status', () => {
    const results = [
      result('deleted', 'a'),
      result('deleted', 'b'),
      result('failed', 'c'),
      result('invalid', 'd'),
      result('not-found', 'e'),
    ]
    expect(totalsLine(totalsOf(results))).toBe('2 deleted, 1 not found, 1 failed, 1 invalid, 0 skipped')
  })

  it('adds what a dry run would delete', () => {
    expect(totalsLine(totalsOf([result('dry-run', 'a'), result('dry-run', 'b'), result('skipped', 'c')]))).toBe(
      '0 deleted, 0 not found, 0 failed, 0 invalid, 1 skipped, 2 would be deleted (dry run)',
    )
  })
})

describe('renderSummary', () => {
  it('leads with the totals and where the run was, and lists the rows worst first', () => {
    const html = summaryOf([result('deleted', 'ok'), result('failed', 'broken'), result('skipped', 'held')], context, { dryRun: false })
    expect(html).toContain('<h2>TrueFoundry artifact cleanup</h2>')
    expect(html).toContain('<p>pull request #42 in acme/models · <a href="https://github.com/acme/models/actions/runs/1">run log</a></p>')
    expect(html).toContain('<strong>1 deleted, 0 not found, 1 failed, 0 invalid, 1 skipped</strong> of 3 manifests')
    expect(summaryNames(html)).toEqual(['broken', 'held', 'ok'])
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
    expect(html).toMatch(/^<h2>TrueFoundry artifact cleanup \(dry run\)<\/h2>\n/)
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
    const html = summaryOf(rows, context, { dryRun: false })
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
      { dryRun: true, emptySweep: 'The sweep found no pull request of <acme>/models …' },
    )
    expect(html).toContain('<p>The sweep found no pull request of &#60;acme&#62;/models …</p>')
    expect(html).not.toContain('0 deleted')
    expect(html).toContain('in acme/models')
  })
})

describe('renderLogTable', () => {
  /** Terminal columns of each status label: the emoji take two. */
  const LABEL_WIDTH: Record<string, number> = {
    '❌ failed': 9,
    '⚠️ invalid': 10,
    '⏭️ skipped': 10,
    '✅ deleted': 10,
    '➖ not found': 12,
    '🔍 dry run': 10,
  }

  /** The terminal column where each of `cells` starts on `line`, which begins with the first of them. */
  function columnsOf(line: string, cells: string[]): number[] {
    const labelWidth = LABEL_WIDTH[cells[0]!] ?? cells[0]!.length
    let from = cells[0]!.length
    return cells.slice(1).map((cell) => {
      const index = line.indexOf(cell, from)
      expect(index, `${JSON.stringify(cell)} in ${JSON.stringify(line)}`).toBeGreaterThanOrEqual(from)
      from = index + cell.length
      return labelWidth + index - cells[0]!.length
    })
  }

  it('aligns the columns, the header included', () => {
    const results = (Object.keys(OUTCOMES) as Status[]).map((status, index) =>
      result(status, `model-${'x'.repeat(index * 3)}`, { ml_repo: `repo-${index}`, version: index * 100, line: index * 1000 }),
    )
    const lines = tableOf(results)
    expect(lines).toHaveLength(7)
    expect(lines[0]).toMatch(/^Status +Kind +ML repo +Name +Version +Attempts +Manifest +Message$/)
    const header = columnsOf(lines[0]!, ['Status', 'Kind', 'ML repo', 'Name', 'Version', 'Attempts', 'Manifest', 'Message'])
    for (const [index, row] of sortForReport(results).entries()) {
      const label = Object.keys(LABEL_WIDTH).find((candidate) => lines[index + 1]!.startsWith(candidate))!
      const cells = [
        label,
        'artifact version',
        row.ml_repo!,
        row.name!,
        String(row.version),
        String(row.attempts),
        `${row.file}:${row.line}`,
        row.message,
      ]
      expect(columnsOf(lines[index + 1]!, cells)).toEqual(header)
    }
  })

  it('gives wide characters (CJK, kana, Hangul, fullwidth forms) two columns, so the columns after them line up', () => {
    const names = ['abcdefgh', '漢字', 'モデル', '한국', 'ＡＢ', '𠀀𠀁', 'é漢']
    const lines = tableOf(names.map((name) => result('deleted', name, { version: 3 })))
    // The Name column is 8 columns wide: each of these names takes 8, 6, 4 or 3 (beyond the Basic Multilingual Plane too), and its row is padded to 8.
    const after = (line: string, name: string) => line.slice(line.indexOf(name) + name.length, line.indexOf('  3  '))
    expect(names.map((name, index) => after(lines[index + 1]!, name).length)).toEqual([0, 4, 2, 4, 4, 4, 5])
  })

  it('keeps each row on one line, so manifest text cannot start a workflow command', () => {
    const lines = tableOf([result('invalid', 'a\n::error::forged\r\n::set-output name=deleted::9')])
    expect(lines).toHaveLength(2)
    for (const line of lines) expect(line).not.toMatch(/[\r\n]/)
  })
})
