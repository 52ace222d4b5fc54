// Bundles the action (index.js, with licenses.txt) and the command line
// (cli/index.js) with ncc: into dist/ for `npm run build`, and into a
// temporary folder for the tests, which run the bundle of the source in front of them.
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import ncc from '@vercel/ncc'

const root = fileURLToPath(new URL('..', import.meta.url))

const ENTRIES = [
  { source: 'src/action.ts', out: '.', license: 'licenses.txt' },
  { source: 'src/cli.ts', out: 'cli', license: undefined },
] as const

export async function build(outDir: string): Promise<void> {
  await rm(outDir, { recursive: true, force: true })
  await Promise.all(ENTRIES.map((entry) => bundle(path.join(root, entry.source), path.join(outDir, entry.out), entry.license)))
}

/** One ncc bundle: `dir`/index.js and its assets (package.json, and the licenses when asked). */
export async function bundle(entry: string, dir: string, license?: string): Promise<string> {
  const { code, assets } = await ncc(entry, { quiet: true, ...(license ? { license } : {}) })
  await mkdir(dir, { recursive: true })
  const index = path.join(dir, 'index.js')
  await writeFile(index, code)
  // A shebang makes the command line's bundle a program, as `npm install -g` expects.
  if (code.startsWith('#!')) await chmod(index, 0o755)
  for (const [name, asset] of Object.entries(assets)) await writeFile(path.join(dir, name), asset.source)
  return index
}

if (import.meta.main) {
  const out = path.resolve(process.argv[2] ?? path.join(root, 'dist'))
  await build(out)
  console.log(`built ${path.relative(process.cwd(), out) || '.'}/index.js and cli/index.js`)
}
