// Dependencies called in-process (@actions/glob) log ::debug:: lines, which the
// runner shows only when debug logging is on (RUNNER_DEBUG=1); the test output does the same.
import { hideDebugLines } from '../../src/runner/log-stream.ts'

if (process.env.RUNNER_DEBUG !== '1') hideDebugLines(process.stdout)
