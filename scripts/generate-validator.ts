// Derives each manifest kind's validator from the project's copy of its
// OpenAPI document (src/schema/<kind>.openapi.yaml), so the documents stay the
// single source of the schemas. Writes src/schema/<kind>.schema.json for each,
// its precompiled ajv validator, src/schema/validators/<kind>.cjs (CommonJS,
// because ajv's standalone code calls require()), and other-kinds.json: the
// kinds the generic delete's union takes that have no document here. A
// document whose manifest is that union (data-dir's, the generic delete's
// verbatim) gives the member of its kind.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { Ajv2020 } from 'ajv/dist/2020.js'
import standalone from 'ajv/dist/standalone/index.js'

const schemaDir = fileURLToPath(new URL('../src/schema/', import.meta.url))
const DOCUMENT_SUFFIX = '.openapi.yaml'
/** Where, under src/schema/, each kind's validator is written, as <kind>.cjs. */
export const VALIDATORS_DIR = 'validators/'
const OTHER_KINDS_FILE = 'other-kinds.json'
export const RULE_SCHEMA_FILE = 'retention-rule.schema.json'
export const RULE_VALIDATOR_FILE = 'rule-validator.cjs'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

interface OpenApi {
  paths: Record<string, { post?: { requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> } } }>
  components: { schemas: Record<string, Json> }
}

/**
 * Keywords that describe and validate nothing. Left out of the generated
 * schemas: ajv's standalone code embeds every schema it compiles as a literal,
 * which V8 parses whole as the action starts, and the prompt manifest's
 * descriptions alone were most of it.
 */
const ANNOTATIONS = new Set(['title', 'description', 'examples', 'example', '$comment'])
/** Keywords whose value maps names (of properties, definitions) to schemas: the names are not keywords. */
const SCHEMA_MAPS = new Set(['properties', '$defs', 'patternProperties', 'dependentSchemas'])
/** Keywords whose value is data, copied as it is. */
const DATA = new Set(['default', 'enum', 'const'])

/** OpenAPI 3.1 schema objects are JSON Schema 2020-12 plus a few keywords ajv must not see, and annotations it need not. */
function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema)
  if (node === null || typeof node !== 'object') return node
  const out: { [key: string]: Json } = {}
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-') || ANNOTATIONS.has(key)) continue
    if (DATA.has(key)) {
      out[key] = value
    } else if (SCHEMA_MAPS.has(key) && value && typeof value === 'object' && !Array.isArray(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, toJsonSchema(schema)]))
    } else if (key === '$ref' && typeof value === 'string') {
      out.$ref = value.replace('#/components/schemas/', '#/$defs/')
    } else if (key === 'discriminator' && value && typeof value === 'object' && !Array.isArray(value)) {
      // ajv picks the oneOf branch by the tag's enum and rejects `mapping`. Its
      // discriminator lets a non-object through, so say `object`, as every branch does.
      out.discriminator = { propertyName: value.propertyName ?? null }
      out.type ??= 'object'
    } else {
      out[key] = toJsonSchema(value)
    }
  }
  return out
}

function reachableDefs(schemas: Record<string, Json>, root: string): string[] {
  const seen = new Set<string>()
  const visit = (name: string) => {
    if (seen.has(name)) return
    if (!(name in schemas)) throw new Error(`the document refers to #/components/schemas/${name}, which it does not define`)
    seen.add(name)
    JSON.stringify(schemas[name]).replace(/#\/components\/schemas\/([A-Za-z0-9_]+)/g, (_, ref: string) => {
      visit(ref)
      return ''
    })
  }
  visit(root)
  return [...seen].sort()
}

/** The schema of the POST body's `manifest`: one kind's manifest, or a union of many kinds' (the generic delete's). */
function manifestSchema(openapi: OpenApi): string {
  const posts = Object.values(openapi.paths).flatMap((item) => (item.post ? [item.post] : []))
  if (posts.length !== 1) throw new Error(`expected one POST operation, found ${posts.length}`)
  const request = refName(posts[0]!.requestBody?.content?.['application/json']?.schema?.$ref)
  const manifest = (openapi.components.schemas[request] as JsonObject | undefined)?.properties as JsonObject | undefined
  const allOf = (manifest?.manifest as JsonObject | undefined)?.allOf as JsonObject[] | undefined
  return refName(allOf?.[0]?.$ref)
}

/** Each member of a union of manifests (the generic delete's `anyOf`), by the `type` values it takes; empty when the manifest is one kind's. */
function unionMembers(openapi: OpenApi): { name: string; types: string[] }[] {
  const members = ((openapi.components.schemas[manifestSchema(openapi)] as JsonObject | undefined)?.anyOf ?? []) as JsonObject[]
  return members.map((member) => {
    const name = refName(member.$ref)
    const type = ((openapi.components.schemas[name] as JsonObject | undefined)?.properties as JsonObject | undefined)?.type as
      JsonObject | undefined
    return { name, types: ((type?.enum ?? []) as Json[]).map(String) }
  })
}

/** The manifest schema of `kind` in its delete-by-manifest document: the POST body's `manifest`, or the union's member whose `type` is the kind. */
export function manifestRoot(openapi: OpenApi, kind: string): string {
  const members = unionMembers(openapi)
  if (members.length === 0) return manifestSchema(openapi)
  const member = members.find((candidate) => candidate.types.includes(kind))
  if (!member) throw new Error(`the document's union of manifests has no member of type ${kind}`)
  return member.name
}

function refName(ref: Json | undefined): string {
  if (typeof ref !== 'string' || !ref.startsWith('#/components/schemas/'))
    throw new Error(`expected a reference to a schema component, got ${JSON.stringify(ref)}`)
  return ref.slice('#/components/schemas/'.length)
}

export function buildManifestSchema(openapiText: string, kind: string): JsonObject {
  const openapi = parse(openapiText) as OpenApi
  const root = manifestRoot(openapi, kind)
  const schemas = openapi.components.schemas
  const defs: Record<string, Json> = {}
  for (const name of reachableDefs(schemas, root)) defs[name] = toJsonSchema(schemas[name] ?? null)
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://truefoundry.com/schemas/${root}`,
    $ref: `#/$defs/${root}`,
    $defs: defs,
  }
}

/**
 * The module of one kind's validator: ajv's standalone code, exporting the
 * function. Each kind has a module of its own, loaded when a manifest of the
 * kind is first checked (src/manifests/kinds.ts): a run parses the validators
 * of the kinds it meets only (a run of artifact versions never pays for the
 * prompt's, most of their code).
 */
export function buildValidatorSource(kind: string, schema: JsonObject): string {
  const ajv = new Ajv2020({
    allErrors: true,
    discriminator: true,
    strict: true,
    strictRequired: false,
    keywords: [],
    code: { source: true, esm: false, lines: true },
  })
  const validate = ajv.compile(schema)
  return `// Generated by scripts/generate-validator.ts from src/schema/${kind}${DOCUMENT_SUFFIX}. Do not edit.\n${standalone.default(ajv, validate)}\n`
}

/**
 * The `type` values the documents' unions take that no document is of (ml-repo,
 * service, …): kinds the generic endpoint deletes and the action refuses, in
 * the union's order.
 */
export function buildOtherKinds(documents: Record<string, string>): string {
  const unions = Object.entries(documents)
    .map(([kind, text]) => ({ kind, members: unionMembers(parse(text) as OpenApi) }))
    .filter((union) => union.members.length > 0)
  const types = unions.flatMap((union) => union.members.flatMap((member) => member.types))
  const others = [...new Set(types)].filter((type) => !Object.hasOwn(documents, type))
  const sources = unions.map((union) => `src/schema/${union.kind}${DOCUMENT_SUFFIX}`)
  const comment = `Generated by scripts/generate-validator.ts from ${sources.join(' and ')}: the types its delete union takes that no document of src/schema/ is of. Do not edit.`
  return `${JSON.stringify({ $comment: comment, types: others }, null, 2)}\n`
}

/**
 * The retention rule's validator, from its hand-written JSON Schema, in a
 * module of its own, which only retention loads.
 */
export function buildRuleValidatorSource(schemaText: string): string {
  const ajv = new Ajv2020({
    allErrors: true,
    verbose: true,
    strict: true,
    strictRequired: false,
    code: { source: true, esm: false, lines: true },
  })
  const validate = ajv.compile(toJsonSchema(JSON.parse(schemaText) as Json) as JsonObject)
  return `// Generated by scripts/generate-validator.ts from src/schema/${RULE_SCHEMA_FILE}. Do not edit.\n${standalone.default(ajv, validate)}\n`
}

/** Every generated file, by its name in src/schema/, from the documents by kind. */
export function generate(documents: Record<string, string>): Record<string, string> {
  const schemas = Object.fromEntries(Object.entries(documents).map(([kind, text]) => [kind, buildManifestSchema(text, kind)]))
  const files: Record<string, string> = {}
  for (const [kind, schema] of Object.entries(schemas)) {
    files[`${kind}.schema.json`] = `${JSON.stringify(schema, null, 2)}\n`
    files[`${VALIDATORS_DIR}${kind}.cjs`] = buildValidatorSource(kind, schema)
  }
  files[OTHER_KINDS_FILE] = buildOtherKinds(documents)
  return files
}

/** The documents of src/schema/, by kind: the name before .openapi.yaml. */
export function readDocuments(dir = schemaDir): Record<string, string> {
  const names = readdirSync(dir)
    .filter((name) => name.endsWith(DOCUMENT_SUFFIX))
    .sort()
  return Object.fromEntries(names.map((name) => [name.slice(0, -DOCUMENT_SUFFIX.length), readFileSync(`${dir}${name}`, 'utf8')]))
}

if (import.meta.main) {
  const files = generate(readDocuments())
  files[RULE_VALIDATOR_FILE] = buildRuleValidatorSource(readFileSync(`${schemaDir}${RULE_SCHEMA_FILE}`, 'utf8'))
  // A kind whose document is gone leaves no validator behind.
  mkdirSync(`${schemaDir}${VALIDATORS_DIR}`, { recursive: true })
  for (const name of readdirSync(`${schemaDir}${VALIDATORS_DIR}`)) if (name.endsWith('.cjs')) rmSync(`${schemaDir}${VALIDATORS_DIR}${name}`)
  for (const [name, content] of Object.entries(files)) writeFileSync(`${schemaDir}${name}`, content)
  console.log(
    `wrote ${Object.keys(files)
      .map((name) => `src/schema/${name}`)
      .join(', ')}`,
  )
}
