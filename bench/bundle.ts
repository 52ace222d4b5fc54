// Bundle: what `runs.main` makes the runner download and what start-up may read.
import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { measuredBytes, type Figure } from './measure.ts'

export async function bundleFigures(root: string): Promise<Figure[]> {
  const dist = path.join(root, 'dist')
  const entries = await readdir(dist, { recursive: true, withFileTypes: true })
  const files = entries.filter((entry) => entry.isFile()).map((entry) => path.relative(dist, path.join(entry.parentPath, entry.name)))
  const sizes = await Promise.all(files.sort().map(async (name) => ({ name, bytes: (await stat(path.join(dist, name))).size })))
  const total = sizes.reduce((sum, file) => sum + file.bytes, 0)
  return [
    { figure: 'bundle (dist/)', measured: measuredBytes(total), floor: '—', ratio: null, target: 'report', pass: null },
    ...sizes.map(({ name, bytes }) => ({
      figure: `  ${name}`,
      measured: measuredBytes(bytes),
      floor: '—',
      ratio: null,
      target: 'report',
      pass: null,
    })),
  ]
}
