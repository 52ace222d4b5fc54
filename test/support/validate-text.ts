// The validation stage on a manifest written here, as a run calls it: parsed
// once (substitute-env on), then checked for one pull request.
import { validateFiles } from '../../src/manifests/check.ts'
import { parseManifestFile } from '../../src/manifests/parse.ts'
import type { CheckedManifest } from '../../src/results/plan.ts'
import type { Core } from '../../src/runner/guarded-core.ts'
import { timeSlice } from '../../src/runner/time-slice.ts'

/** What a sweep sets for a pull request. */
export const PULL_REQUEST = { PR_NUMBER: '42', PR_HEAD_REF: 'main', PR_HEAD_SHA: 'a'.repeat(40) }

/** A core that writes nothing: the rows say what the tests look at. */
export function silentCore(): Core {
  return {
    getInput: () => '',
    setSecret: () => undefined,
    info: () => undefined,
    warning: () => undefined,
    error: () => undefined,
    notice: () => undefined,
    group: (_name, fn) => fn(),
    setOutput: () => undefined,
    setFailed: () => undefined,
    summary: { addRaw: () => ({ write: () => Promise.resolve() }) },
  }
}

/** `text` as the file `name`, checked for PULL_REQUEST (and `env`), as a sweep checks it unless `namedByNumber` is false. */
export async function validateText(
  text: string,
  options: { namedByNumber?: boolean; env?: NodeJS.ProcessEnv; name?: string } = {},
): Promise<CheckedManifest[]> {
  const { namedByNumber = true, env = {}, name = 'previews/a.yaml' } = options
  const slice = timeSlice()
  const parsed = await parseManifestFile(new TextEncoder().encode(text), name, { substituteEnv: true }, slice)
  const sources = [{ file: { absolute: '', relative: name, refusal: null }, parsed }]
  return validateFiles(sources, { env: { ...env, ...PULL_REQUEST }, namedByNumber }, silentCore(), slice)
}

/** An invalid row's message; null for a valid row or none. */
export const messageOf = (manifest: CheckedManifest | undefined) => (manifest && !manifest.valid ? manifest.message : null)
