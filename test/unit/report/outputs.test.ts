import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { outputsOf } from '../../../src/report/outputs.ts'
import type { Result } from '../../../src/results/result.ts'
import { result, stored } from '../../support/sample-rows.ts'
import { scratchDir } from '../../support/scratch.ts'

describe('outputsOf', () => {
  it('past the limit of an output, keeps the rows that need a look first and says where every row is', async () => {
    // A dry run of 20 manifests, one of them invalid: the rest are skipped for it.
    const rows = Array.from({ length: 20 }, (_, index) =>
      index === 15 ? result('invalid', 'broken') : result('skipped', `model-${index}`),
    )
    const outputs = (limit: number, file: string | null = null) => {
      const { values, warning } = outputsOf(stored(rows, file), limit)
      return {
        rows: JSON.parse(String(values.results)) as Result[],
        json: String(values.results),
        file: values['results-file'],
        warnings: warning === null ? [] : [warning],
      }
    }
    const whole = outputs(Infinity)
    expect(whole.rows.map((row) => row.status)).toEqual(rows.map((_, index) => (index === 15 ? 'invalid' : 'skipped')))
    const bytes = Buffer.byteLength(whole.json)
    expect(outputs(bytes).warnings).toEqual([])

    const file = path.join(await scratchDir('outputs-test-'), 'results.json')
    // Exactly room for three rows: the invalid one, then the first two in order.
    const limit = Buffer.byteLength(JSON.stringify([whole.rows[15], whole.rows[0], whole.rows[1]]))
    const cut = outputs(limit, file)
    expect(cut.rows.map((row) => row.name)).toEqual(['broken', 'model-0', 'model-1'])
    expect(cut.warnings).toEqual([
      `The rows come to ${bytes.toLocaleString('en-US')} bytes of JSON, more than the ${limit.toLocaleString('en-US')} bytes (0 MB) GitHub allows an output, which a step cannot read: the results output holds 3 of the 20 rows, those that need a look first. The results-file output names a file with every row (${file}).`,
    ])
    expect(cut.file).toBe(file)
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(whole.rows)
  })
})
