// Start-up: the built action's one-manifest dry run against the least this
// stack can cost, a bundle built the same way that imports @actions/core and
// reads one input; and, for scale, a bundle that does nothing.
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { runAction } from '../test/support/run-action.ts'
import { alternate, median, ms, pairedRatio, type Figure } from './measure.ts'
import { makeWorkspace, MANIFEST_PATTERN } from './workspace.ts'

/** The floor: the least an action built on @actions/core can cost. */
export const CORE_FLOOR = `import * as core from '@actions/core'
core.getInput('manifest-path')
`
/** For scale: Node starting and loading an ncc bundle that does nothing. */
export const EMPTY_BUNDLE = `process.env['INPUT_MANIFEST-PATH']
`

export interface FloorBundle {
  entry: string
  remove(): Promise<void>
}

/** ncc with the flags of `npm run build`, so the floor pays for what the build adds (the bundle's own loader, the target). */
export async function buildFloorBundle(root: string, source: string): Promise<FloorBundle> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-floor-'))
  await writeFile(path.join(dir, 'package.json'), '{ "type": "module" }\n')
  await writeFile(path.join(dir, 'floor.js'), source)
  await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir')
  const out = path.join(dir, 'out')
  await mkdir(out)
  const ncc = path.join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js')
  await promisify(execFile)(process.execPath, [ncc, 'build', 'floor.js', ...(await buildFlags(root, out))], { cwd: dir })
  return { entry: path.join(out, 'index.js'), remove: () => rm(dir, { recursive: true, force: true }) }
}

/** The flags after the entry in package.json's `ncc build …`, with the output directory swapped. */
async function buildFlags(root: string, out: string): Promise<string[]> {
  const { scripts } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  const match = /ncc build \S+((?: [^&|;]+)*)/.exec(scripts.build ?? '')
  if (!match) throw new Error('package.json has no "ncc build <entry> …" in its build script')
  const flags = match[1]!.trim().split(/\s+/)
  const output = flags.findIndex((flag) => flag === '-o' || flag === '--out')
  if (output === -1) return [...flags, '-o', out]
  flags[output + 1] = out
  return flags
}

export async function startupFigures(floor: FloorBundle, empty: FloorBundle, repetitions: number): Promise<Figure[]> {
  const workspace = await makeWorkspace(1, 1)
  try {
    const inputs = { 'manifest-path': MANIFEST_PATTERN, 'dry-run': 'true' }
    const time = async (entry?: string) => {
      const run = await runAction({ workspace: workspace.dir, inputs, ...(entry ? { entry } : {}) })
      if (run.exitCode !== 0) throw new Error(`${entry ?? 'dist/index.js'} exited with ${run.exitCode}:\n${run.stdout}${run.stderr}`)
      return run.durationMs
    }
    const samples = await alternate(repetitions, { action: () => time(), floor: () => time(floor.entry), empty: () => time(empty.entry) })
    const least = ms(median(samples.floor), 1)
    const ratio = pairedRatio(samples.action, samples.floor)
    return [
      {
        figure: 'start-up (1-manifest dry run)',
        measured: ms(median(samples.action), 1),
        floor: `${least} (@actions/core bundle)`,
        ratio,
        target: '≤ 1.25×',
        pass: ratio <= 1.25,
      },
      {
        figure: '  an empty bundle, for scale',
        measured: ms(median(samples.empty), 1),
        floor: `${least} (@actions/core bundle)`,
        ratio: pairedRatio(samples.empty, samples.floor),
        target: '—',
        pass: null,
      },
    ]
  } finally {
    await workspace.remove()
  }
}
