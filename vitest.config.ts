import { readFile } from 'node:fs/promises'
import { defineConfig } from 'vitest/config'

// @actions/workflow-parser (test/unit/workflows.test.ts) imports JSON without
// `with { type: 'json' }`, which Node refuses, so Vite loads it instead. Its
// sourcemaps name sources it does not ship; reading it without them keeps
// Vite from warning once per module.
const workflowParser = /\/node_modules\/@actions\/workflow-parser\/dist\/.*\.js$/

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
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/e2e/support/global-setup.ts'],
    setupFiles: ['test/support/runner-debug.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    server: { deps: { inline: ['@actions/workflow-parser'] } },
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'text', 'html'],
    },
  },
})
