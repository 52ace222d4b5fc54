// Validation scale: a dry run over many manifests against a process that only
// reads and parses the same files, and the size of the job summary it writes.
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { DIST_ENTRY, runAction } from '../test/support/run-action.ts'
import { alternate, formatBytes, median, ms, pairedRatio, type Figure } from './measure.ts'
import { MANIFEST_DIR, MANIFEST_PATTERN, type Workspace } from './workspace.ts'

/** GitHub drops a step summary of 1 MiB or more. */
const SUMMARY_LIMIT_BYTES = 1024 * 1024

export async function validationFigures(root: string, workspace: Workspace, repetitions: number): Promise<Figure[]> {
  const manifests = workspace.keys.length
  let summaryBytes = 0
  const samples = await alternate(repetitions, {
    action: async () => {
      const run = await runAction({ entry: DIST_ENTRY, workspace: workspace.dir, inputs: { 'manifest-path': MANIFEST_PATTERN, 'dry-run': 'true' } })
      if (run.exitCode !== 0) throw new Error(`the dry run exited with ${run.exitCode}:\n${run.stdout.slice(-4000)}${run.stderr}`)
      const rows = (JSON.parse(run.outputs.results ?? '[]') as { status: string }[]).filter((row) => row.status === 'dry-run').length
      if (rows !== manifests) throw new Error(`the dry run reported ${rows} of ${manifests} manifests as would-be-deleted`)
      summaryBytes = Buffer.byteLength(run.summary)
      return run.durationMs
    },
    floor: async () => {
      const started = performance.now()
      const { stdout } = await promisify(execFile)(process.execPath, [path.join(root, 'bench/yaml-floor.ts'), path.join(workspace.dir, MANIFEST_DIR)])
      if (Number(stdout) !== manifests) throw new Error(`the yaml floor parsed ${stdout.trim()} of ${manifests} documents`)
      return performance.now() - started
    },
  })
  const action = median(samples.action)
  const floor = median(samples.floor)
  const ratio = pairedRatio(samples.action, samples.floor)
  return [
    {
      figure: `validation scale (${manifests} manifests, half models, dry run)`,
      measured: ms(action),
      floor: `${ms(floor)} (read + yaml parse)`,
      ratio,
      target: '≤ 1.2×',
      pass: ratio <= 1.2,
    },
    {
      figure: '  its job summary',
      measured: formatBytes(summaryBytes),
      floor: '—',
      ratio: null,
      target: '< 1 MiB',
      pass: summaryBytes < SUMMARY_LIMIT_BYTES,
    },
  ]
}
