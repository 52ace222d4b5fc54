// Runs a bundle (BENCH_BUNDLE) in this process, as the runner would run it,
// and at exit writes to BENCH_BLOCK_FILE the longest the event loop went
// without a turn from the sweep's first line ("Sweeping the pull requests …")
// to the log table's first line: listing, checking and deleting, not the
// start-up before or the report after. perf_hooks' event-loop delay monitor
// samples every 5 ms; its maximum is the longest block, to within that.
// Plain JavaScript, so that Node loads nothing to strip types.
import { writeFileSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import process from 'node:process'
import { pathToFileURL } from 'node:url'

const bundle = process.env.BENCH_BUNDLE
const out = process.env.BENCH_BLOCK_FILE
if (!bundle || !out) throw new Error('BENCH_BUNDLE and BENCH_BLOCK_FILE must name the bundle and the file for the figure')
const monitor = monitorEventLoopDelay({ resolution: 5 })
let state = 'before'
const write = process.stdout.write.bind(process.stdout)
process.stdout.write = (chunk, ...rest) => {
  const text = String(chunk)
  if (state === 'before' && text.startsWith('Sweeping the pull requests')) {
    state = 'sweeping'
    monitor.enable()
  } else if (state === 'sweeping' && text.startsWith('Status ')) {
    state = 'reporting'
    monitor.disable()
  }
  return write(chunk, ...rest)
}
process.on('exit', () => writeFileSync(out, JSON.stringify({ longestBlockMs: monitor.max / 1e6, sampled: state !== 'before' })))
await import(pathToFileURL(bundle).href)
