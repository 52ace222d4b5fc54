import { closeSync, openSync, readSync, writeSync } from 'node:fs'

const READ_BYTES = 64 * 1024
const HEAD = '[\n'
const TAIL = '\n]\n'
const TAIL_BYTES = Buffer.byteLength(TAIL)

/**
 * A file that holds a JSON array, one element a line, and is valid JSON
 * whenever it is read, even after the process was killed: between writes it
 * ends with the array's close, which the next piece of elements, longer than
 * it, is written over. Every write throws if it cannot be made; what was
 * written before stays readable.
 */
export class JsonArrayFile {
  private fd: number | null
  /** Bytes of the file known to be written. */
  private written = 0
  /** Where the elements written end, and how many there are. */
  private elementsEnd = 0
  private elements = 0
  readonly path: string

  constructor(path: string) {
    this.path = path
    this.fd = openSync(path, 'w+', 0o600)
    try {
      this.write(HEAD)
    } catch (error) {
      this.close()
      throw error
    }
  }

  /** Adds the elements, each a line of compact JSON. */
  append(lines: string[]): void {
    this.write((this.elements > 0 ? ',\n' : '') + lines.join(',\n'))
    this.elements += lines.length
    this.elementsEnd = this.written
  }

  /** The elements written, a line each, read a piece at a time; after close() too. */
  *lines(): Generator<string> {
    if (this.elements === 0) return
    const fd = this.fd ?? openSync(this.path, 'r')
    try {
      const buffer = Buffer.alloc(READ_BYTES)
      let position = Buffer.byteLength(HEAD)
      let carry = Buffer.alloc(0)
      while (position < this.elementsEnd) {
        const read = readSync(fd, buffer, 0, Math.min(READ_BYTES, this.elementsEnd - position), position)
        if (read === 0) throw new Error(`the results file ${this.path} is shorter than what was written to it`)
        position += read
        const chunk = carry.length > 0 ? Buffer.concat([carry, buffer.subarray(0, read)]) : buffer.subarray(0, read)
        let start = 0
        for (let newline = chunk.indexOf(0x0a); newline !== -1; newline = chunk.indexOf(0x0a, start)) {
          yield elementOf(chunk.subarray(start, newline))
          start = newline + 1
        }
        // A copy: `buffer` is read into again.
        carry = Buffer.from(chunk.subarray(start))
      }
      yield elementOf(carry)
    } finally {
      if (fd !== this.fd) closeSync(fd)
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd)
    this.fd = null
  }

  /**
   * Writes `text` and the array's close after it, at the end of what is known
   * written, in one write: two would leave the file without its close between
   * them, for a reader (or a kill) to find.
   */
  private write(text: string): void {
    const bytes = Buffer.from(text + TAIL)
    let done = 0
    while (done < bytes.length) done += writeSync(this.fd!, bytes, done, bytes.length - done, this.written + done)
    this.written += bytes.length - TAIL_BYTES
  }
}

/** An element's line, without the comma that separates it from the next. */
function elementOf(line: Buffer): string {
  const text = line.toString('utf8')
  return text.endsWith(',') ? text.slice(0, -1) : text
}
