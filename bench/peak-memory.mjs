// Runs a bundle (BENCH_BUNDLE) in this process, as the runner would run it,
// and at exit writes two figures to BENCH_PEAK_FILE:
// - the process's peak resident set: the kernel's high-water mark (VmHWM in
//   /proc/self/status), so no peak between two samples is missed. It counts
//   what V8 reserves and keeps, which grows with how long and how fast a
//   process allocates, not only with what it holds;
// - the most heap the bundle held after a major collection: the heap in use
//   when each mark-sweep-compact has just ended (a `gc` performance entry),
//   which is what the action keeps alive.
// Plain JavaScript, so that Node loads nothing to strip types and the figure
// is the bundle's own.
import { readFileSync, writeFileSync } from 'node:fs'
import { constants, PerformanceObserver } from 'node:perf_hooks'
import process from 'node:process'
import { pathToFileURL } from 'node:url'

const bundle = process.env.BENCH_BUNDLE
const out = process.env.BENCH_PEAK_FILE
if (!bundle || !out) throw new Error('BENCH_BUNDLE and BENCH_PEAK_FILE must name the bundle and the file for the figure')
let peakLiveHeap = 0
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) peakLiveHeap = Math.max(peakLiveHeap, process.memoryUsage().heapUsed)
  }
}).observe({ entryTypes: ['gc'] })
process.on('exit', () => {
  const kib = /^VmHWM:\s*(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]
  writeFileSync(out, JSON.stringify({ peakRssBytes: Number(kib) * 1024, peakLiveHeapBytes: peakLiveHeap, heapUsedAtExit: process.memoryUsage().heapUsed }))
})
await import(pathToFileURL(bundle).href)
