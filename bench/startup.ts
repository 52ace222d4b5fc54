// Start-up: the built action's one-manifest dry run against the least its
// dependencies cost, a bundle built the same way that imports each of them
// through its entry point and does nothing; and, for scale, a bundle that
// imports nothing.
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { bundle } from '../scripts/build.ts'
import { DIST_ENTRY, runAction } from '../fakes/run-action.ts'
import { alternate, median, ms, pairedRatio, type Figure } from './measure.ts'
import { makeWorkspace, MANIFEST_PATTERN } from './workspace.ts'

/** The floor: every runtime dependency of package.json loaded through its entry point, and one input read. */
export async function dependencyFloor(root: string): Promise<string> {
  const { dependencies } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
  const names = Object.keys(dependencies)
  const imports = names.map((name, index) => `import * as dependency${index} from '${name}'`)
  // Kept in use, so that the bundler cannot drop a module it believes has no side effects.
  return `${imports.join('\n')}\nglobalThis.loaded = [${names.map((_, index) => `dependency${index}`).join(', ')}]\nprocess.env['INPUT_MANIFEST-PATH']\n`
}

/** For scale: Node starting and loading an ncc bundle that does nothing. */
export const EMPTY_BUNDLE = `process.env['INPUT_MANIFEST-PATH']
`

export interface FloorBundle {
  entry: string
  remove(): Promise<void>
}

/** Bundled as `npm run build` bundles the action, so the floor pays for what the build adds (the bundle's own loader, the target). */
export async function buildFloorBundle(root: string, source: string): Promise<FloorBundle> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-floor-'))
  await writeFile(path.join(dir, 'package.json'), '{ "type": "module" }\n')
  await writeFile(path.join(dir, 'floor.js'), source)
  await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir')
  const entry = await bundle(path.join(dir, 'floor.js'), path.join(dir, 'out'))
  return { entry, remove: () => rm(dir, { recursive: true, force: true }) }
}

export async function startupFigures(floor: FloorBundle, empty: FloorBundle, repetitions: number): Promise<Figure[]> {
  const workspace = await makeWorkspace(1, 1)
  try {
    const inputs = { 'manifest-path': MANIFEST_PATTERN, 'dry-run': 'true' }
    const time = async (entry?: string) => {
      const run = await runAction({ workspace: workspace.dir, inputs, entry: entry ?? DIST_ENTRY })
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
        floor: `${least} (dependencies bundle)`,
        ratio,
        target: '≤ 1.10×',
        pass: ratio <= 1.1,
      },
      {
        figure: '  an empty bundle, for scale',
        measured: ms(median(samples.empty), 1),
        floor: `${least} (dependencies bundle)`,
        ratio: pairedRatio(samples.empty, samples.floor),
        target: '—',
        pass: null,
      },
    ]
  } finally {
    await workspace.remove()
  }
}
