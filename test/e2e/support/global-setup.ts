// Builds the action and the command line from the source in front of the
// tests, so that the tests of the built action never run a stale dist/.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { build } from '../../../scripts/build.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    bundleDir: string
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tfy-cleanup-bundle-'))
  await build(dir)
  project.provide('bundleDir', dir)
  return () => rm(dir, { recursive: true, force: true })
}
