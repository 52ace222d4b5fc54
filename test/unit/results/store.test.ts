// The rows of a run, kept in a file as a JSON array and read back pass by pass.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { ResultStore } from '../../../src/results/store.ts'
import type { Result, Status } from '../../../src/results/result.ts'
import { scratchDir } from '../../support/scratch.ts'

function row(index: number, status: Status, fields: Partial<Result> = {}): Result {
  return {
    pull_request: null,
    file: `.truefoundry/m-${index}.yaml`,
    document: 0,
    line: 1,
    type: 'model-version',
    ml_repo: 'previews',
    name: `model-${index}`,
    version: index,
    version_alias: null,
    status,
    attempts: 1,
    http_status: 200,
    message: 'deleted',
    ...fields,
  } as Result
}

async function fileIn(): Promise<string> {
  return path.join(await scratchDir('result-store-'), 'results.json')
}

/** Text a line-by-line reader could trip on: newlines, separators, commas at the end, multi-byte characters. */
const AWKWARD = ['a\nb', 'ends with a comma,', '\u2028\u2029', 'ü🔍 漢字', '},\n{', '"quoted"', '\\']

/** The file's rows, as soon as it holds `count` of them; fails after `withinMs`. */
async function rowsInFile(file: string, count: number, withinMs: number): Promise<{ rows: Result[]; afterMs: number }> {
  const started = performance.now()
  for (;;) {
    // Parsed at every look, on a thread of its own (readFile runs in libuv's pool): the file must be a
    // whole JSON array whenever it is read, a write under way included.
    const rows = JSON.parse(await readFile(file, 'utf8')) as Result[]
    const afterMs = performance.now() - started
    if (rows.length >= count || afterMs > withinMs) return { rows, afterMs }
    await delay(25)
  }
}

describe('ResultStore', () => {
  it('writes each row to the file within a second, and the file is a JSON array of the rows so far whenever it is read', async () => {
    const file = await fileIn()
    const store = new ResultStore(file)
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual([])
    const rows = [row(1, 'deleted'), row(2, 'failed', { message: AWKWARD.join(' ') }), row(3, 'skipped', { message: 'x'.repeat(3) })]
    for (const [index, each] of rows.entries()) {
      store.add(each)
      const seen = await rowsInFile(file, index + 1, 1500)
      expect(seen.rows).toEqual(rows.slice(0, index + 1))
      expect(seen.afterMs).toBeLessThan(1100)
    }
    store.finish()
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(rows)
    store.close()
  })

  it('gives back every row in order, from the file and from memory, however the pieces fall', async () => {
    const file = await fileIn()
    const store = new ResultStore(file)
    // Past several 256 KiB flushes and 64 KiB reads, with rows larger than a read.
    const rows = Array.from({ length: 3000 }, (_, index) =>
      row(index, index % 7 === 0 ? 'failed' : 'deleted', {
        message: index % 500 === 1 ? 'x'.repeat(150_000) : AWKWARD[index % AWKWARD.length]!,
      }),
    )
    for (const each of rows) store.add(each)
    expect([...store.rows()]).toEqual(rows)
    store.finish()
    expect([...store.rows()]).toEqual(rows)
    expect([...store.rows()]).toEqual(rows)
    expect(store.file).toBe(file)
    const text = await readFile(file, 'utf8')
    expect(JSON.parse(text)).toEqual(rows)
    expect(store.jsonBytes).toBe(Buffer.byteLength(JSON.stringify(rows)))
    expect([...store.json()].join(',')).toBe(JSON.stringify(rows).slice(1, -1))
    store.close()
    expect([...store.rows()]).toEqual(rows)
  })

  it('counts the statuses and the pull requests', () => {
    const store = new ResultStore(null)
    const rows = [
      row(1, 'deleted', { pull_request: 7 }),
      row(2, 'failed', { pull_request: 7 }),
      row(3, 'not-found', { pull_request: 9 }),
      row(4, 'skipped', { pull_request: 9 }),
      row(5, 'dry-run', { pull_request: 11 }),
    ]
    for (const each of rows) store.add(each)
    store.finish()
    expect(store.count).toBe(5)
    expect(store.totals).toEqual({ deleted: 1, 'not-found': 1, failed: 1, invalid: 0, skipped: 1, 'dry-run': 1 })
    expect(store.pullRequests).toBe(3)
    expect(store.file).toBeNull()
  })

  it('writes an empty array for no rows', async () => {
    const file = await fileIn()
    const store = new ResultStore(file).finish()
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual([])
    expect([...store.rows()]).toEqual([])
    expect(store.jsonBytes).toBe(2)
  })

  it.each([
    ['a directory that does not exist', async () => path.join(path.dirname(await fileIn()), 'missing', 'results.json')],
    ['a device that is always full', () => Promise.resolve('/dev/full')],
  ])('keeps every row in memory when the file cannot be written (%s), says so once, and names no file', async (_, where) => {
    const warnings: string[] = []
    const store = new ResultStore(await where(), (message) => warnings.push(message))
    const rows = Array.from({ length: 2000 }, (_, index) => row(index, 'deleted', { message: 'y'.repeat(500) }))
    for (const each of rows) store.add(each)
    store.finish()
    expect([...store.rows()]).toEqual(rows)
    expect(store.file).toBeNull()
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^The results file .* could not be written \(.+\); the rows are kept in memory instead\.$/)
  })

  it('refuses rows after it is finished', () => {
    const store = new ResultStore(null).finish()
    expect(() => store.add(row(1, 'deleted'))).toThrow('rows added after the store was finished')
  })
})
