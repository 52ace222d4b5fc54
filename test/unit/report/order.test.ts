import { describe, expect, it } from 'vitest'
import { worstFirst } from '../../../src/report/order.ts'
import { result, stored } from '../../support/sample-rows.ts'

describe('worstFirst', () => {
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
    expect([...worstFirst(stored(results))].map((row) => row.name)).toEqual(['f1', 'f2', 'i1', 's1', 'd1', 'd2', 'n1', 'r1'])
  })
})
