import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { findFiles, type ManifestFile } from '../../../src/manifests/find.ts'

/** The files stage lists what it finds in the log: not wanted here. */
const quiet = { info: () => undefined }

let scratch = ''
let workspace = ''

/** Creates files (and their folders) under `root`. */
async function files(root: string, names: string[]): Promise<void> {
  for (const name of names) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true })
    await writeFile(path.join(root, name), 'name: churn-model\n')
  }
}

const relatives = (found: ManifestFile[]) => found.map((file) => file.relative)

beforeEach(async () => {
  scratch = await realpath(await mkdtemp(path.join(tmpdir(), 'files-')))
  workspace = path.join(scratch, 'workspace')
  await mkdir(workspace)
})
afterEach(() => rm(scratch, { recursive: true, force: true }))

describe('findFiles', () => {
  it('expands patterns relative to the workspace, not the current directory', async () => {
    await files(workspace, ['.truefoundry/preview/a.yaml'])
    await files(scratch, ['.truefoundry/preview/elsewhere.yaml'])
    const cwd = process.cwd()
    process.chdir(scratch)
    try {
      const found = await findFiles(['.truefoundry/preview/*.yaml'], workspace, quiet)
      expect(found).toEqual([
        { absolute: path.join(workspace, '.truefoundry/preview/a.yaml'), relative: '.truefoundry/preview/a.yaml', refusal: null },
      ])
    } finally {
      process.chdir(cwd)
    }
  })

  it('leaves out what a ! pattern matches', async () => {
    await files(workspace, ['m/a.yaml', 'm/b.yaml', 'm/keep/c.yaml'])
    expect(relatives(await findFiles(['m/**/*.yaml', '!m/keep/**'], workspace, quiet))).toEqual(['m/a.yaml', 'm/b.yaml'])
  })

  it('returns the files sorted, each once however many patterns match it', async () => {
    await files(workspace, ['z.yaml', 'b/y.json', 'a.yml', 'b/x.yaml'])
    const found = await findFiles(['**/*.yaml', 'b/*', '*.yml', 'z.yaml'], workspace, quiet)
    expect(relatives(found)).toEqual(['a.yml', 'b/x.yaml', 'b/y.json', 'z.yaml'])
  })

  it('does not return directories', async () => {
    await files(workspace, ['m/dir.yaml/inside.txt', 'm/a.yaml'])
    expect(relatives(await findFiles(['m/*'], workspace, quiet))).toEqual(['m/a.yaml'])
  })

  it('returns a link to a file outside the workspace with a refusal, so the report shows it', async () => {
    await files(scratch, ['secret.yaml'])
    await files(workspace, ['m/a.yaml'])
    await symlink(path.join(scratch, 'secret.yaml'), path.join(workspace, 'm/b.yaml'))
    const found = await findFiles(['m/*.yaml'], workspace, quiet)
    expect(found).toEqual([
      { absolute: path.join(workspace, 'm/a.yaml'), relative: 'm/a.yaml', refusal: null },
      {
        absolute: path.join(workspace, 'm/b.yaml'),
        relative: 'm/b.yaml',
        refusal: `is a link to ${path.join(scratch, 'secret.yaml')}, outside the workspace; manifests must be in the repository`,
      },
    ])
  })

  it('accepts a link to a file inside the workspace', async () => {
    await files(workspace, ['shared/a.yaml'])
    await mkdir(path.join(workspace, 'm'))
    await symlink(path.join(workspace, 'shared/a.yaml'), path.join(workspace, 'm/a.yaml'))
    expect(await findFiles(['m/*.yaml'], workspace, quiet)).toEqual([
      { absolute: path.join(workspace, 'm/a.yaml'), relative: 'm/a.yaml', refusal: null },
    ])
  })

  it('takes patterns starting with ./', async () => {
    await files(workspace, ['m/a.yaml', 'm/b.yaml'])
    expect(relatives(await findFiles(['./m/*.yaml', '!./m/b.yaml'], workspace, quiet))).toEqual(['m/a.yaml'])
  })

  it('refuses files a pattern reaches outside the workspace', async () => {
    await files(scratch, ['outside.yaml'])
    const refusal = 'is outside the workspace; manifests must be in the repository'
    const outside = { absolute: path.join(scratch, 'outside.yaml'), relative: '../outside.yaml', refusal }
    expect(await findFiles(['../*.yaml'], workspace, quiet)).toEqual([outside])
    expect(await findFiles([path.join(scratch, '*.yaml')], workspace, quiet)).toEqual([outside])
  })

  it('leaves out a broken link', async () => {
    await files(workspace, ['m/a.yaml'])
    await symlink(path.join(workspace, 'gone.yaml'), path.join(workspace, 'm/b.yaml'))
    expect(relatives(await findFiles(['m/*.yaml'], workspace, quiet))).toEqual(['m/a.yaml'])
  })

  it.each(['ws [1]', 'ws *', 'ws ?', 'ws ]', 'ws [ab] *?'])('works in a workspace whose path holds glob characters: %s', async (name) => {
    const odd = path.join(scratch, name)
    await files(odd, ['m/a.yaml'])
    await files(scratch, ['ws 1/m/b.yaml', 'ws a/m/c.yaml', 'ws x/m/d.yaml'])
    expect(await findFiles(['m/*.yaml'], odd, quiet)).toEqual([
      { absolute: path.join(odd, 'm/a.yaml'), relative: 'm/a.yaml', refusal: null },
    ])
  })

  it('returns nothing when nothing matches', async () => {
    await files(workspace, ['m/a.json'])
    expect(await findFiles(['m/*.yaml', 'missing/**'], workspace, quiet)).toEqual([])
  })
})
