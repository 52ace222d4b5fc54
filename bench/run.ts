// npm run bench: measures the built action (dist/) against floors measured in
// the same run on the same machine, and prints one table. Not a test: a
// missed target fails a full run; `--smoke` runs tiny sizes and judges nothing.
import { existsSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { bundleFigures } from './bundle.ts'
import { renderTable, type Figure } from './measure.ts'
import { costPerRequestFigures, throughputAndRetryFigures, type NetworkSettings } from './network.ts'
import { buildFloorBundle, dependencyFloor, EMPTY_BUNDLE, startupFigures } from './startup.ts'
import { hostileFileFigures } from './hostile-file.ts'
import { sweepFigures } from './sweep.ts'
import { sweepCheckFigures } from './sweep-check.ts'
import { retentionFigures } from './retention.ts'
import { validationFigures } from './validation.ts'
import { makeWorkspace } from './workspace.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const smoke = process.argv.includes('--smoke')
/** `--only start-up,network`: measure some groups (start-up, network, validation, hostile-file, sweep, sweep-check, retention, bundle); the default is all. */
const onlyArgument = process.argv.indexOf('--only')
const groups = new Set(
  onlyArgument === -1
    ? ['start-up', 'network', 'validation', 'hostile-file', 'sweep', 'sweep-check', 'retention', 'bundle']
    : (process.argv[onlyArgument + 1] ?? '').split(','),
)

const SIZES = smoke
  ? {
      startupRuns: 2,
      network: { manifests: 16, latencyMs: 5, faultRate: 0.2 },
      networkRuns: 1,
      costRuns: 1,
      validation: { files: 2, perFile: 10 },
      validationRuns: 1,
      hostileBytes: 64 * 1024,
      hostileRuns: 1,
      sweep: { pullRequests: 150, githubLatencyMs: 5, controlPlaneLatencyMs: 2, runs: 1, memorySizes: [20, 40] },
      sweepCheck: { pullRequests: 30, runs: 1 },
      retention: { versionsPerRule: 200, pageLatencyMs: 5, deleteLatencyMs: 2, concurrency: 4, runs: 1, memorySizes: [200, 400] },
    }
  : {
      startupRuns: 90,
      network: { manifests: 400, latencyMs: 50, faultRate: 0.2 },
      networkRuns: 5,
      costRuns: 15,
      validation: { files: 200, perFile: 100 },
      validationRuns: 5,
      hostileBytes: 1024 * 1024,
      hostileRuns: 3,
      sweep: { pullRequests: 1000, githubLatencyMs: 100, controlPlaneLatencyMs: 50, runs: 3, memorySizes: [250, 1000, 4000] },
      sweepCheck: { pullRequests: 300, runs: 5 },
      retention: { versionsPerRule: 1000, pageLatencyMs: 100, deleteLatencyMs: 50, concurrency: 4, runs: 3, memorySizes: [1000, 10_000] },
    }

if (!existsSync(new URL('../dist/index.js', import.meta.url))) {
  console.error('dist/index.js is missing: run `npm run build` first; the benchmark measures the built action.')
  process.exit(2)
}

const progress = (text: string) => process.stderr.write(`bench: ${text}\n`)
/** Other work on the machine moves every figure; the load average before and after says how much there was. */
const loadAtStart = loadavg()[0]!
const figures: Figure[] = []

if (groups.has('start-up')) {
  progress('building the start-up floor and an empty bundle with ncc')
  const [floor, empty] = await Promise.all([buildFloorBundle(root, await dependencyFloor(root)), buildFloorBundle(root, EMPTY_BUNDLE)])
  try {
    progress(`start-up: ${SIZES.startupRuns} runs each of dist/index.js, the floor and the empty bundle, alternating`)
    figures.push(...(await startupFigures(floor, empty, SIZES.startupRuns)))
  } finally {
    await Promise.all([floor.remove(), empty.remove()])
  }
}

if (groups.has('network')) {
  const network: NetworkSettings = SIZES.network
  const perFile = Math.min(100, network.manifests)
  const workspace = await makeWorkspace(Math.ceil(network.manifests / perFile), perFile)
  try {
    progress(`throughput and retry cost: ${SIZES.networkRuns} runs each without faults, of node:http, and with faults`)
    const [throughput, bareThroughput, retry] = await throughputAndRetryFigures(root, workspace, network, SIZES.networkRuns)
    progress(`cost per request: ${SIZES.costRuns} runs each of the action on each generation, node:http and fetch`)
    figures.push(throughput!, bareThroughput!, ...(await costPerRequestFigures(root, workspace, network, SIZES.costRuns)), retry!)
  } finally {
    await workspace.remove()
  }
}

if (groups.has('validation')) {
  // A quarter of each kind, so every generated validator runs at scale: the model's has the most to check, the prompt's its messages.
  const workspace = await makeWorkspace(SIZES.validation.files, SIZES.validation.perFile, 'quarter-each')
  try {
    progress(`validation scale: ${SIZES.validationRuns} runs each of the dry run and the yaml floor, a quarter of each kind`)
    figures.push(...(await validationFigures(root, workspace, SIZES.validationRuns)))
  } finally {
    await workspace.remove()
  }
}

if (groups.has('hostile-file')) {
  progress(
    `hostile file: each shape of ${SIZES.hostileBytes / 1024} KiB through the validation stage, ${SIZES.hostileRuns} runs; the worst through the dry run`,
  )
  figures.push(...(await hostileFileFigures(root, SIZES.hostileBytes, SIZES.hostileRuns, progress)))
}

if (groups.has('sweep')) {
  const { sweep } = SIZES
  progress(
    `sweep: ${sweep.runs} runs of ${sweep.pullRequests} pull requests, then the peak resident set at ${sweep.memorySizes.join(', ')}`,
  )
  figures.push(...(await sweepFigures(root, sweep, progress)))
}

if (groups.has('sweep-check')) figures.push(...(await sweepCheckFigures(root, SIZES.sweepCheck, progress)))

if (groups.has('retention')) figures.push(...(await retentionFigures(root, SIZES.retention, progress)))

if (groups.has('bundle')) figures.push(...(await bundleFigures(root)))

const cpu = cpus()[0]?.model ?? 'unknown CPU'
const load = `load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end`
const kind = smoke ? 'Smoke run (tiny sizes, targets not judged)' : onlyArgument === -1 ? 'Full run' : `Run of ${[...groups].join(', ')}`
console.log(`\n${kind}: Node ${process.version}, ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${load}\n`)
console.log(renderTable(figures, !smoke))
const missed = figures.filter((figure) => figure.pass === false)
if (missed.length > 0 && !smoke) {
  console.error(
    `\n${missed.length} ${missed.length === 1 ? 'target was' : 'targets were'} missed: ${missed.map((figure) => figure.figure.trim()).join('; ')}`,
  )
  process.exitCode = 1
}
