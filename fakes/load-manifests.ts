// The loader as the tests call it: a file parsed in one go and filled in from
// `env`, as a run's validation parses it once and fills it in for each target.
import { fillIn, parseManifestSteps, readManifestFile, unfilled, type LoadedDocument, type UnreadableFile } from '../src/manifests/load.ts'
import type { ManifestFile } from '../src/manifests/find.ts'
import type { TimeSlice } from '../src/runner/time-slice.ts'

export interface LoadOptions {
  substituteEnv: boolean
  env: NodeJS.ProcessEnv
}

/** A slice that is never used up: the parse runs to its end without pausing. */
const UNHURRIED: TimeSlice = { due: () => false, pause: () => Promise.resolve() }

export function parseManifests(bytes: Uint8Array, fileName: string, options: LoadOptions): LoadedDocument[] | UnreadableFile {
  const step = parseManifestSteps(bytes, fileName, options, UNHURRIED).next()
  if (!step.done) throw new Error('the parse paused, with a slice that is never due')
  const parsed = step.value
  if (parsed.kind === 'unreadable') return parsed
  return unfilled(parsed, options.env) ?? parsed.documents.map((doc) => fillIn(doc, options.env))
}

export async function loadManifestFile(file: ManifestFile, options: LoadOptions): Promise<LoadedDocument[] | UnreadableFile> {
  const bytes = await readManifestFile(file)
  return bytes instanceof Uint8Array ? parseManifests(bytes, file.relative, options) : bytes
}
