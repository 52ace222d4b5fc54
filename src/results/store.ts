import type { Result, Status } from './result.ts'
import { JsonArrayFile } from './json-array-file.ts'

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

/**
 * Every row of a run, kept in a file as a JSON array, one row a line, so that
 * what the run holds does not grow with the rows: a sweep of thousands of pull
 * requests writes them as it goes, and the report reads them back, pass by
 * pass. Without a file (`null`), the rows stay in memory. If the file cannot
 * be written, the rows written so far are kept, the rest stay in memory, and
 * `file` is null: the record is whole either way.
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
  /** The file, while it can be written to. */
  private appending: JsonArrayFile | null = null
  /** The file, for reading back the rows written to it. */
  private rowsFile: JsonArrayFile | null = null
  private finished = false
  /** False once a write to the file failed. */
  private whole = true

  private readonly path: string | null
  private readonly onFileError: (message: string) => void

  constructor(path: string | null, onFileError: (message: string) => void = () => {}) {
    this.path = path
    this.onFileError = onFileError
    if (path === null) return
    this.attempt(() => (this.appending = this.rowsFile = new JsonArrayFile(path)))
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
    // Each piece copies the file (json-array-file.ts): pieces grow with it, so the copying stays a few times the file's size.
    if (this.pendingBytes >= Math.max(FLUSH_BYTES, (this.appending?.size ?? 0) / 4)) this.flush()
    else if (this.flushTimer === null && this.appending !== null) this.flushTimer = setTimeout(() => this.flush(), FLUSH_MS).unref()
  }

  /** Writes what is pending and closes the array: no row comes after. */
  finish(): this {
    if (this.finished) return this
    this.flush()
    this.finished = true
    return this
  }

  *json(): Generator<string> {
    if (this.rowsFile) yield* this.rowsFile.lines()
    yield* this.pending
  }

  *rows(): Generator<Result> {
    for (const line of this.json()) yield JSON.parse(line) as Result
  }

  /** Stops writing to the file; the rows can still be read from it. */
  close(): void {
    this.appending = null
  }

  private flush(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer)
    this.flushTimer = null
    const file = this.appending
    if (file === null || this.pending.length === 0) return
    if (!this.attempt(() => file.append(this.pending))) return
    this.pending = []
    this.pendingBytes = 0
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
}
