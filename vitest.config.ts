import { readFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

// @actions/workflow-parser (test/unit/workflows.test.ts) imports JSON without
// `with { type: 'json' }`, which Node refuses, so Vite loads it instead. Its
// sourcemaps name sources it does not ship; reading it without them keeps
// Vite from warning once per module.
const workflowParser = /\/node_modules\/@actions\/workflow-parser\/dist\/.*\.js$/

// A test that times the event loop by the wall clock (a timer 50 ms late fails it) sees another
// file's work as its own, so these files run after the others, with nothing beside them.
const ALONE = ['test/unit/manifests/check.test.ts']

export default defineConfig({
  plugins: [
    {
      name: 'workflow-parser-without-sourcemaps',
      enforce: 'pre',
      async load(id) {
        if (!workflowParser.test(id)) return null
        const code = await readFile(id, 'utf8')
        return code.replace(/^\/\/# sourceMappingURL=.*$/m, '')
      },
    },
  ],
  test: {
    setupFiles: ['test/support/runner-debug.ts'],
    // A test spends a third of its time or more waiting (on a timer, a socket, a child process),
    // so one file more than the cores keeps them busy (vitest's default is one fewer, and a
    // percentage stops at the cores).
    maxWorkers: availableParallelism() + 1,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    server: { deps: { inline: ['@actions/workflow-parser'] } },
    projects: [
      // The unit files share each worker's modules (isolate: false) rather than import src/ and its dependencies
      // afresh for each file: that import was a quarter of the project's time. They can, since none mocks a module
      // or leaves a global changed (the one file that stubs variables unstubs them).
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], exclude: ALONE, isolate: false } },
      { extends: true, test: { name: 'unit-alone', include: ALONE, maxWorkers: 1 } },
      // Only the tests of the built action and the command line need the bundle, so only their
      // project builds it, once: `npm run test:unit` runs the others without it.
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], globalSetup: ['test/e2e/support/global-setup.ts'] } },
    ],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'text', 'html'],
    },
  },
})
