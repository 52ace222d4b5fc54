import { describe, expect, it } from 'vitest'
import { STATUS_LABEL, STATUS_LABEL_COLUMNS } from '../../../src/report/labels.ts'
import { measuredWidth, renderLogTable } from '../../../src/report/log-table.ts'
import { worstFirst } from '../../../src/report/order.ts'
import type { Result, Status } from '../../../src/results/result.ts'
import { OUTCOMES, result, stored } from '../../support/sample-rows.ts'

const tableOf = (results: Result[]) => [...renderLogTable(stored(results))].map((line) => line.text)

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

  it('takes each status label to be as wide as it measures, and as a terminal shows it', () => {
    for (const [status, label] of Object.entries(STATUS_LABEL)) {
      expect(STATUS_LABEL_COLUMNS[status as Status], label).toBe(measuredWidth(label))
      expect(LABEL_WIDTH[label], label).toBe(measuredWidth(label))
    }
  })

  it('aligns the columns, the header included', () => {
    const results = (Object.keys(OUTCOMES) as Status[]).map((status, index) =>
      result(status, `model-${'x'.repeat(index * 3)}`, { ml_repo: `repo-${index}`, version: index * 100, line: index * 1000 }),
    )
    const lines = tableOf(results)
    expect(lines).toHaveLength(7)
    expect(lines[0]).toMatch(/^Status +Kind +ML repo +Name +Version +Attempts +Manifest +Message$/)
    const header = columnsOf(lines[0]!, ['Status', 'Kind', 'ML repo', 'Name', 'Version', 'Attempts', 'Manifest', 'Message'])
    for (const [index, row] of [...worstFirst(stored(results))].entries()) {
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
