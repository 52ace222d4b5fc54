// backlog(): the report's way to wait for a log read slower than it is written.
import { PassThrough, Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { backlog, hideDebugLines } from '../../../src/runner/log-stream.ts'

/** A log whose reader takes each write only when `take` is called. */
function slowLog() {
  const pending: (() => void)[] = []
  const stream = new Writable({ highWaterMark: 16, write: (_chunk, _encoding, done) => void pending.push(done) })
  return { stream: stream as unknown as NodeJS.WriteStream, take: () => pending.shift()?.() }
}

describe('backlog', () => {
  it('is null while the log takes what is written', () => {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream
    stream.write('short line\n')
    expect(backlog(stream)).toBeNull()
  })

  it('waits, once the log is backed up, until it has room again', async () => {
    const log = slowLog()
    log.stream.write('a line longer than the buffer of the log\n')
    const wait = backlog(log.stream)
    expect(wait).not.toBeNull()
    let settled = false
    void wait!.then(() => (settled = true))
    await new Promise((resolve) => setImmediate(resolve))
    expect(settled).toBe(false)
    log.take()
    await wait
    expect(settled).toBe(true)
    expect(log.stream.listenerCount('drain')).toBe(0)
  })

  it.each([
    ['closed', (stream: NodeJS.WriteStream) => void stream.destroy()],
    ['broken', (stream: NodeJS.WriteStream) => void stream.destroy(new Error('EPIPE'))],
  ])('does not wait forever on a log that is %s', async (_, end) => {
    const log = slowLog()
    log.stream.on('error', () => undefined)
    log.stream.write('a line longer than the buffer of the log\n')
    const wait = backlog(log.stream)!
    end(log.stream)
    await wait
    expect(backlog(log.stream)).toBeNull()
  })
})

describe('hideDebugLines', () => {
  it('drops only the lines that are ::debug:: commands', () => {
    const written: string[] = []
    const stream = new Writable({
      write: (chunk: Buffer, _encoding, done) => void (written.push(chunk.toString()), done()),
    }) as unknown as NodeJS.WriteStream
    hideDebugLines(stream)
    for (const line of ['::debug::Search path /w\n', '::warning::kept\n', 'a line that mentions ::debug::\n']) stream.write(line)
    expect(written).toEqual(['::warning::kept\n', 'a line that mentions ::debug::\n'])
  })
})
