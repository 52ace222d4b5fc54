// The hostile-file benchmark picks the slowest shape on the machine's hour and runs it through the
// built action and through the yaml floor, so any shape may be the one: each must finish in both.
import { execFile } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { expect, test } from 'vitest'
import { SHAPES } from '../../bench/hostile-file.ts'
import { runAction } from '../../fakes/run-action.ts'
import { scratchDir } from '../support/scratch.ts'
import { BUILT_ACTION } from './support/bundle.ts'

const SMOKE_BYTES = 64 * 1024

test.concurrent.each(Object.keys(SHAPES))('the shape "%s" runs through the yaml floor and the dry run', async (shape) => {
  const dir = await scratchDir('bench-shape-')
  await mkdir(path.join(dir, 'manifests'))
  await writeFile(path.join(dir, 'manifests', 'hostile.yaml'), SHAPES[shape]!(SMOKE_BYTES))

  const floor = await promisify(execFile)(process.execPath, [path.resolve('bench/yaml-floor.ts'), path.join(dir, 'manifests')])
  expect(Number(floor.stdout)).toBeGreaterThan(0)

  const run = await runAction({
    entry: BUILT_ACTION,
    workspace: dir,
    inputs: { 'manifest-path': 'manifests/*.yaml', 'dry-run': 'true', 'fail-on-error': 'false' },
  })
  expect(run.exitCode, run.stdout.slice(-2000)).toBe(0)
})
