import type { ErrorObject } from 'ajv'
import { claimKind } from './kind-claim.ts'
import {
  KIND_NAMES,
  MANIFEST_KINDS,
  schemaAt,
  type GeneratedSchema,
  type ManifestKind,
  type ManifestKindSpec,
  type SchemaNode,
} from './kinds.ts'
import { dedupe, type FieldPath, type Problem } from './problems.ts'
import { findUnknownFields, type UnknownField } from './unknown-fields.ts'
import { describeType, isPlainObject, listWords, quote } from './words.ts'

export type Verdict =
  | {
      valid: true
      /** Which kind of version it deletes: its `type`. */
      type: ManifestKind
      /** The request body, serialized once here: these exact bytes are sent. */
      body: string
      unknownFields: UnknownField[]
    }
  | {
      valid: false
      /** The kind it claims, when that is plain: a known `type`, or none and nothing of another kind. */
      type: ManifestKind | null
      problems: Problem[]
      unknownFields: UnknownField[]
    }

const ALL_KNOWN_FIELDS = [...new Set(KIND_NAMES.flatMap((kind) => MANIFEST_KINDS[kind].knownFields))]

/**
 * Checks one parsed document: its kind by `type`, then that kind's schema
 * (generated from its OpenAPI document) and the action's own rule.
 */
export function checkManifest(value: unknown): Verdict {
  if (!isPlainObject(value)) {
    return {
      valid: false,
      type: null,
      problems: [{ path: [], message: `must be a mapping of manifest fields, got ${describeType(value)}` }],
      unknownFields: [],
    }
  }
  const claim = claimKind(value)
  if (claim.kind) return checkManifestAs(MANIFEST_KINDS[claim.kind], value)
  if (claim.otherResource) return { valid: false, type: null, problems: [claim.problem], unknownFields: [] }
  return refuse(null, value, [claim.problem], ALL_KNOWN_FIELDS)
}

/** Checks a manifest against one kind's schema: what that kind's endpoint would make of it. */
function checkManifestAs(spec: ManifestKindSpec, written: Record<string, unknown>): Verdict {
  // `type` always goes out, so the bytes validated are the bytes sent to either generation: the generic endpoint's
  // union has no discriminator and TrueFoundry's CLI refuses a document without it; the per-kind endpoints default it.
  const value = written.type === undefined ? { type: spec.type, ...written } : written
  const problems = spec.validate(value) ? [] : (spec.validate.errors ?? []).map((error) => toProblem(error, value, spec))
  if (problems.length > 0) return refuse(spec, value, problems, spec.knownFields)
  const unknownFields = findUnknownFields(value, spec.knownFields)
  const identity = identityProblem(value, spec)
  if (identity) return { valid: false, type: spec.type, problems: [identity], unknownFields }
  let body: string
  try {
    body = JSON.stringify({ manifest: value })
  } catch (error) {
    // The loader gives JSON data; a caller passing a value that contains itself or nests thousands deep lands here.
    return {
      valid: false,
      type: spec.type,
      problems: [{ path: [], message: `cannot be written as JSON: ${(error as Error).message}` }],
      unknownFields,
    }
  }
  return { valid: true, type: spec.type, body, unknownFields }
}

/** An invalid verdict with every problem: the ones given and the action's own rule. */
function refuse(spec: ManifestKindSpec | null, value: Record<string, unknown>, problems: Problem[], known: readonly string[]): Verdict {
  const identity = identityProblem(value, spec)
  return {
    valid: false,
    type: spec?.type ?? null,
    problems: dedupe(identity ? [...problems, identity] : problems),
    unknownFields: findUnknownFields(value, known),
  }
}

/** The action's own rule: a delete names one version (a data directory, which has none, is named by its ML repo and name, which its schema requires). */
function identityProblem(value: Record<string, unknown>, spec: ManifestKindSpec | null): Problem | null {
  if (spec?.versioned === false || value.version !== undefined || value.version_alias !== undefined) return null
  return { path: [], message: 'names neither "version" nor "version_alias", so it does not identify one version; add one of them' }
}

/**
 * A message in the action's words. The offending value is read from the document
 * at the error's path, not from ajv's `verbose` mode, whose errors would carry
 * it: that mode embeds every schema in the generated code as a literal V8 parses
 * as the action starts.
 */
function toProblem(error: ErrorObject, document: Record<string, unknown>, spec: ManifestKindSpec): Problem {
  const path = parsePointer(error.instancePath)
  const params = error.params as Record<string, unknown>
  const data = valueAt(document, path)
  switch (error.keyword) {
    case 'required':
      return { path, message: `missing required field "${String(params.missingProperty)}"` }
    case 'type':
      return { path, message: `expected ${String(params.type)}, got ${describeType(data)}` }
    case 'pattern':
      return { path, message: `${quote(data)} does not match the pattern ${String(params.pattern)}` }
    case 'maxLength':
      return { path, message: `must be at most ${String(params.limit)} characters, got ${[...String(data)].length}` }
    case 'minItems':
      return {
        path,
        message: `must hold at least ${String(params.limit)} ${params.limit === 1 ? 'item' : 'items'}, got ${Array.isArray(data) ? data.length : 0}`,
      }
    case 'minimum':
      return { path, message: `must be at least ${String(params.limit)}, got ${String(data)}` }
    case 'enum':
      return { path, message: `must be ${listWords(params.allowedValues)}, got ${quote(data)}` }
    case 'discriminator':
      return discriminatorProblem(path, params, error.schemaPath, spec)
    default:
      return { path, message: error.message ?? `fails the schema rule "${error.keyword}"` }
  }
}

function discriminatorProblem(path: FieldPath, params: Record<string, unknown>, schemaPath: string, spec: ManifestKindSpec): Problem {
  const tag = String(params.tag)
  if (params.error === 'tag' && params.tagValue === undefined) {
    return { path, message: `missing required field "${tag}"` }
  }
  const branches = unionAt(spec.schema, schemaPath, tag)?.oneOf ?? []
  const allowed = branches.map((branch) => schemaAt(spec.schema, branch.$ref).properties?.[tag]?.enum?.[0])
  return { path: [...path, tag], message: `must be ${listWords(allowed)}, got ${quote(params.tagValue)}` }
}

function parsePointer(pointer: string): FieldPath {
  if (pointer === '') return []
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((part) => (/^(0|[1-9][0-9]*)$/.test(part) ? Number(part) : part))
}

function valueAt(document: unknown, path: FieldPath): unknown {
  let value = document
  for (const part of path) value = (value as Record<string | number, unknown> | undefined)?.[part]
  return value
}

/**
 * The union whose `discriminator` keyword `schemaPath` names. ajv gives the path
 * from the schema it compiled the check in: the whole document, or the
 * definition a reference names. The union is the node at that path, in the
 * document or in a definition, that discriminates by `tag`.
 */
function unionAt(schema: GeneratedSchema, schemaPath: string, tag: string): SchemaNode | undefined {
  const parts = parsePointer(schemaPath.replace(/^#/, '')).slice(0, -1)
  const roots: unknown[] = [schema, ...Object.values(schema.$defs)]
  return roots
    .map((root) => valueAt(root, parts) as SchemaNode | undefined)
    .find((node) => node?.discriminator?.propertyName === tag && Array.isArray(node.oneOf))
}
