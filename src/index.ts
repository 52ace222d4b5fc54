import * as core from '@actions/core'
import { context } from '@actions/github'
import { listenForCancellation } from './cancellation.ts'
import { run } from './main.ts'
import { OUTPUT_LIMIT_BYTES } from './report.ts'
import { readRunContext } from './run-context.ts'

const { cancel, abortInFlight } = listenForCancellation((message) => core.info(message))

await run({
  core,
  env: process.env,
  workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
  cancel,
  abortInFlight,
  runContext: () => Promise.resolve(readRunContext(context, process.env)),
  outputLimitBytes: OUTPUT_LIMIT_BYTES,
})
