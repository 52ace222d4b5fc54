// The results table for the log, as aligned plain text.
import { eastAsianWidth } from 'get-east-asian-width'
import type { Status } from '../results/result.ts'
import type { Rows } from '../results/store.ts'
import type { TableLine } from '../runner/guarded-core.ts'
import { cells, COLUMNS } from './cells.ts'
import { STATUS_LABEL, STATUS_LABEL_COLUMNS } from './labels.ts'
import { worstFirst } from './order.ts'

/** A pass over the rows for the columns' widths, then the rows worst first. */
export function* renderLogTable(rows: Rows): Generator<TableLine> {
  // The message is the last column, never padded: its width is not measured.
  const padded = COLUMNS.length - 1
  const widths = COLUMNS.slice(0, padded).map(displayWidth)
  for (const row of rows.rows()) {
    const texts = cells(row)
    for (let column = 0; column < padded; column++) widths[column] = Math.max(widths[column]!, displayWidth(texts[column]!))
  }
  const line = (texts: readonly string[]) =>
    texts
      .map((cell, column) =>
        column === padded ? cell : cell + ' '.repeat(Math.max(0, Math.min(60, widths[column]!) - displayWidth(cell))),
      )
      .join('  ')
      .trimEnd()
  yield { text: line(COLUMNS), status: null }
  for (const row of worstFirst(rows)) yield { text: line(cells(row)), status: row.status }
}

/**
 * Columns a terminal gives the text: two for an emoji (the status labels have
 * one) or a wide or fullwidth character, none for a joiner, a combining mark
 * or a variation selector. Hand-written around get-east-asian-width rather
 * than string-width, which measures graphemes the same way but takes some
 * 40 ms to load (Intl.Segmenter and its emoji expressions), and every run
 * loads the report.
 */
function displayWidth(text: string): number {
  if (/^[\x20-\x7e]*$/.test(text)) return text.length
  const label = LABEL_COLUMNS.get(text)
  if (label !== undefined) return label
  return measuredWidth(text)
}

const LABEL_COLUMNS = new Map(Object.entries(STATUS_LABEL).map(([status, label]) => [label, STATUS_LABEL_COLUMNS[status as Status]]))

/** displayWidth, measured character by character. */
export function measuredWidth(text: string): number {
  let width = 0
  let previous = ''
  for (const char of text) {
    // VS16 asks for the emoji form of a text-style pictograph such as ⚠ or ⏭.
    if (char === '\uFE0F') width += /\p{Emoji_Presentation}/u.test(previous) ? 0 : 1
    else if (/\p{Emoji_Presentation}/u.test(char) || eastAsianWidth(char.codePointAt(0)!) === 2) width += 2
    else if (char !== '\u200D' && !/\p{Mn}/u.test(char)) width += 1 // Mn: combining marks and the other variation selectors
    previous = char
  }
  return width
}
