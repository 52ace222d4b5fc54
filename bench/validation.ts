// Validation scale: a dry run over many manifests against a process that only
// reads and parses the same files, and the size of the job summary it writes.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { OUTPUT_LIMIT_BYTES } from '../src/report/outputs.ts'
import { DIST_ENTRY, runAction } from '../fakes/run-action.ts'
import { alternate, measuredBytes, median, ms, pairedRatio, type Figure } from './measure.ts'
import { MANIFEST_DIR, MANIFEST_PATTERN, type Workspace } from './workspace.ts'

/** GitHub drops a step summary of 1 MiB or more. */
const SUMMARY_LIMIT_BYTES = 1024 * 1024

export async function validationFigures(root: string, workspace: Workspace, repetitions: number): Promise<Figure[]> {
  const manifests = workspace.keys.length
  let summaryBytes = 0
  let resultsBytes = 0
  const samples = await alternate(repetitions, {
    action: async () => {
      const runnerTemp = await mkdtemp(path.join(tmpdir(), 'bench-runner-temp-'))
      const run = await runAction({
        entry: DIST_ENTRY,
        workspace: workspace.dir,
        inputs: { 'manifest-path': MANIFEST_PATTERN, 'dry-run': 'true' },
        env: { RUNNER_TEMP: runnerTemp },
      })
      if (run.exitCode !== 0) throw new Error(`the dry run exited with ${run.exitCode}:\n${run.stdout.slice(-4000)}${run.stderr}`)
      // Every row is in results-file; the results output holds what fits in 1 MB.
      const rows = (JSON.parse(await readFile(run.outputs['results-file'] ?? '', 'utf8')) as { status: string }[]).filter(
        (row) => row.status === 'dry-run',
      ).length
      await rm(runnerTemp, { recursive: true })
      if (rows !== manifests) throw new Error(`the dry run reported ${rows} of ${manifests} manifests as would-be-deleted`)
      summaryBytes = Buffer.byteLength(run.summary)
      resultsBytes = Buffer.byteLength(run.outputs.results ?? '')
      return run.durationMs
    },
    floor: async () => {
      const started = performance.now()
      const { stdout } = await promisify(execFile)(process.execPath, [
        path.join(root, 'bench/yaml-floor.ts'),
        path.join(workspace.dir, MANIFEST_DIR),
      ])
      if (Number(stdout) !== manifests) throw new Error(`the yaml floor parsed ${stdout.trim()} of ${manifests} documents`)
      return performance.now() - started
    },
  })
  const action = median(samples.action)
  const floor = median(samples.floor)
  const ratio = pairedRatio(samples.action, samples.floor)
  return [
    {
      figure: `validation scale (${manifests} manifests, a quarter of each kind, dry run)`,
      measured: ms(action),
      floor: `${ms(floor)} (read + yaml parse)`,
      ratio,
      target: '≤ 1.2×',
      pass: ratio <= 1.2,
    },
    {
      figure: '  its job summary',
      measured: measuredBytes(summaryBytes),
      floor: '—',
      ratio: null,
      target: '< 1 MiB',
      pass: summaryBytes < SUMMARY_LIMIT_BYTES,
    },
    {
      figure: '  its results output (every row is in results-file)',
      measured: measuredBytes(resultsBytes),
      floor: '—',
      ratio: null,
      target: '≤ 1 MB',
      pass: resultsBytes <= OUTPUT_LIMIT_BYTES,
    },
  ]
}
