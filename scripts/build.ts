// Bundles the action (index.js), the command line (cli.js), what only a
// sweep loads (sweep-listing.js, and octokit.js which the listing loads), what
// only a run that sends deletes loads (deletion-stage.js), what only retention
// loads (retention.js) and each manifest kind's validator
// (validators/<kind>.cjs) with ncc, side by side,
// with one licenses.txt for them all: into dist/ for `npm run build`, and into a temporary folder for
// the tests, which run the bundle of the source in front of them.
import { readdirSync, readFileSync } from 'node:fs'
import { chmod, copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import ncc from '@vercel/ncc'
import { javascriptOf } from './javascript.ts'

const root = fileURLToPath(new URL('..', import.meta.url))

const ENTRIES = [
  { source: 'src/action.ts', out: 'index.js' },
  { source: 'src/cli.ts', out: 'cli.js' },
  // Loaded by src/targets/load-octokit.ts, from beside any of the three above.
  { source: 'src/targets/octokit.ts', out: 'octokit.js' },
  // Loaded by src/retention/load-retention.ts, from beside either, when retention-rules is given.
  { source: 'src/retention/retention.ts', out: 'retention.js' },
  // Loaded by src/manifests/kinds.ts, from beside either, the first time a manifest of the kind is checked.
  ...readdirSync(path.join(root, 'src/schema/validators'))
    .filter((name) => name.endsWith('.cjs'))
    .sort()
    .map((name) => ({ source: `src/schema/validators/${name}`, out: `validators/${name}` })),
]

const LICENSES = 'licenses.txt'

/** Builds dist/ (or `outDir`); returns the names of the chunks beside the entries. */
export async function build(outDir: string): Promise<string[]> {
  await rm(outDir, { recursive: true, force: true })
  await mkdir(path.join(outDir, 'validators'), { recursive: true })
  const source = await javascriptTree()
  let built
  try {
    built = await Promise.all(ENTRIES.map((entry) => compile(path.join(source.dir, entry.source.replace(/\.ts$/, '.js')), LICENSES)))
  } finally {
    await source.remove()
  }
  for (const [index, { code }] of built.entries()) await writeCode(path.join(outDir, ENTRIES[index]!.out), code)
  const chunks = chunksOf(built)
  for (const [name, source] of chunks) await writeCode(path.join(outDir, name), source)
  // The same for all: the type that makes node read them as ES modules.
  await writeFile(path.join(outDir, 'package.json'), built[0]!.assets['package.json']!.source)
  await writeFile(
    path.join(outDir, LICENSES),
    mergeLicenses(
      // A bundle of nothing but its own code (a validator that needs no ajv runtime) has none.
      built.flatMap(({ assets }) => (assets[LICENSES] ? [String(assets[LICENSES].source)] : [])),
    ),
  )
  return [...chunks.keys()].sort()
}

/** One ncc bundle of `entry` into `dir`/index.js, with its assets: the benchmark's floor is built the way the action is. */
export async function bundle(entry: string, dir: string): Promise<string> {
  const { code, assets } = await compile(entry)
  await mkdir(dir, { recursive: true })
  const index = path.join(dir, 'index.js')
  await writeCode(index, code)
  for (const [name, asset] of Object.entries(assets)) await writeFile(path.join(dir, name), asset.source)
  return index
}

/**
 * Where src/ is written as JavaScript for ncc: a fixed place, since module ids
 * in a bundle come from module paths. Two builds of one checkout at once
 * (`npm run build` while `npm test` builds for its e2e tests) would share it:
 * run them one after the other.
 */
const JAVASCRIPT_TREE = path.join(root, 'node_modules/.cache/truefoundry-cleanup-build')

/**
 * src/ as JavaScript, for ncc to bundle. ncc would compile the TypeScript
 * itself, type-checking each entry's whole program (about 11 s of the 12 an
 * entry took); `npm run typecheck` checks the types, and erasing them file by
 * file is all a bundle needs (src/ uses only erasable syntax; see
 * javascript.ts). The tree is under node_modules/, so packages resolve as from
 * src/.
 */
async function javascriptTree(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = JAVASCRIPT_TREE
  const remove = () => rm(dir, { recursive: true, force: true })
  await remove()
  try {
    await mkdir(dir, { recursive: true })
    // No name: ncc lists the package of each bundled module in licenses.txt, and this one is the project's own.
    await writeFile(path.join(dir, 'package.json'), '{ "type": "module" }\n')
    const files = readdirSync(path.join(root, 'src'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())
    for (const file of files) {
      const relative = path.relative(root, path.join(file.parentPath, file.name))
      const target = path.join(dir, relative)
      await mkdir(path.dirname(target), { recursive: true })
      if (!relative.endsWith('.ts') || relative.endsWith('.d.ts')) {
        await copyFile(path.join(root, relative), target)
        continue
      }
      await writeFile(target.replace(/\.ts$/, '.js'), javascriptOf(await readFile(path.join(root, relative), 'utf8'), relative))
    }
    return { dir, remove }
  } catch (error) {
    await remove()
    throw error
  }
}

/**
 * What a bundle loads only when it needs it (the deletion stage, the sweep's
 * listing: an `import()` the bundler splits off) is a chunk file beside it,
 * `<id>.index.js`, and shares the bundle's modules. The action and the command
 * line split the same modules the same way and name their chunks alike, so a
 * chunk is written once; two of one name that differ would break one of them.
 */
function chunksOf(built: { assets: Record<string, { source: string | Buffer }> }[]): Map<string, string> {
  const chunks = new Map<string, string>()
  for (const { assets } of built) {
    for (const [name, asset] of Object.entries(assets)) {
      if (!/^\d+\.index\.js$/.test(name)) {
        // Any other code would be a file the bundle loads that dist/ does not have.
        if (/\.[cm]?js$/.test(name)) throw new Error(`ncc wrote ${name}, which the build does not know to keep`)
        continue
      }
      const source = asciiOnly(String(asset.source))
      if (chunks.has(name) && chunks.get(name) !== source) throw new Error(`two bundles split off different chunks named ${name}`)
      chunks.set(name, source)
    }
  }
  return chunks
}

async function compile(entry: string, license?: string) {
  const output = await ncc(entry, { quiet: true, ...(license ? { license } : {}) })
  return { ...output, code: asciiOnly(output.code) }
}

/**
 * The bundle in ASCII, every other character written as its `\u` escape, which
 * means the same in a string, a template, a regular expression and a comment
 * (where ncc leaves them; nothing bundled reads a template's raw text). V8
 * keeps a source with one character past Latin-1 at two bytes a character, and
 * scans it again for each function it compiles on first call: a run calls
 * hundreds, and the emoji of a status label made each of those scans slower.
 */
function asciiOnly(code: string): string {
  return code.replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

async function writeCode(file: string, code: string): Promise<void> {
  await writeFile(file, code)
  // A shebang makes the command line's bundle a program, as `npm install -g` expects.
  if (code.startsWith('#!')) await chmod(file, 0o755)
}

/**
 * One licence list from several of ncc's: each lists the packages its bundle
 * holds as `name`, its licence's id and text, sorted by name, a blank line
 * between. A licence text has blank lines of its own, so an entry begins where
 * a line names a package in node_modules/ and the next its licence id.
 */
function mergeLicenses(lists: string[]): string {
  const entries = new Map<string, string>()
  for (const list of lists) {
    const lines = list.trimEnd().split('\n')
    const starts = lines.flatMap((line, index) =>
      (index === 0 || lines[index - 1] === '') && isPackage(line, lines[index + 1]) ? [index] : [],
    )
    for (const [n, start] of starts.entries()) {
      // Up to the blank line before the next entry: a text's own trailing newline stays, as ncc wrote it.
      entries.set(lines[start]!, lines.slice(start, (starts[n + 1] ?? lines.length + 1) - 1).join('\n'))
    }
  }
  return `${[...entries.keys()]
    .sort()
    .map((name) => entries.get(name))
    .join('\n\n')}\n`
}

function isPackage(name: string, licenseId: string | undefined): boolean {
  if (!/^(@[\w.-]+\/)?[\w.-]+$/.test(name) || licenseId === undefined) return false
  try {
    const manifest = JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { license?: unknown }
    return manifest.license === undefined || manifest.license === licenseId
  } catch {
    return false
  }
}

if (import.meta.main) {
  const out = path.resolve(process.argv[2] ?? path.join(root, 'dist'))
  const chunks = await build(out)
  const files = [...ENTRIES.map((entry) => entry.out), ...chunks.map((chunk) => `${chunk} (a chunk)`)]
  console.log(`built ${path.relative(process.cwd(), out) || '.'}/: ${files.join(', ')} and ${LICENSES}`)
}
