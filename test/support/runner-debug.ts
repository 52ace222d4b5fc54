// Dependencies called in-process (@actions/glob) log ::debug:: lines, which the
// runner shows only when debug logging is on (RUNNER_DEBUG=1); the test output does the same.
// Unit test files share a worker's modules (isolate: false), and this file runs before each of them: the stream is
// wrapped once.
import { hideDebugLines } from '../../src/runner/log-stream.ts'

const HIDDEN = Symbol.for('truefoundry-cleanup.tests.debug-lines-hidden')
const marked = process.stdout as NodeJS.WriteStream & { [HIDDEN]?: true }

if (process.env.RUNNER_DEBUG !== '1' && !marked[HIDDEN]) {
  hideDebugLines(process.stdout)
  marked[HIDDEN] = true
}
