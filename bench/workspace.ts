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

/** The `index`-th model manifest: a valid ModelManifest of the shape a training job logs, naming its own version. */
export function modelManifest(index: number) {
  return {
    ...manifest(index),
    type: 'model-version',
    description: `Preview model ${index} of pull request 4242`,
    source: { type: 'local', file_or_folder: `./checkpoints/model-${index % 50}/` },
    framework: {
      type: 'sklearn',
      model_filepath: 'model.joblib',
      serialization_format: 'joblib',
      model_schema: {
        infer_method_name: 'predict_proba',
        inputs: [{ name: 'tenure', type: 'integer' }],
        outputs: [{ name: 'churn', type: 'number' }],
      },
    },
    environment: { python_version: '3.11', pip_packages: ['scikit-learn==1.5.2', 'joblib==1.4.2'] },
  }
}

/** The stand-in control plane's key of modelManifest(index). */
export function modelManifestKey(index: number): string {
  return `model-version:${manifestKey(index)}`
}

/** `files` YAML files of `perFile` documents each, numbered in order; with `models`, every other one a model version. */
export async function makeWorkspace(files: number, perFile: number, options: { models?: boolean } = {}): Promise<Workspace> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-workspace-'))
  await mkdir(path.join(dir, MANIFEST_DIR))
  const keys: string[] = []
  for (let file = 0; file < files; file++) {
    const documents: string[] = []
    for (let i = 0; i < perFile; i++) {
      const index = file * perFile + i
      const model = options.models === true && index % 2 === 1
      documents.push(stringify(model ? modelManifest(index) : manifest(index)))
      keys.push(model ? modelManifestKey(index) : manifestKey(index))
    }
    const name = `previews-${String(file).padStart(4, '0')}.yaml`
    await writeFile(path.join(dir, MANIFEST_DIR, name), documents.join('---\n'))
  }
  return { dir, keys, remove: () => rm(dir, { recursive: true, force: true }) }
}
