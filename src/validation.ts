// The validation stage: every manifest file read, every document checked,
// each problem annotated at its file and line, and one verdict per document.
import type { ManifestFile } from './files.ts'
import { parseManifests, readManifestFile, type LoadOptions, type UnreadableFile } from './manifests.ts'
import type { CheckedManifest } from './plan.ts'
import { NO_IDENTITY, type Identity } from './results.ts'
import type { Core } from './runner.ts'
import type { ManifestKind } from './manifest-kinds.ts'
import { checkManifest, claimedKind, describeProblems, isPlainObject, type Verdict } from './validate.ts'

const MAX_FIELD_SHOWN = 80

/** A manifest file and what it holds, read once for the run: a sweep checks the same files for every pull request. */
export interface ManifestSource {
  file: ManifestFile
  bytes: Uint8Array | UnreadableFile
}

export async function readManifestFiles(files: ManifestFile[]): Promise<ManifestSource[]> {
  return Promise.all(files.map(async (file) => ({ file, bytes: await readManifestFile(file) })))
}

export function validateFiles(sources: ManifestSource[], options: LoadOptions, core: Core): CheckedManifest[] {
  // The run's core caps annotations (runner.ts): a stage writes each, whatever their number.
  const annotate = (kind: 'error' | 'warning', ...rest: Parameters<Core['error']>) => core[kind](...rest)
  const checked: CheckedManifest[] = []
  for (const { file, bytes } of sources) {
    const loaded = bytes instanceof Uint8Array ? parseManifests(bytes, file.relative, options) : bytes
    if (!Array.isArray(loaded)) {
      const message = `the file ${loaded.reason}`
      annotate('error', message, { file: file.relative, startLine: loaded.line, startColumn: loaded.column, title: 'Unreadable manifest file' })
      checked.push({ file: file.relative, document: 0, line: loaded.line, ...NO_IDENTITY, valid: false, message })
      continue
    }
    for (const doc of loaded) {
      const location = { file: file.relative, document: doc.document, line: doc.line }
      // A value JSON cannot carry exactly is all there is to say: the schema would judge a value that is not the one written.
      const verdict: Verdict =
        doc.problems.length > 0 ? { valid: false, type: claimedKind(doc.value), problems: doc.problems, unknownFields: [] } : checkManifest(doc.value)
      for (const { field, suggestion } of verdict.unknownFields) {
        const { line, col } = doc.positionOf([field])
        const shown = field.length > MAX_FIELD_SHOWN ? `${field.slice(0, MAX_FIELD_SHOWN)}…` : field
        annotate('warning', `Unknown field "${shown}"${suggestion ? `: did you mean "${suggestion}"?` : ''} The control plane does not use it.`, {
          file: file.relative,
          startLine: line,
          startColumn: col,
          title: 'Unknown manifest field',
        })
      }
      if (verdict.valid) {
        checked.push({ ...location, ...identityOf(doc.value, verdict.type), valid: true, type: verdict.type, body: verdict.body })
        continue
      }
      const message = describeProblems(verdict.problems, (path) => doc.lineOf(path))
      const { line, col } = doc.positionOf(verdict.problems[0]!.path)
      annotate('error', message, { file: file.relative, startLine: line, startColumn: col, title: verdict.type ? `Invalid ${verdict.type} manifest` : 'Invalid manifest' })
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
