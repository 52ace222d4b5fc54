import { closeSync, copyFileSync, openSync, readSync, renameSync, writeSync } from 'node:fs'

const READ_BYTES = 64 * 1024
const HEAD = '[\n'
const TAIL = '\n]\n'
const TAIL_BYTES = Buffer.byteLength(TAIL)

/**
 * A file that holds a JSON array, one element a line, and is a whole JSON
 * array whenever it is read, even after the process was killed. Each piece
 * of elements goes into a copy of the file, over the array's close and with a
 * close of its own after it, and the copy is renamed over the file: a reader,
 * or a kill, finds the old file or the new one. (Written in place, a piece
 * could be cut short: Linux lets a kill stop a write between two pages of it.)
 * Every write throws if it cannot be made; what was written before stays
 * readable.
 */
export class JsonArrayFile {
  /** Bytes of the file known to be written, its close aside: where the elements end. */
  private written = 0
  private elements = 0
  readonly path: string

  constructor(path: string) {
    this.path = path
    const fd = openSync(path, 'w', 0o600)
    try {
      writeAll(fd, HEAD + TAIL, 0)
    } finally {
      closeSync(fd)
    }
    this.written = Buffer.byteLength(HEAD)
  }

  /** Bytes of the file: what a piece written now has to copy. */
  get size(): number {
    return this.written + TAIL_BYTES
  }

  /** Adds the elements, each a line of compact JSON. */
  append(lines: string[]): void {
    const piece = (this.elements > 0 ? ',\n' : '') + lines.join(',\n')
    const next = `${this.path}.next`
    // The first piece needs nothing of the file but its head, so the copy is written whole, not copied.
    const first = this.elements === 0
    if (!first) copyFileSync(this.path, next)
    const fd = openSync(next, first ? 'w' : 'r+', 0o600)
    try {
      writeAll(fd, first ? HEAD + piece + TAIL : piece + TAIL, first ? 0 : this.written)
    } finally {
      closeSync(fd)
    }
    renameSync(next, this.path)
    this.written += Buffer.byteLength(piece)
    this.elements += lines.length
  }

  /** The elements written, a line each, read a piece at a time. */
  *lines(): Generator<string> {
    if (this.elements === 0) return
    const fd = openSync(this.path, 'r')
    try {
      const buffer = Buffer.alloc(READ_BYTES)
      let position = Buffer.byteLength(HEAD)
      let carry = Buffer.alloc(0)
      while (position < this.written) {
        const read = readSync(fd, buffer, 0, Math.min(READ_BYTES, this.written - position), position)
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
      closeSync(fd)
    }
  }
}

/** An element's line, without the comma that separates it from the next. */
function elementOf(line: Buffer): string {
  const text = line.toString('utf8')
  return text.endsWith(',') ? text.slice(0, -1) : text
}

function writeAll(fd: number, text: string, position: number): void {
  const bytes = Buffer.from(text)
  let done = 0
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done)
}
