// What every figure shares: repetitions reduced to a median, and the table row.

export interface Figure {
  figure: string
  measured: string
  floor: string
  /** measured ÷ floor; null where there is no floor. */
  ratio: number | null
  target: string
  /** null: reported, not judged. */
  pass: boolean | null
}

export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of nothing')
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/**
 * The median of run-by-run ratios. Runs alternate, so each pair ran moments
 * apart: a pair's ratio cancels what the rest of the machine was doing then,
 * which a ratio of two medians does not.
 */
export function pairedRatio(measured: number[], floor: number[]): number {
  return median(measured.map((value, index) => value / floor[index]!))
}

/** Runs each variant `repetitions` times, interleaved (a, b, a, b, …), so drift on the machine falls on all alike. */
export async function alternate<K extends string>(
  repetitions: number,
  variants: Record<K, () => Promise<number>>,
): Promise<Record<K, number[]>> {
  const names = Object.keys(variants) as K[]
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>
  for (let i = 0; i < repetitions; i++) {
    for (const name of names) samples[name].push(await variants[name]())
  }
  return samples
}

export const ms = (value: number, digits = 0) => `${value.toFixed(digits)} ms`

/**
 * A size as the bench's tables show it. Not src/text/format.ts's formatBytes:
 * that one rounds for a message (1.0 MiB, 977 KiB), while figures here are read
 * side by side and compared with limits a few bytes away (976.5 KiB against
 * 1 MB, 14.02 against 15.21 MiB), so they keep two digits more.
 */
export function measuredBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(2)} MiB`
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${bytes} B`
}

/**
 * A ratio to two decimals; to three where two would read as the target's own
 * figure though the ratio misses it (1.104 against ≤ 1.10 shows 1.104×, not
 * 1.10× beside FAIL).
 */
function ratioText(ratio: number, { pass, target }: Figure): string {
  const shown = ratio.toFixed(2)
  return `${pass === false && target.includes(shown) ? ratio.toFixed(3) : shown}×`
}

/** `judged` false (a smoke run): the targets are shown but no figure passes or fails. */
export function renderTable(figures: Figure[], judged = true): string {
  const header = ['figure', 'measured', 'floor', 'ratio', 'target', 'result']
  const rows = figures.map((f) => [
    f.figure,
    f.measured,
    f.floor,
    f.ratio === null ? '—' : ratioText(f.ratio, f),
    f.target,
    f.pass === null ? 'reported' : !judged ? 'not judged' : f.pass ? 'pass' : 'FAIL',
  ])
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column]!.length)))
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n')
}
