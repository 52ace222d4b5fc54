// The OpenAPI document is the one source of the manifest schema: the generated
// validator and the TypeScript view must both agree with it.
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { generate } from '../scripts/generate-validator.ts'
import type { ArtifactManifest, ArtifactPath, ArtifactSource } from '../src/manifest-types.ts'

const schemaFile = (name: string) => readFileSync(new URL(`../src/schema/${name}`, import.meta.url), 'utf8')

interface ObjectSchema {
  properties: Record<string, unknown>
  required?: string[]
}

const openapiText = schemaFile('openapi.yaml')
const schemas = (parse(openapiText) as { components: { schemas: Record<string, ObjectSchema> } }).components.schemas

describe('the generated files', () => {
  const generated = generate(openapiText)

  it('are what scripts/generate-validator.ts makes of openapi.yaml (run npm run generate if not)', () => {
    expect(generated.schemaJson).toBe(schemaFile('artifact-manifest.schema.json'))
    expect(generated.validatorSource).toBe(schemaFile('validate-manifest.cjs'))
  })
})

/** Keys a value of T must have. */
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T]

type SourceOf<Type extends ArtifactSource['type']> = Extract<ArtifactSource, { type: Type }>

// Each list must name every field of its type, and the `required` ones exactly
// its required fields, or this file does not compile.
const views = {
  ArtifactManifest: {
    fields: {
      name: true,
      metadata: true,
      ml_repo: true,
      version: true,
      type: true,
      description: true,
      version_alias: true,
      source: true,
      step: true,
      run_id: true,
    } satisfies Record<keyof ArtifactManifest, true>,
    required: { name: true, metadata: true, ml_repo: true, source: true } satisfies Record<RequiredKeys<ArtifactManifest>, true>,
  },
  TrueFoundryManagedSource: {
    fields: { type: true, uri: true } satisfies Record<keyof SourceOf<'truefoundry'>, true>,
    required: { type: true } satisfies Record<RequiredKeys<SourceOf<'truefoundry'>>, true>,
  },
  ExternalBlobStorageSource: {
    fields: { type: true, uri: true } satisfies Record<keyof SourceOf<'external'>, true>,
    required: { type: true, uri: true } satisfies Record<RequiredKeys<SourceOf<'external'>>, true>,
  },
  LocalArtifactSource: {
    fields: { type: true, paths: true } satisfies Record<keyof SourceOf<'local'>, true>,
    required: { type: true, paths: true } satisfies Record<RequiredKeys<SourceOf<'local'>>, true>,
  },
  ArtifactPath: {
    fields: { src: true, dest: true } satisfies Record<keyof ArtifactPath, true>,
    required: { src: true } satisfies Record<RequiredKeys<ArtifactPath>, true>,
  },
}

/** The schema each source type names, as src/manifest-types.ts spells the types. */
const sourceSchemas = {
  truefoundry: 'TrueFoundryManagedSource',
  external: 'ExternalBlobStorageSource',
  local: 'LocalArtifactSource',
} satisfies Record<ArtifactSource['type'], keyof typeof views>

describe('src/manifest-types.ts', () => {
  it.each(Object.entries(views))('has the fields of %s, and requires the ones the document requires', (name, view) => {
    const schema = schemas[name]!
    expect(Object.keys(view.fields).sort()).toEqual(Object.keys(schema.properties).sort())
    expect(Object.keys(view.required).sort()).toEqual([...(schema.required ?? [])].sort())
  })

  it('has the source types of the discriminator', () => {
    const source = schemas.ArtifactManifest!.properties.source as { discriminator: { propertyName: string; mapping: Record<string, { $ref: string }> } }
    expect(source.discriminator.propertyName).toBe('type')
    const mapping = Object.entries(source.discriminator.mapping).map(([type, { $ref }]) => [type, $ref.split('/').pop()])
    expect(Object.fromEntries(mapping)).toEqual(sourceSchemas)
    for (const [type, name] of Object.entries(sourceSchemas)) {
      expect((schemas[name]!.properties.type as { enum: string[] }).enum).toEqual([type])
    }
  })
})
