// A manifest file through the calls the validation stage makes, in one go:
// read, parsed, and each document filled in from `env`.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
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
  const bytes = readManifestFile(file)
  return bytes instanceof Uint8Array ? parseAndFillIn(bytes, file.relative, options) : bytes
}

/** Nothing filled in. */
export const plain: LoadOptions = { substituteEnv: false, env: {} }

const fixtures = fileURLToPath(new URL('../fixtures/manifests/', import.meta.url))

/** test/fixtures/manifests/<name>, as the files stage would find it under manifests/. */
export function fixture(name: string): ManifestFile {
  return { absolute: path.join(fixtures, name), relative: `manifests/${name}`, refusal: null }
}

/** The documents of a fixture, which must be readable. */
export async function documents(name: string, options = plain): Promise<LoadedDocument[]> {
  const loaded = await readParseAndFillIn(fixture(name), options)
  if (!Array.isArray(loaded)) throw new Error(`${name} was refused: ${loaded.reason}`)
  return loaded
}

/** Text and bytes, as the bytes of a file. */
export const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part))))
