// The kinds of manifest the action deletes: each `type` a manifest may name,
// the endpoint that deletes one on each API generation, the validator
// generated from its OpenAPI document (src/schema/<type>.openapi.yaml), the
// fields it knows and what the log calls it. A new kind is a document in
// src/schema/ and one row here.
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import artifactSchema from '../schema/artifact-version.schema.json' with { type: 'json' }
import promptSchema from '../schema/chat_prompt.schema.json' with { type: 'json' }
import dataDirectorySchema from '../schema/data-dir.schema.json' with { type: 'json' }
import modelSchema from '../schema/model-version.schema.json' with { type: 'json' }
import otherKinds from '../schema/other-kinds.json' with { type: 'json' }
import type { Validate } from '../schema/validators/validate.d.cts'

export type ManifestKind = 'artifact-version' | 'model-version' | 'chat_prompt' | 'data-dir'

/** The generations of the API: the per-kind endpoints the docs show, and the generic delete-by-manifest that TrueFoundry's CLI and SDKs call. */
export type ApiGeneration = 'ml-v1' | 'svc-v1'

/** The delete-by-manifest endpoint of a kind on each generation, below control-plane-url; null where that generation has none. */
export interface KindEndpoints {
  'ml-v1': string | null
  'svc-v1': string
}

/** The generic endpoint, which deletes a manifest of any kind (`{"manifest": …}`, matched by its `type`). */
export const GENERIC_DELETE = 'api/svc/v1/delete'

/** The parts of a generated schema (src/schema/<type>.schema.json) the action reads. */
export interface GeneratedSchema {
  $ref: string
  $defs: Record<string, SchemaNode>
}

export interface SchemaNode {
  properties?: Record<string, SchemaNode>
  oneOf?: { $ref: string }[]
  discriminator?: { propertyName: string }
  enum?: unknown[]
}

export interface ManifestKindSpec {
  type: ManifestKind
  endpoints: KindEndpoints
  /** What the log, the summary and messages call one. */
  label: string
  schema: GeneratedSchema
  /** The generated validator: true when the value conforms; its errors otherwise. */
  validate: Validate
  /** The manifest's own fields, as the schema names them. */
  knownFields: readonly string[]
  /** Fields under `source` any of its source types names. */
  sourceFields: readonly string[]
  /** Whether one is a version (named by `version` or `version_alias`), not a whole thing named by ML repo and name, as a data directory is. */
  versioned: boolean
}

/**
 * Each kind's validator is a module of its own, read the first time a manifest
 * of the kind is checked: V8 scans all of a module's code as it loads it, and a
 * run of artifact versions need not pay for the prompt's validator, the largest.
 * The bundler leaves the require alone (webpackIgnore); the module is found
 * beside the running file: src/schema/validators/ from the sources (the
 * tests), dist/validators/ beside dist/index.js and dist/cli.js.
 */
const load = createRequire(import.meta.url)
const VALIDATORS = import.meta.url.endsWith('.ts') ? '../schema/validators' : './validators'

function loadValidator(type: ManifestKind): Validate {
  const file = `${VALIDATORS}/${type}.cjs`
  try {
    const validate: unknown = load(/* webpackIgnore: true */ file)
    if (typeof validate === 'function') return validate as Validate
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error
  }
  throw new Error(`${fileURLToPath(new URL(file, import.meta.url))} has no validator for ${type}: run npm run generate`)
}

function kind(type: ManifestKind, endpoints: KindEndpoints, label: string, schema: GeneratedSchema): ManifestKindSpec {
  let validate: Validate | undefined
  const root = schemaAt(schema, schema.$ref)
  const sources = (root.properties?.source?.oneOf ?? []).map((branch) => schemaAt(schema, branch.$ref))
  const knownFields = Object.keys(root.properties ?? {})
  return {
    type,
    endpoints,
    label,
    schema,
    get validate() {
      return (validate ??= loadValidator(type))
    },
    knownFields,
    sourceFields: [...new Set(sources.flatMap((source) => Object.keys(source.properties ?? {})))],
    versioned: knownFields.includes('version'),
  }
}

/** The definition a `#/$defs/Name` reference names. */
export function schemaAt(schema: GeneratedSchema, ref: string): SchemaNode {
  return schema.$defs[ref.split('/').pop() ?? ''] ?? {}
}

export const MANIFEST_KINDS: Readonly<Record<ManifestKind, ManifestKindSpec>> = {
  'artifact-version': kind(
    'artifact-version',
    { 'ml-v1': 'api/ml/v1/artifact-versions', 'svc-v1': GENERIC_DELETE },
    'artifact version',
    artifactSchema as GeneratedSchema,
  ),
  'model-version': kind(
    'model-version',
    { 'ml-v1': 'api/ml/v1/model-versions', 'svc-v1': GENERIC_DELETE },
    'model version',
    modelSchema as GeneratedSchema,
  ),
  chat_prompt: kind(
    'chat_prompt',
    { 'ml-v1': 'api/ml/v1/prompt-versions', 'svc-v1': GENERIC_DELETE },
    'prompt version',
    promptSchema as GeneratedSchema,
  ),
  // No per-kind endpoint deletes a data directory: only the generic one does.
  'data-dir': kind('data-dir', { 'ml-v1': null, 'svc-v1': GENERIC_DELETE }, 'data directory', dataDirectorySchema as GeneratedSchema),
}

/** What a manifest without `type` is, as the API's own default for the artifact endpoint says. */
export const DEFAULT_KIND: ManifestKind = 'artifact-version'

export const KIND_NAMES = Object.keys(MANIFEST_KINDS) as ManifestKind[]

export function isManifestKind(value: unknown): value is ManifestKind {
  return typeof value === 'string' && Object.hasOwn(MANIFEST_KINDS, value)
}

/** The kinds the generic delete also takes that the action refuses (ml-repo, service, job, …), from its reference document (src/schema/other-kinds.json). */
const OTHER_KINDS: ReadonlySet<string> = new Set(otherKinds.types)

export function isOtherKind(value: unknown): value is string {
  return typeof value === 'string' && OTHER_KINDS.has(value)
}

/**
 * The fields only `kind` has, as paths (`framework`, `source.file_or_folder`):
 * a manifest without `type` that has one of them is not plainly a default-kind manifest.
 */
export function fieldsOnlyIn(kind: ManifestKind): readonly (readonly string[])[] {
  return ONLY_IN[kind]
}

const ONLY_IN = Object.fromEntries(
  KIND_NAMES.map((kind) => {
    const base = MANIFEST_KINDS[DEFAULT_KIND]
    const spec = MANIFEST_KINDS[kind]
    const paths = [
      ...spec.knownFields.filter((field) => !base.knownFields.includes(field)).map((field) => [field]),
      ...spec.sourceFields.filter((field) => !base.sourceFields.includes(field)).map((field) => ['source', field]),
    ]
    return [kind, paths]
  }),
) as Record<ManifestKind, string[][]>
