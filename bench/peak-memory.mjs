// Runs a bundle (BENCH_BUNDLE) in this process, as the runner would run it,
// and at exit writes its memory figures to BENCH_PEAK_FILE:
// - the heap it holds: every 100 ms a full collection (node runs with
//   --expose-gc, from NODE_OPTIONS), then the heap in use, at most; and the
//   same before the report starts (the log table's first line), which leaves
//   out the report's own output, a row per manifest;
// - the peak resident set: the kernel's high-water mark (VmHWM in
//   /proc/self/status). It counts what V8 reserves and keeps too, and the
//   collections forced here lower it, so it is reported, not judged.
// Plain JavaScript, so that Node loads nothing to strip types and the figures
// are the bundle's own.
import { readFileSync, writeFileSync } from 'node:fs'
import process from 'node:process'
import { setInterval } from 'node:timers'
import { pathToFileURL } from 'node:url'

const bundle = process.env.BENCH_BUNDLE
const out = process.env.BENCH_PEAK_FILE
const collect = globalThis.gc
if (!bundle || !out || !collect)
  throw new Error('BENCH_BUNDLE and BENCH_PEAK_FILE must name the bundle and the file for the figures, and node must run with --expose-gc')
let heldBytes = 0
let heldBeforeReportBytes = 0
let reporting = false
const write = process.stdout.write.bind(process.stdout)
process.stdout.write = (chunk, ...rest) => {
  if (!reporting && String(chunk).startsWith('Status ')) reporting = true
  return write(chunk, ...rest)
}
setInterval(() => {
  collect()
  const used = process.memoryUsage().heapUsed
  heldBytes = Math.max(heldBytes, used)
  if (!reporting) heldBeforeReportBytes = Math.max(heldBeforeReportBytes, used)
}, 100).unref()
process.on('exit', () => {
  const kib = /^VmHWM:\s*(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]
  writeFileSync(out, JSON.stringify({ peakRssBytes: Number(kib) * 1024, heldBytes, heldBeforeReportBytes }))
})
await import(pathToFileURL(bundle).href)
