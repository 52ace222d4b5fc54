import { randomUUID } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import * as core from '@actions/core'
import { listenForCancellation } from './runner/cancellation.ts'
import { backlog, flushed } from './runner/log-stream.ts'
import { run } from './run.ts'
import { readRunContext } from './runner/run-context.ts'
import { stepSummary } from './runner/step-summary.ts'

const { cancel, abortInFlight } = listenForCancellation((message) => core.info(message))

await run({
  core: { ...core, summary: stepSummary(process.env) },
  env: process.env,
  workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
  cancel,
  abortInFlight,
  runContext: () => readRunContext(process.env),
  logBacklog: () => backlog(process.stdout),
  // In the runner's temporary directory, which later steps of the job can read and the runner empties after it.
  resultsFile: path.join(process.env.RUNNER_TEMP || os.tmpdir(), `truefoundry-cleanup-results-${randomUUID()}.json`),
})

// The step's work is done, its exit code set: it ends as soon as the log has all of it, rather than
// after what a natural exit waits for first (V8's idle-time garbage collection, about a millisecond).
await Promise.all([flushed(process.stdout), flushed(process.stderr)])
process.exit()
