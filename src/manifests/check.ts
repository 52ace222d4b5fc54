// The validation stage: every manifest file read and parsed once, then, for
// each target, every document checked (check-file.ts), each finding annotated
// at its file and line, and one row per document.
import { checkFile, type CheckOptions } from './check-file.ts'
import type { ManifestFile } from './find.ts'
import type { ParsedFile } from './parsed-document.ts'
import { parseManifestFile, type ParseOptions } from './parse.ts'
import { readManifestFile, type UnreadableFile } from './read.ts'
import type { CheckedManifest } from '../results/plan.ts'
import type { Core } from '../runner/guarded-core.ts'
import type { TimeSlice } from '../runner/time-slice.ts'

/** A manifest file as parsed, once for the run: a sweep fills in and checks the same documents for every pull request. */
export interface ManifestSource {
  file: ManifestFile
  parsed: ParsedFile | UnreadableFile
}

/** Reads every manifest file and parses each, once, giving way to the event loop as it goes. */
export async function readManifestFiles(files: ManifestFile[], options: ParseOptions, slice: TimeSlice): Promise<ManifestSource[]> {
  // Each file is read as its turn comes, and its bytes let go once it is parsed.
  const sources: ManifestSource[] = []
  for (const file of files) {
    const bytes = readManifestFile(file)
    sources.push({ file, parsed: bytes instanceof Uint8Array ? await parseManifestFile(bytes, file.relative, options, slice) : bytes })
  }
  return sources
}

export async function validateFiles(
  sources: ManifestSource[],
  options: CheckOptions,
  core: Core,
  slice: TimeSlice,
): Promise<CheckedManifest[]> {
  const checked: CheckedManifest[] = []
  for (const { file, parsed } of sources) {
    for (const { manifest, findings } of checkFile(file, parsed, options)) {
      // The run's core caps annotations (runner/guarded-core.ts): a stage writes each, whatever their number.
      for (const { level, message, properties } of findings) core[level](message, properties)
      checked.push(manifest)
      if (slice.due()) await slice.pause()
    }
  }
  return checked
}
