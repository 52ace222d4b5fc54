import { describe, expect, it } from 'vitest'
import { totalsLine } from '../../../src/report/labels.ts'
import { result, stored } from '../../support/sample-rows.ts'
import type { Result } from '../../../src/results/result.ts'

const totalsOf = (results: Result[]) => stored(results).totals

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
