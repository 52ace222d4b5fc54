// The file itself: refused by its size, unread, with a size that never reads as the limit.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_FILE_BYTES } from '../../../src/manifests/read.ts'
import { plain, readParseAndFillIn } from '../../support/load-manifest.ts'

describe('a file over MAX_FILE_BYTES', () => {
  let dir = ''
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'manifests-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('is refused by its size, unread', async () => {
    // All NUL bytes: read, it would be refused as binary instead.
    const absolute = path.join(dir, 'huge.yaml')
    await writeFile(absolute, '')
    await truncate(absolute, MAX_FILE_BYTES + 1)
    expect(await readParseAndFillIn({ absolute, relative: 'huge.yaml', refusal: null }, plain)).toEqual({
      kind: 'unreadable',
      line: 1,
      column: 1,
      reason: 'is 1,048,577 bytes, larger than the 1,048,576 bytes (1.0 MiB) a manifest file may be',
    })
  })

  it.each([
    [2 * 1024 * 1024, 'is 2.0 MiB, larger than the 1.0 MiB a manifest file may be'],
    [1024 * 1024 + 60 * 1024, 'is 1.1 MiB, larger than the 1.0 MiB a manifest file may be'],
    [1024 * 1024 + 1024, 'is 1,049,600 bytes, larger than the 1,048,576 bytes (1.0 MiB) a manifest file may be'],
  ])('names a size of %i bytes so that it never reads as the limit', async (size, reason) => {
    const absolute = path.join(dir, `over-${size}.yaml`)
    await writeFile(absolute, '')
    await truncate(absolute, size)
    expect(await readParseAndFillIn({ absolute, relative: 'over.yaml', refusal: null }, plain)).toMatchObject({ reason })
  })

  it('is read when exactly at the limit', async () => {
    const absolute = path.join(dir, 'at-limit.yaml')
    const manifest = 'name: churn-model\n'
    await writeFile(absolute, manifest + '#'.repeat(MAX_FILE_BYTES - manifest.length))
    expect(await readParseAndFillIn({ absolute, relative: 'at-limit.yaml', refusal: null }, plain)).toMatchObject([
      { value: { name: 'churn-model' } },
    ])
  })
})

describe('a file that is not a regular file', () => {
  let dir = ''
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'manifests-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it.skipIf(process.platform === 'win32').each([
    [
      'a FIFO that no one writes to',
      () => {
        const fifo = path.join(dir, 'pipe.yaml')
        execFileSync('mkfifo', [fifo])
        return fifo
      },
    ],
    ['a device that never ends (/dev/zero)', () => '/dev/zero'],
    ['a device that is always empty (/dev/null)', () => '/dev/null'],
  ])('is refused at once, not waited on or read: %s', async (_name, make) => {
    expect(await readParseAndFillIn({ absolute: make(), relative: 'pipe.yaml', refusal: null }, plain)).toEqual({
      kind: 'unreadable',
      line: 1,
      column: 1,
      reason: 'is not a regular file (a FIFO, socket or device): manifests are files in the repository',
    })
  })
})

describe('a file whose size says less than it holds', () => {
  it.skipIf(process.platform !== 'linux')('is read to its end: a /proc file says 0 bytes', async () => {
    const loaded = await readParseAndFillIn({ absolute: '/proc/self/status', relative: 'status', refusal: null }, plain)
    // Its first line and its last, though fstat said the file was empty.
    expect(Array.isArray(loaded) && loaded[0]!.value).toMatchObject({
      Name: expect.any(String),
      nonvoluntary_ctxt_switches: expect.any(Number),
    })
  })

  it.skipIf(!existsSync('/proc/kallsyms'))(
    'is refused once it is read past the limit: /proc/kallsyms says 0 bytes and holds megabytes',
    async () => {
      expect(await readParseAndFillIn({ absolute: '/proc/kallsyms', relative: 'kallsyms', refusal: null }, plain)).toEqual({
        kind: 'unreadable',
        line: 1,
        column: 1,
        reason: 'holds more than the 1.0 MiB a manifest file may be, though its size read 0 bytes',
      })
    },
  )
})
