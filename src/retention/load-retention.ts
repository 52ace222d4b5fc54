// The retention path is a bundle of its own, as Octokit is (targets/load-octokit.ts):
// the bundler leaves this import alone (webpackIgnore), and the module is found
// beside the running file, ./retention.ts among the sources (the tests) and
// dist/retention.js beside dist/index.js and dist/cli.js.
import type * as Retention from './retention.ts'

export type RetentionModule = typeof Retention

export function loadRetention(): Promise<RetentionModule> {
  const file = import.meta.url.endsWith('.ts') ? './retention.ts' : './retention.js'
  return import(/* webpackIgnore: true */ new URL(file, import.meta.url).href) as Promise<RetentionModule>
}
