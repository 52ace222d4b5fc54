/**
 * Null while `stream` takes what is written at once; else a promise that
 * settles when it has room again (or is gone). The runner reads a step's log
 * at its own pace: a table of many thousand rows written without waiting
 * would pile up in memory meanwhile.
 */
export function backlog(stream: NodeJS.WriteStream): Promise<void> | null {
  if (!stream.writableNeedDrain || stream.destroyed) return null
  return new Promise((resolve) => {
    const done = () => {
      for (const event of ['drain', 'close', 'error']) stream.off(event, done)
      resolve()
    }
    for (const event of ['drain', 'close', 'error']) stream.on(event, done)
  })
}

/** Settles once everything written to `stream` before it has gone to the OS (or the stream is gone). */
export function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed) return Promise.resolve()
  return new Promise((resolve) => stream.write('', () => resolve()))
}

/** Drops the `::debug::` lines dependencies such as `@actions/glob` write through `@actions/core`, as the runner does unless debug logging is on. */
export function hideDebugLines(stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean
  stream.write = (chunk: unknown, ...rest: unknown[]) =>
    typeof chunk === 'string' && chunk.startsWith('::debug::') ? true : write(chunk, ...rest)
}
