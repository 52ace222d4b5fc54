// One manifest file checked for one target, as data: each document filled in,
// judged by its kind's schema (and, in a sweep, by the sweep's rules), with the
// row it becomes and what to tell its author. The validation stage (check.ts)
// writes the findings as annotations; bench/ times this same work.
import type { ManifestFile } from './find.ts'
import { fillIn, unfilled, type LoadedDocument } from './fill-in.ts'
import { claimedKind } from './kind-claim.ts'
import { MANIFEST_KINDS, type ManifestKind } from './kinds.ts'
import type { ParsedFile } from './parsed-document.ts'
import { describeProblems } from './problems.ts'
import type { UnreadableFile } from './read.ts'
import { checkManifest, type Verdict } from './schema-check.ts'
import { sweepProblems } from './sweep-rules.ts'
import { isPlainObject } from './words.ts'
import type { CheckedManifest } from '../results/plan.ts'
import { NO_IDENTITY, type Identity } from '../results/result.ts'

const MAX_FIELD_SHOWN = 80

/** What is checked for one target: the environment its manifests are filled in from, and whether they must name each version by the pull request's number (a sweep's, so that none names another's). */
export interface CheckOptions {
  env: NodeJS.ProcessEnv
  namedByNumber: boolean
}

/** What the author is told about a document: an annotation at its file and line. */
export interface Finding {
  level: 'error' | 'warning'
  message: string
  properties: { file: string; startLine: number; startColumn: number; title: string }
}

export interface CheckedDocument {
  manifest: CheckedManifest
  /** Warnings about unknown fields first, then the error that makes it invalid. */
  findings: Finding[]
}

/** Each document of the file checked, one at a time, so the caller can give way to the event loop between them. */
export function* checkFile(
  file: ManifestFile,
  parsed: ParsedFile | UnreadableFile,
  options: CheckOptions,
): Generator<CheckedDocument, void, undefined> {
  const loaded = parsed.kind === 'parsed' ? (unfilled(parsed, options.env) ?? parsed) : parsed
  if (loaded.kind === 'parsed') {
    for (const written of loaded.documents) yield checkDocument(file.relative, fillIn(written, options.env), options.namedByNumber)
    return
  }
  const message = `the file ${file.relative} ${loaded.reason}`
  yield {
    manifest: { file: file.relative, document: 0, line: loaded.line, ...NO_IDENTITY, valid: false, message },
    findings: [
      {
        level: 'error',
        message,
        properties: { file: file.relative, startLine: loaded.line, startColumn: loaded.column, title: 'Unreadable manifest file' },
      },
    ],
  }
}

function checkDocument(file: string, doc: LoadedDocument, namedByNumber: boolean): CheckedDocument {
  const location = { file, document: doc.document, line: doc.line }
  // A value JSON cannot carry exactly is all there is to say: the schema would judge a value that is not the one written.
  let verdict: Verdict =
    doc.problems.length > 0
      ? { valid: false, type: claimedKind(doc.value), problems: doc.problems, unknownFields: [] }
      : checkManifest(doc.value)
  const sweepRules = namedByNumber ? sweepProblems(doc.written, verdict.type ? MANIFEST_KINDS[verdict.type].versioned : true) : []
  if (sweepRules.length > 0)
    verdict = {
      valid: false,
      type: verdict.type,
      problems: verdict.valid ? sweepRules : [...verdict.problems, ...sweepRules],
      unknownFields: verdict.unknownFields,
    }
  const findings: Finding[] = verdict.unknownFields.map(({ field, suggestion }) => {
    const { line, col } = doc.positionOf([field])
    const shown = field.length > MAX_FIELD_SHOWN ? `${field.slice(0, MAX_FIELD_SHOWN)}…` : field
    return {
      level: 'warning',
      message: `Unknown field "${shown}"${suggestion ? `: did you mean "${suggestion}"?` : ''} The control plane does not use it.`,
      properties: { file, startLine: line, startColumn: col, title: 'Unknown manifest field' },
    }
  })
  const identity = identityOf(doc.value, verdict.type)
  if (verdict.valid) return { manifest: { ...location, ...identity, valid: true, type: verdict.type, body: verdict.body }, findings }
  const message = describeProblems(verdict.problems, (path) => doc.lineOf(path))
  const { line, col } = doc.positionOf(verdict.problems[0]!.path)
  findings.push({
    level: 'error',
    message,
    properties: { file, startLine: line, startColumn: col, title: verdict.type ? `Invalid ${verdict.type} manifest` : 'Invalid manifest' },
  })
  return { manifest: { ...location, ...identity, valid: false, message }, findings }
}

/** What a document names, as far as it says: the row's columns even when the manifest is invalid. A data directory has no version: its row has neither column, whatever fields it has. */
function identityOf(value: unknown, type: ManifestKind | null): Identity {
  if (!isPlainObject(value)) return NO_IDENTITY
  const text = (field: unknown) => (typeof field === 'string' ? field : null)
  const versioned = type === null || MANIFEST_KINDS[type].versioned
  return {
    type,
    ml_repo: text(value.ml_repo),
    name: text(value.name),
    version: versioned && typeof value.version === 'number' && Number.isFinite(value.version) ? value.version : null,
    version_alias: versioned ? text(value.version_alias) : null,
    id: null,
  }
}
