// A manifest file through the calls the validation stage makes, in one go:
// read, parsed, and each document filled in from `env`.
import type { ManifestFile } from '../../src/manifests/find.ts'
import { fillIn, unfilled, type LoadedDocument } from '../../src/manifests/fill-in.ts'
import { parseManifestFile } from '../../src/manifests/parse.ts'
import { readManifestFile, type UnreadableFile } from '../../src/manifests/read.ts'
import type { TimeSlice } from '../../src/runner/time-slice.ts'

export interface LoadOptions {
  substituteEnv: boolean
  env: NodeJS.ProcessEnv
}

/** A slice that is never used up: a test times the parse itself, not the turns of the event loop between its steps. */
const UNHURRIED: TimeSlice = { due: () => false, pause: () => Promise.resolve() }

export async function parseAndFillIn(
  bytes: Uint8Array,
  fileName: string,
  options: LoadOptions,
): Promise<LoadedDocument[] | UnreadableFile> {
  const parsed = await parseManifestFile(bytes, fileName, options, UNHURRIED)
  if (parsed.kind === 'unreadable') return parsed
  return unfilled(parsed, options.env) ?? parsed.documents.map((doc) => fillIn(doc, options.env))
}

export async function readParseAndFillIn(file: ManifestFile, options: LoadOptions): Promise<LoadedDocument[] | UnreadableFile> {
  const bytes = await readManifestFile(file)
  return bytes instanceof Uint8Array ? parseAndFillIn(bytes, file.relative, options) : bytes
}
