// The layout of src/ tells the story: a folder per stage, and a module that
// reaches into at most two other folders. Only the pipeline (run.ts) and the
// two entries wire the stages together.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const src = path.join(import.meta.dirname, '..', '..', 'src')
const TOP_LEVEL = ['action.ts', 'cli.ts', 'run.ts']
const GENERATED = 'schema'

const modules = readdirSync(src, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts') && !file.startsWith(`${GENERATED}${path.sep}`))
  .map((file) => file.split(path.sep).join('/'))

/** The folders of src/ a module imports from, its own and src/schema/ aside. */
function foldersImported(module: string): string[] {
  const text = readFileSync(path.join(src, module), 'utf8')
  const own = path.posix.dirname(module)
  const folders = new Set<string>()
  for (const [, specifier] of text.matchAll(/(?:from|import\()\s*(?:\/\*[^*]*\*\/\s*)?'(\.{1,2}\/[^']+)'/g)) {
    const target = path.posix.normalize(path.posix.join(own, specifier!))
    const folder = path.posix.dirname(target)
    if (folder !== own && folder !== GENERATED) folders.add(folder)
  }
  return [...folders].sort()
}

describe('src/', () => {
  it('has only the pipeline and the entries at its top level, the rest in stage folders', () => {
    expect(modules.filter((module) => !module.includes('/')).sort()).toEqual([...TOP_LEVEL].sort())
  })

  it.each(modules.filter((module) => module.includes('/')))('%s imports from at most two other folders', (module) => {
    expect(foldersImported(module).length, foldersImported(module).join(', ')).toBeLessThanOrEqual(2)
  })

  it('has no name twice: a module name says what it does wherever it is', () => {
    const names = modules.map((module) => path.posix.basename(module))
    expect(names.filter((name, index) => names.indexOf(name) !== index)).toEqual([])
  })
})
