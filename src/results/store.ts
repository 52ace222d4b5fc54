import { closeSync, openSync, readSync, writeSync } from 'node:fs'
import type { Result, Status } from './result.ts'

export type Totals = Record<Status, number>

export function noTotals(): Totals {
  return { deleted: 0, 'not-found': 0, failed: 0, invalid: 0, skipped: 0, 'dry-run': 0 }
}

/** What the report reads: the rows, in the order checked, with their counts. */
export interface Rows {
  readonly count: number
  readonly totals: Totals
  /** Pull requests the rows are of: a sweep's, 0 outside one. */
  readonly pullRequests: number
  /** Bytes of the rows as one compact JSON array. */
  readonly jsonBytes: number
  /** A file with every row as a JSON array, when there is one. */
  readonly file: string | null
  /** Each row, in the order checked; each call reads them afresh. */
  rows(): Iterable<Result>
  /** Each row's compact JSON, in the order checked. */
  json(): Iterable<string>
}

/** Rows are written to the file in pieces of about this size… */
const FLUSH_BYTES = 256 * 1024
/** …or this long after the first of them came, whichever is sooner: a run the runner kills has its rows but the last second's. */
const FLUSH_MS = 1000
const READ_BYTES = 64 * 1024
const HEAD = '[\n'
const TAIL = '\n]\n'

/**
 * Every row of a run, kept in a file as a JSON array, one row a line, so that
 * what the run holds does not grow with the rows: a sweep of thousands of pull
 * requests writes them as it goes, and the report reads them back, pass by
 * pass. Without a file (`null`), the rows stay in memory. If the file cannot
 * be written, the rows written so far are kept, the rest stay in memory, and
 * `file` is null: the record is whole either way. Between writes the file
 * ends with the array's close, so it is valid JSON whenever it is read, even
 * after the process was killed.
 */
export class ResultStore implements Rows {
  count = 0
  readonly totals = noTotals()
  pullRequests = 0
  jsonBytes = 2
  /** The pull request of the last row added, if any. */
  private last: number | null | undefined = undefined
  /** Rows not yet in the file, as compact JSON. */
  private pending: string[] = []
  private pendingBytes = 0
  private flushTimer: NodeJS.Timeout | null = null
  private fd: number | null = null
  /** Bytes of the file known to be written, and rows in them. */
  private written = 0
  private rowsWritten = 0
  /** Where the rows in the file end. */
  private rowsEnd = 0
  private finished = false
  /** False once a write to the file failed. */
  private whole = true

  private readonly path: string | null
  private readonly onFileError: (message: string) => void

  constructor(path: string | null, onFileError: (message: string) => void = () => {}) {
    this.path = path
    this.onFileError = onFileError
    if (path === null) return
    this.attempt(() => {
      this.fd = openSync(path, 'w+', 0o600)
      this.write(HEAD)
      this.writeTail()
    })
  }

  /** The file with every row, once finished; null without one, or when it could not be written. */
  get file(): string | null {
    return this.finished && this.whole ? this.path : null
  }

  add(row: Result): void {
    if (this.finished) throw new Error('rows added after the store was finished')
    const json = JSON.stringify(row)
    this.pending.push(json)
    this.pendingBytes += json.length
    this.jsonBytes += Buffer.byteLength(json) + (this.count > 0 ? 1 : 0)
    this.count++
    this.totals[row.status]++
    // A pull request's rows come together: the ledger writes them once all are settled.
    if (row.pull_request !== null && row.pull_request !== this.last) this.pullRequests++
    this.last = row.pull_request
    if (this.pendingBytes >= FLUSH_BYTES) this.flush()
    else if (this.flushTimer === null && this.fd !== null) this.flushTimer = setTimeout(() => this.flush(), FLUSH_MS).unref()
  }

  /** Writes what is pending and closes the array: no row comes after. */
  finish(): this {
    if (this.finished) return this
    this.flush()
    this.finished = true
    return this
  }

  *json(): Generator<string> {
    yield* this.fileLines()
    yield* this.pending
  }

  *rows(): Generator<Result> {
    for (const line of this.json()) yield JSON.parse(line) as Result
  }

  /** Closes the file; the rows can still be read from it. */
  close(): void {
    if (this.fd !== null) closeSync(this.fd)
    this.fd = null
  }

  private flush(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer)
    this.flushTimer = null
    if (this.fd === null || !this.whole || this.pending.length === 0) return
    const separator = this.rowsWritten > 0 ? ',\n' : ''
    const flushed = this.pending.length
    const ok = this.attempt(() => {
      this.write(separator + this.pending.join(',\n'))
      this.writeTail()
    })
    if (!ok) return
    this.rowsWritten += flushed
    this.rowsEnd = this.written
    this.pending = []
    this.pendingBytes = 0
  }

  /** Writes all of `text` at the end of what is known written; throws if it cannot. */
  private write(text: string): void {
    this.written += this.writeAt(text, this.written)
  }

  /** Closes the array after what is written; the next piece of rows, longer than it, is written over it. */
  private writeTail(): void {
    this.writeAt(TAIL, this.written)
  }

  private writeAt(text: string, position: number): number {
    const bytes = Buffer.from(text)
    let done = 0
    while (done < bytes.length) done += writeSync(this.fd!, bytes, done, bytes.length - done, position + done)
    return bytes.length
  }

  private attempt(step: () => void): boolean {
    try {
      step()
      return true
    } catch (error) {
      this.whole = false
      this.close()
      this.onFileError(
        `The results file ${this.path} could not be written (${(error as Error).message}); the rows are kept in memory instead.`,
      )
      return false
    }
  }

  /** The rows the file holds, a line each, read a piece at a time. */
  private *fileLines(): Generator<string> {
    if (this.path === null || this.rowsWritten === 0) return
    const fd = this.fd ?? openSync(this.path, 'r')
    try {
      const buffer = Buffer.alloc(READ_BYTES)
      let position = Buffer.byteLength(HEAD)
      let carry = Buffer.alloc(0)
      while (position < this.rowsEnd) {
        const read = readSync(fd, buffer, 0, Math.min(READ_BYTES, this.rowsEnd - position), position)
        if (read === 0) throw new Error(`the results file ${this.path} is shorter than what was written to it`)
        position += read
        const chunk = carry.length > 0 ? Buffer.concat([carry, buffer.subarray(0, read)]) : buffer.subarray(0, read)
        let start = 0
        for (let newline = chunk.indexOf(0x0a); newline !== -1; newline = chunk.indexOf(0x0a, start)) {
          yield rowOf(chunk.subarray(start, newline))
          start = newline + 1
        }
        // A copy: `buffer` is read into again.
        carry = Buffer.from(chunk.subarray(start))
      }
      yield rowOf(carry)
    } finally {
      if (fd !== this.fd) closeSync(fd)
    }
  }
}

/** A row's line, without the comma that separates it from the next. */
function rowOf(line: Buffer): string {
  const text = line.toString('utf8')
  return text.endsWith(',') ? text.slice(0, -1) : text
}
