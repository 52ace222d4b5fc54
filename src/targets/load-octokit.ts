// Most of a bundle's start-up is V8 compiling what is in it, and Octokit with
// its plugins is a sixth of the action. A run that does not sweep never reads
// it: the bundler leaves this import alone (webpackIgnore), and the module is
// found beside the running file, ./octokit.ts among the sources (the tests)
// and dist/octokit.js beside dist/index.js and dist/cli.js.
import type * as Octokit from './octokit.ts'

export type OctokitModule = typeof Octokit

export function loadOctokit(): Promise<OctokitModule> {
  const file = import.meta.url.endsWith('.ts') ? './octokit.ts' : './octokit.js'
  return import(/* webpackIgnore: true */ new URL(file, import.meta.url).href) as Promise<OctokitModule>
}
