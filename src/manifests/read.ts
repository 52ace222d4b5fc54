import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs'
import type { ManifestFile } from './find.ts'
import { formatBytes, sizeOverLimit } from '../text/format.ts'

/** Larger files are refused unread: manifests are a few hundred bytes. */
export const MAX_FILE_BYTES = 1024 * 1024

/** Why a manifest file is not used at all, and where. */
export interface UnreadableFile {
  kind: 'unreadable'
  line: number
  column: number
  reason: string
}

export function unreadable(reason: string, line = 1, column = 1): UnreadableFile {
  return { kind: 'unreadable', line, column, reason }
}

/**
 * A manifest file's bytes, or why it is not read: refused by the file stage,
 * not a regular file, too large, or unreadable.
 *
 * Read synchronously: a file is at most 1 MiB, read in well under a
 * millisecond, and a run parses its files one after another; each step of an
 * asynchronous read was a round trip through libuv's thread pool, five a file.
 * The file is opened without blocking and must be a regular file, so a FIFO or
 * a device is refused, not waited on; and it is read no further than the
 * limit, so a file that grows after its size was seen is refused by its size,
 * never read whole.
 */
export function readManifestFile(file: ManifestFile): Uint8Array | UnreadableFile {
  if (file.refusal) return unreadable(file.refusal)
  let fd: number
  try {
    // O_NONBLOCK is 0 where it does not exist (Windows), and changes nothing for a regular file.
    fd = openSync(file.absolute, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  } catch (error) {
    return unreadable(`could not be read: ${(error as Error).message}`)
  }
  try {
    const stats = fstatSync(fd)
    if (!stats.isFile()) return unreadable('is not a regular file (a FIFO, socket or device): manifests are files in the repository')
    if (stats.size > MAX_FILE_BYTES) return tooLarge(stats.size)
    // One byte more than the size: a file that grew since is read on until its end or past the limit.
    let bytes = Buffer.allocUnsafe(stats.size + 1)
    let length = 0
    for (;;) {
      const read = readSync(fd, bytes, length, bytes.length - length, length)
      if (read === 0) return bytes.subarray(0, length)
      length += read
      if (length > MAX_FILE_BYTES)
        return unreadable(
          `holds more than the ${formatBytes(MAX_FILE_BYTES)} a manifest file may be, though its size read ${stats.size.toLocaleString('en-US')} bytes`,
        )
      if (length === bytes.length) bytes = Buffer.concat([bytes, Buffer.allocUnsafe(Math.min(bytes.length, MAX_FILE_BYTES + 1 - length))])
    }
  } catch (error) {
    return unreadable(`could not be read: ${(error as Error).message}`)
  } finally {
    closeSync(fd)
  }
}

/** A file of `size` bytes, past the limit. */
function tooLarge(size: number): UnreadableFile {
  const shown = sizeOverLimit(size, MAX_FILE_BYTES)
  return unreadable(`is ${shown.size}, larger than the ${shown.limit} a manifest file may be`)
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** A file's bytes as text, or why they are not: not UTF-8, or not text at all (a NUL character). */
export function decodeText(bytes: Uint8Array): string | UnreadableFile {
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    return unreadable(`is not UTF-8 text (invalid byte sequence at offset ${firstInvalidOffset(bytes)})`)
  }
  const nul = text.indexOf('\0')
  if (nul !== -1) return unreadable(`is not a text file (NUL character on line ${positionIn(text, nul).line})`)
  return text
}

/** Line and column (1-based) of `offset` in `text`, found by counting lines: for a place found before yaml has counted them. */
export function positionIn(text: string, offset: number): { line: number; col: number } {
  let line = 1
  let start = 0
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++
    start = i + 1
  }
  return { line, col: offset - start + 1 }
}

/** Offset where the first invalid sequence starts: the end of the longest prefix that decodes (a cut-off character at its end is fine while streaming), moved back to the start of that cut-off character. */
function firstInvalidOffset(bytes: Uint8Array): number {
  let low = 0
  let high = bytes.length
  while (low < high) {
    const mid = (low + high + 1) >> 1
    if (decodes(bytes.subarray(0, mid), { stream: true })) low = mid
    else high = mid - 1
  }
  while (low > 0 && !decodes(bytes.subarray(0, low), { stream: false })) low--
  return low
}

function decodes(bytes: Uint8Array, options: { stream: boolean }): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, options)
    return true
  } catch {
    return false
  }
}
