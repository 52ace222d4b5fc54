// Dependencies called in-process (@actions/glob) log ::debug:: lines, which the
// runner shows only when debug logging is on (RUNNER_DEBUG=1); the test output does the same.
if (process.env.RUNNER_DEBUG !== '1') {
  const write = process.stdout.write.bind(process.stdout) as (chunk: unknown, ...rest: unknown[]) => boolean
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) =>
    typeof chunk === 'string' && chunk.startsWith('::debug::') ? true : write(chunk, ...rest))
}
