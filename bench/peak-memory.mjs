// Runs a bundle (BENCH_BUNDLE) in this process, as the runner would run it,
// and at exit writes the process's peak resident set to BENCH_PEAK_FILE: the
// kernel's high-water mark (VmHWM in /proc/self/status), so no peak between
// two samples is missed. Plain JavaScript, so that Node loads nothing to
// strip types and the figure is the bundle's own.
import { readFileSync, writeFileSync } from 'node:fs'
import process from 'node:process'
import { pathToFileURL } from 'node:url'

const bundle = process.env.BENCH_BUNDLE
const out = process.env.BENCH_PEAK_FILE
if (!bundle || !out) throw new Error('BENCH_BUNDLE and BENCH_PEAK_FILE must name the bundle and the file for the figure')
process.on('exit', () => {
  const kib = /^VmHWM:\s*(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]
  writeFileSync(out, JSON.stringify({ peakRssBytes: Number(kib) * 1024, heapUsedAtExit: process.memoryUsage().heapUsed }))
})
await import(pathToFileURL(bundle).href)
