// A throwaway workspace of generated manifests, shaped like a preview cleanup's.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { stringify } from 'yaml'

export const ML_REPO = 'bench-previews'
export const MANIFEST_DIR = 'manifests'
export const MANIFEST_PATTERN = `${MANIFEST_DIR}/*.yaml`

export interface Workspace {
  dir: string
  /** The manifests' versions as the stand-in control plane names them (ml_repo/name@version). */
  keys: string[]
  remove(): Promise<void>
}

/** The `index`-th manifest: a valid ArtifactManifest naming its own version. */
export function manifest(index: number) {
  return {
    name: `model-${index % 50}`,
    ml_repo: ML_REPO,
    version: index + 1,
    type: 'artifact-version',
    description: `Preview build ${index} of pull request 4242`,
    metadata: { pull_request: 4242, commit: (index * 2654435761).toString(16).padStart(12, '0').slice(-12) },
    source: { type: 'truefoundry' },
  }
}

export function manifestKey(index: number): string {
  return `${ML_REPO}/model-${index % 50}@${index + 1}`
}

/** `files` YAML files of `perFile` documents each, numbered in order. */
export async function makeWorkspace(files: number, perFile: number): Promise<Workspace> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-workspace-'))
  await mkdir(path.join(dir, MANIFEST_DIR))
  const keys: string[] = []
  for (let file = 0; file < files; file++) {
    const documents: string[] = []
    for (let i = 0; i < perFile; i++) {
      const index = file * perFile + i
      documents.push(stringify(manifest(index)))
      keys.push(manifestKey(index))
    }
    const name = `previews-${String(file).padStart(4, '0')}.yaml`
    await writeFile(path.join(dir, MANIFEST_DIR, name), documents.join('---\n'))
  }
  return { dir, keys, remove: () => rm(dir, { recursive: true, force: true }) }
}
