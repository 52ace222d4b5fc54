// A throwaway workspace of generated manifests, shaped like a preview cleanup's.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { stringify } from 'yaml'
import { versionKey } from '../fakes/stand-in-control-plane.ts'
import type { ManifestKind } from '../src/manifests/kinds.ts'

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

/** The `index`-th prompt manifest, shaped like examples/manifests/preview/support-prompt.yaml: a few messages and a model configuration. */
export function promptManifest(index: number) {
  return {
    name: `support-reply-${index % 50}`,
    ml_repo: ML_REPO,
    version: index + 1,
    type: 'chat_prompt',
    metadata: { pull_request: 4242 },
    messages: [
      { role: 'system', content: 'You answer customer questions about their subscription, briefly.' },
      { role: 'user', content: '{{question}}' },
      { role: 'assistant', content: `Preview reply ${index}: your plan renews on the first of the month.` },
      { role: 'user', content: 'And can I change it?' },
    ],
    variables: { question: null },
    model_configuration: { provider: 'openai-main', model: 'gpt-4o-mini', parameters: { temperature: 0.2, max_tokens: 512 } },
  }
}

/** The `index`-th data directory manifest, shaped like examples/manifests/preview/sample-data.yaml but with a truefoundry source; unversioned, so its name is its own. */
export function dataDirManifest(index: number) {
  return {
    name: `churn-sample-${index}-pr4242`,
    ml_repo: ML_REPO,
    type: 'data-dir',
    description: `Sample data of preview ${index} of pull request 4242`,
    metadata: { pull_request: 4242 },
    source: { type: 'truefoundry' },
  }
}

/** What makeWorkspace writes: artifact versions only, or a quarter of each kind (artifact, model, prompt, data directory). */
export type WorkspaceKinds = 'artifacts' | 'quarter-each'

const QUARTERS: [ManifestKind, (index: number) => Record<string, unknown>][] = [
  ['artifact-version', manifest],
  ['model-version', modelManifest],
  ['chat_prompt', promptManifest],
  ['data-dir', dataDirManifest],
]

/** `files` YAML files of `perFile` documents each, numbered in order; with `quarter-each`, the kinds in turn. */
export async function makeWorkspace(files: number, perFile: number, kinds: WorkspaceKinds = 'artifacts'): Promise<Workspace> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-workspace-'))
  await mkdir(path.join(dir, MANIFEST_DIR))
  const keys: string[] = []
  for (let file = 0; file < files; file++) {
    const documents: string[] = []
    for (let i = 0; i < perFile; i++) {
      const index = file * perFile + i
      const [kind, make] = QUARTERS[kinds === 'quarter-each' ? index % QUARTERS.length : 0]!
      const document = make(index)
      documents.push(stringify(document))
      keys.push(versionKey(document, kind))
    }
    const name = `previews-${String(file).padStart(4, '0')}.yaml`
    await writeFile(path.join(dir, MANIFEST_DIR, name), documents.join('---\n'))
  }
  return { dir, keys, remove: () => rm(dir, { recursive: true, force: true }) }
}
