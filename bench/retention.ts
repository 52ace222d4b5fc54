// The retention row: the built action applying 10 rules, each over the
// versions of one model, against the stand-in control plane, which answers
// each page of versions and each delete after a fixed latency. Timed against
// the latency floor; and the heap the action holds as the versions a rule
// lists grow while what it selects does not, which must stay flat.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DIST_ENTRY, runAction } from '../fakes/run-action.ts'
import { startStandIn } from '../fakes/stand-in-control-plane.ts'
import type { VersionSeed, VersionSet } from '../fakes/stand-in-listing.ts'
import { measuredBytes, median, ms, type Figure } from './measure.ts'

const TOKEN = 'bench-retention-token'
const RULES = 10
/** The action's page size for versions. */
const PAGE_SIZE = 100
/** Each rule's versions older than its cut-off, beyond the newest it keeps: what it selects, whatever the number listed. */
const OLD_PER_RULE = 100
const KEEP_LATEST = 5
const DAY = 24 * 60 * 60 * 1000

export interface RetentionSettings {
  versionsPerRule: number
  pageLatencyMs: number
  deleteLatencyMs: number
  concurrency: number
  runs: number
  /** Versions per rule whose held heap is compared, smallest first; the servers answer at once. */
  memorySizes: number[]
}

/** Each rule's model: its versions, the oldest OLD_PER_RULE created 60 days ago, the rest within the last 10 days. */
function versionSets(versionsPerRule: number): VersionSet[] {
  const now = Date.now()
  return Array.from({ length: RULES }, (_, rule) => ({
    type: 'model-version' as const,
    ml_repo: 'bench-previews',
    name: `model-${rule}`,
    versions: Array.from({ length: versionsPerRule }, (_, i): VersionSeed => ({
      version: i + 1,
      id: `m${rule}-v${i + 1}`,
      alias: `v0-pr${i + 1}`,
      created_at: new Date(now - (i < OLD_PER_RULE ? 60 : (10 * (versionsPerRule - i)) / versionsPerRule) * DAY).toISOString(),
    })),
  }))
}

const RULE_FILE = Array.from(
  { length: RULES },
  (_, rule) => `ml_repo: bench-previews\nname: model-${rule}\ntype: model-version\nkeep_latest: ${KEEP_LATEST}\nolder_than_days: 30\n`,
).join('---\n')

interface RetentionRun {
  ms: number
  pages: number
  deletes: number
  heldBytes: number | null
}

async function retentionOnce(
  root: string,
  workspace: string,
  settings: RetentionSettings,
  versionsPerRule: number,
  measureMemory: boolean,
) {
  const latency = measureMemory ? { page: 0, delete: 0 } : { page: settings.pageLatencyMs, delete: settings.deleteLatencyMs }
  const standIn = await startStandIn({
    token: TOKEN,
    serves: 'svc-v1',
    versions: versionSets(versionsPerRule),
    pageDelayMs: latency.page,
    deleteDelayMs: latency.delete,
  })
  const peakFile = path.join(workspace, 'peak.json')
  try {
    const run = await runAction({
      entry: measureMemory ? path.join(root, 'bench/peak-memory.mjs') : DIST_ENTRY,
      workspace,
      inputs: {
        'retention-rules': 'retention.yaml',
        'control-plane-url': standIn.url,
        token: TOKEN,
        'max-deletions': String(RULES * OLD_PER_RULE),
        concurrency: String(settings.concurrency),
      },
      env: measureMemory ? { BENCH_BUNDLE: DIST_ENTRY, BENCH_PEAK_FILE: peakFile, NODE_OPTIONS: '--expose-gc' } : {},
    })
    if (run.exitCode !== 0) throw new Error(`retention exited with ${run.exitCode}:\n${run.stdout.slice(-4000)}${run.stderr}`)
    const deletes = standIn.requests.filter((request) => request.method === 'DELETE').length
    const pages = standIn.requests.filter((request) => request.method === 'GET' && request.path.includes('-versions?')).length
    if (deletes !== RULES * OLD_PER_RULE) throw new Error(`retention sent ${deletes} deletes; the rules select ${RULES * OLD_PER_RULE}`)
    const heldBytes = measureMemory ? (JSON.parse(await readFile(peakFile, 'utf8')) as { heldBytes: number }).heldBytes : null
    return { ms: run.durationMs, pages, deletes, heldBytes } satisfies RetentionRun
  } finally {
    await Promise.all([standIn.close(), rm(peakFile, { force: true })])
  }
}

/**
 * The latency floor: each rule's pages one after another (each page's offset
 * follows the one before, and the total is checked on each), `concurrency`
 * rules at a time; then the deletes, `concurrency` at a time, which wait for
 * every rule's listing, since the limit is on the run's whole selection.
 */
export function retentionFloorMs(settings: RetentionSettings, pagesPerRule: number, deletes: number): number {
  const rounds = Math.ceil(RULES / settings.concurrency)
  return rounds * pagesPerRule * settings.pageLatencyMs + Math.ceil(deletes / settings.concurrency) * settings.deleteLatencyMs
}

export async function retentionFigures(root: string, settings: RetentionSettings, progress: (text: string) => void): Promise<Figure[]> {
  const workspace = await mkdtemp(path.join(tmpdir(), 'bench-retention-'))
  try {
    await writeFile(path.join(workspace, 'retention.yaml'), RULE_FILE)
    const timed: RetentionRun[] = []
    for (let i = 0; i < settings.runs; i++) {
      progress(`retention: run ${i + 1} of ${settings.runs}, ${RULES} rules × ${settings.versionsPerRule} versions`)
      timed.push(await retentionOnce(root, workspace, settings, settings.versionsPerRule, false))
    }
    const pagesPerRule = Math.ceil(settings.versionsPerRule / PAGE_SIZE)
    for (const run of timed) {
      if (run.pages !== RULES * pagesPerRule)
        throw new Error(`a retention run read ${run.pages} pages; the floor counts ${RULES * pagesPerRule}`)
    }
    const floor = retentionFloorMs(settings, pagesPerRule, RULES * OLD_PER_RULE)
    const measured = median(timed.map((run) => run.ms))
    const held: number[] = []
    for (const size of settings.memorySizes) {
      progress(`retention: heap held at ${size} versions a rule, servers answering at once`)
      held.push((await retentionOnce(root, workspace, settings, size, true)).heldBytes!)
    }
    const growth = held[held.length - 1]! / held[0]!
    return [
      {
        figure: `retention (${RULES} rules × ${settings.versionsPerRule} versions, ${pagesPerRule} pages each at ${settings.pageLatencyMs} ms, ${RULES * OLD_PER_RULE} deletes at ${settings.deleteLatencyMs} ms, concurrency ${settings.concurrency})`,
        measured: ms(measured),
        floor: `${ms(floor)} (ceil(rules/c)·pages·${settings.pageLatencyMs} + ceil(deletes/c)·${settings.deleteLatencyMs})`,
        ratio: measured / floor,
        target: '≤ 1.1×',
        pass: measured / floor <= 1.1,
      },
      ...settings.memorySizes.map((size, i) => ({
        figure: `  retention heap held, at most, ${size} versions a rule (${OLD_PER_RULE} selected)`,
        measured: measuredBytes(held[i]!),
        floor: i === 0 ? '—' : `${measuredBytes(held[0]!)} (${settings.memorySizes[0]} versions)`,
        ratio: i === 0 ? null : held[i]! / held[0]!,
        target: i === held.length - 1 ? '≤ 1.25× (flat)' : '—',
        pass: i === held.length - 1 ? growth <= 1.25 : null,
      })),
    ]
  } finally {
    await rm(workspace, { recursive: true, force: true })
  }
}
