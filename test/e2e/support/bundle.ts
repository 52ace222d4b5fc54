// The bundles test/e2e/support/global-setup.ts built from this commit's source.
import path from 'node:path'
import { inject } from 'vitest'

const dir = inject('bundleDir')

export const BUILT_ACTION = path.join(dir, 'index.js')
export const BUILT_CLI = path.join(dir, 'cli.js')
