// The results file is what a run leaves behind whatever stops it: a kill
// in the middle of writing it included, after which it is a JSON array.
import { spawn } from 'node:child_process'
import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { javascriptOf } from '../../../scripts/javascript.ts'
import { scratchDir } from '../../support/scratch.ts'

const MODULE = fileURLToPath(new URL('../../../src/results/json-array-file.ts', import.meta.url))

/** A process that appends to the file without end, pieces of 20 rows, until it is killed. */
const APPENDER = `
const { JsonArrayFile } = await import(process.argv[1])
const file = new JsonArrayFile(process.argv[2])
for (let index = 0; ; index += 20) {
  file.append(Array.from({ length: 20 }, (_, row) => JSON.stringify({ index: index + row, message: 'x'.repeat((index + row) % 40) })))
}
`

it('is a JSON array after a kill at any moment of its writing', async () => {
  const dir = await scratchDir('json-array-file-')
  // The module as JavaScript, as the bundle is built from it (it imports only node:fs), so each of the 40 processes
  // starts in a tenth of the time that loading Node's TypeScript support takes.
  const module = path.join(dir, 'json-array-file.mjs')
  const source = await readFile(MODULE, 'utf8')
  await writeFile(module, javascriptOf(source, MODULE))
  for (let kill = 0; kill < 40; kill++) {
    const file = path.join(dir, `rows-${kill}.json`)
    const child = spawn(process.execPath, ['--input-type=module', '-e', APPENDER, module, file], { stdio: 'ignore' })
    const exited = new Promise((resolve) => child.once('exit', resolve))
    // A different moment each time: the first, as soon as the empty array is there (the first piece is written
    // whole, not copied), then after 2 to 40 pieces. (Each later piece copies the file, so larger files cost the
    // test time without finding other moments: a kill falls in a copy, a write or a rename whatever the size.)
    const size = kill === 0 ? 1 : 2_000 + kill * 1_000
    while (((await stat(file).catch(() => null))?.size ?? 0) < size) await delay(1)
    child.kill('SIGKILL')
    await exited
    const rows = JSON.parse(await readFile(file, 'utf8')) as { index: number }[]
    expect(rows.map((row) => row.index)).toEqual(rows.map((_, index) => index))
  }
})

it('holds every piece appended, readable by its owner only, with no copy left beside it', async () => {
  const { JsonArrayFile } = await import('../../../src/results/json-array-file.ts')
  const dir = await scratchDir('json-array-file-')
  const file = new JsonArrayFile(path.join(dir, 'rows.json'))
  expect(JSON.parse(await readFile(file.path, 'utf8'))).toEqual([])
  file.append([JSON.stringify({ index: 0 })])
  expect(JSON.parse(await readFile(file.path, 'utf8'))).toEqual([{ index: 0 }])
  file.append([JSON.stringify({ index: 1 }), JSON.stringify({ index: 2 })])
  expect(JSON.parse(await readFile(file.path, 'utf8'))).toEqual([{ index: 0 }, { index: 1 }, { index: 2 }])
  expect([...file.lines()].map((line) => JSON.parse(line) as unknown)).toEqual([{ index: 0 }, { index: 1 }, { index: 2 }])
  expect((await stat(file.path)).mode & 0o777).toBe(0o600)
  expect(await readdir(dir)).toEqual(['rows.json'])
})
