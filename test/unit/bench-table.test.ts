// The benchmark's table: a reader must never see a ratio that reads as its target beside FAIL.
import { describe, expect, it } from 'vitest'
import { renderTable, type Figure } from '../../bench/measure.ts'

const figure = (ratio: number, pass: boolean): Figure => ({
  figure: 'start-up',
  measured: '1 ms',
  floor: '1 ms',
  ratio,
  target: '≤ 1.10×',
  pass,
})
const ratioCell = (table: string) => table.split('\n')[2]!.split('|')[4]!.trim()

describe('renderTable', () => {
  it('shows a third decimal where two would read as the target though the figure misses it', () => {
    expect(ratioCell(renderTable([figure(1.1041, false)]))).toBe('1.104×')
  })

  it('shows two decimals otherwise, a pass at the target and a clear miss alike', () => {
    expect(ratioCell(renderTable([figure(1.0961, true)]))).toBe('1.10×')
    expect(ratioCell(renderTable([figure(1.16, false)]))).toBe('1.16×')
  })
})
