// The validation stage: every manifest file read, every document checked,
// each problem annotated at its file and line, and one verdict per document.
import type { ManifestFile } from './find.ts'
import { fillIn, parseManifestFile, readManifestFile, unfilled, type ParsedFile, type ParseOptions, type UnreadableFile } from './load.ts'
import type { CheckedManifest } from '../results/plan.ts'
import { NO_IDENTITY, type Identity } from '../results/result.ts'
import type { Core } from '../runner/guarded-core.ts'
import type { ManifestKind } from './kinds.ts'
import type { TimeSlice } from '../runner/time-slice.ts'
import { checkManifest, claimedKind, describeProblems, isPlainObject, sweepProblems, type Verdict } from './validate.ts'

const MAX_FIELD_SHOWN = 80

/** A manifest file as parsed, once for the run: a sweep fills in and checks the same documents for every pull request. */
export interface ManifestSource {
  file: ManifestFile
  parsed: ParsedFile | UnreadableFile
}

/** Reads every manifest file and parses each, once, giving way to the event loop as it goes. */
export async function readManifestFiles(files: ManifestFile[], options: ParseOptions, slice: TimeSlice): Promise<ManifestSource[]> {
  // Read all at once; each file's bytes are let go once it is parsed.
  const reads = files.map(readManifestFile)
  const sources: ManifestSource[] = []
  for (const file of files) {
    const bytes = await reads.shift()!
    sources.push({ file, parsed: bytes instanceof Uint8Array ? await parseManifestFile(bytes, file.relative, options, slice) : bytes })
  }
  return sources
}

/** What is checked for one target: the environment its manifests are filled in from, and whether it is a sweep's pull request. */
export interface CheckOptions {
  env: NodeJS.ProcessEnv
  sweep: boolean
}

export async function validateFiles(
  sources: ManifestSource[],
  options: CheckOptions,
  core: Core,
  slice: TimeSlice,
): Promise<CheckedManifest[]> {
  // The run's core caps annotations (runner/guarded-core.ts): a stage writes each, whatever their number.
  const annotate = (kind: 'error' | 'warning', ...rest: Parameters<Core['error']>) => core[kind](...rest)
  const checked: CheckedManifest[] = []
  for (const { file, parsed } of sources) {
    const loaded = parsed.kind === 'parsed' ? (unfilled(parsed, options.env) ?? parsed) : parsed
    if (loaded.kind === 'unreadable') {
      const message = `the file ${file.relative} ${loaded.reason}`
      annotate('error', message, {
        file: file.relative,
        startLine: loaded.line,
        startColumn: loaded.column,
        title: 'Unreadable manifest file',
      })
      checked.push({ file: file.relative, document: 0, line: loaded.line, ...NO_IDENTITY, valid: false, message })
      continue
    }
    for (const written of loaded.documents) {
      if (slice.due()) await slice.pause()
      const doc = fillIn(written, options.env)
      const location = { file: file.relative, document: doc.document, line: doc.line }
      // A value JSON cannot carry exactly is all there is to say: the schema would judge a value that is not the one written.
      let verdict: Verdict =
        doc.problems.length > 0
          ? { valid: false, type: claimedKind(doc.value), problems: doc.problems, unknownFields: [] }
          : checkManifest(doc.value)
      const sweep = options.sweep ? sweepProblems(doc.written) : []
      if (sweep.length > 0)
        verdict = {
          valid: false,
          type: verdict.type,
          problems: verdict.valid ? sweep : [...verdict.problems, ...sweep],
          unknownFields: verdict.unknownFields,
        }
      for (const { field, suggestion } of verdict.unknownFields) {
        const { line, col } = doc.positionOf([field])
        const shown = field.length > MAX_FIELD_SHOWN ? `${field.slice(0, MAX_FIELD_SHOWN)}…` : field
        annotate(
          'warning',
          `Unknown field "${shown}"${suggestion ? `: did you mean "${suggestion}"?` : ''} The control plane does not use it.`,
          {
            file: file.relative,
            startLine: line,
            startColumn: col,
            title: 'Unknown manifest field',
          },
        )
      }
      if (verdict.valid) {
        checked.push({ ...location, ...identityOf(doc.value, verdict.type), valid: true, type: verdict.type, body: verdict.body })
        continue
      }
      const message = describeProblems(verdict.problems, (path) => doc.lineOf(path))
      const { line, col } = doc.positionOf(verdict.problems[0]!.path)
      annotate('error', message, {
        file: file.relative,
        startLine: line,
        startColumn: col,
        title: verdict.type ? `Invalid ${verdict.type} manifest` : 'Invalid manifest',
      })
      checked.push({ ...location, ...identityOf(doc.value, verdict.type), valid: false, message })
    }
  }
  return checked
}

/** What a document names, as far as it says: the row's columns even when the manifest is invalid. */
function identityOf(value: unknown, type: ManifestKind | null): Identity {
  if (!isPlainObject(value)) return NO_IDENTITY
  const text = (field: unknown) => (typeof field === 'string' ? field : null)
  return {
    type,
    ml_repo: text(value.ml_repo),
    name: text(value.name),
    version: typeof value.version === 'number' && Number.isFinite(value.version) ? value.version : null,
    version_alias: text(value.version_alias),
  }
}
