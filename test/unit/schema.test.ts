// The OpenAPI documents are the one source of the manifest schemas: the
// generated validators and the TypeScript views must all agree with them.
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { generate, readDocuments } from '../../scripts/generate-validator.ts'
import { KIND_NAMES, MANIFEST_KINDS } from '../../src/manifests/kinds.ts'
import type {
  ArtifactManifest,
  ArtifactPath,
  ArtifactSource,
  ModelFramework,
  ModelManifest,
  ModelSource,
  ModelVersionEnvironment,
} from '../../src/manifests/types.ts'

const schemaFile = (name: string) => readFileSync(new URL(`../../src/schema/${name}`, import.meta.url), 'utf8')

interface ObjectSchema {
  properties: Record<string, unknown>
  required?: string[]
}

interface Discriminated {
  discriminator: { propertyName: string; mapping: Record<string, { $ref: string }> }
}

const documents = readDocuments()
const componentsOf = (kind: string) =>
  (parse(documents[kind]!) as { components: { schemas: Record<string, ObjectSchema> } }).components.schemas
const artifactSchemas = componentsOf('artifact-version')
const modelSchemas = componentsOf('model-version')

describe('the generated files', () => {
  const generated = generate(documents)

  it.each(Object.keys(generated))(
    '%s is what scripts/generate-validator.ts makes of the documents (run npm run generate if not)',
    (name) => {
      expect(generated[name]).toBe(schemaFile(name))
    },
  )

  it('come from one document per kind of the table, and nothing else', () => {
    expect(Object.keys(documents).sort()).toEqual([...KIND_NAMES].sort())
  })

  it.each(KIND_NAMES)("name %s's endpoint as the table does", (kind) => {
    const paths = Object.keys((parse(documents[kind]!) as { paths: Record<string, unknown> }).paths)
    expect(paths).toEqual([`/${MANIFEST_KINDS[kind].path}`])
  })
})

/** Keys a value of T must have. */
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T]

type SourceOf<Type extends ArtifactSource['type']> = Extract<ArtifactSource, { type: Type }>
type ModelSourceOf<Type extends ModelSource['type']> = Extract<ModelSource, { type: Type }>
type FrameworkOf<Type extends ModelFramework['type']> = Extract<ModelFramework, { type: Type }>
type ModelSchemaOf<Type extends 'sklearn' | 'xgboost'> = NonNullable<FrameworkOf<Type>['model_schema']>

// Each list must name every field of its type, and the `required` ones exactly
// its required fields, or this file does not compile.
const artifactViews = {
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

const modelViews = {
  ModelManifest: {
    fields: {
      name: true,
      metadata: true,
      ml_repo: true,
      version: true,
      type: true,
      description: true,
      version_alias: true,
      source: true,
      framework: true,
      environment: true,
      step: true,
      run_id: true,
    } satisfies Record<keyof ModelManifest, true>,
    required: { name: true, metadata: true, ml_repo: true, source: true } satisfies Record<RequiredKeys<ModelManifest>, true>,
  },
  LocalModelSource: {
    fields: { type: true, file_or_folder: true } satisfies Record<keyof ModelSourceOf<'local'>, true>,
    required: { type: true, file_or_folder: true } satisfies Record<RequiredKeys<ModelSourceOf<'local'>>, true>,
  },
  TransformersFramework: {
    fields: { type: true, library_name: true, pipeline_tag: true, base_model: true } satisfies Record<
      keyof FrameworkOf<'transformers'>,
      true
    >,
    required: { type: true } satisfies Record<RequiredKeys<FrameworkOf<'transformers'>>, true>,
  },
  SklearnFramework: {
    fields: { type: true, model_filepath: true, serialization_format: true, model_schema: true } satisfies Record<
      keyof FrameworkOf<'sklearn'>,
      true
    >,
    required: { type: true } satisfies Record<RequiredKeys<FrameworkOf<'sklearn'>>, true>,
  },
  XGBoostFramework: {
    fields: { type: true, model_filepath: true, serialization_format: true, model_schema: true } satisfies Record<
      keyof FrameworkOf<'xgboost'>,
      true
    >,
    required: { type: true } satisfies Record<RequiredKeys<FrameworkOf<'xgboost'>>, true>,
  },
  SklearnModelSchema: {
    fields: { infer_method_name: true, inputs: true, outputs: true } satisfies Record<keyof ModelSchemaOf<'sklearn'>, true>,
    required: { infer_method_name: true, inputs: true, outputs: true } satisfies Record<RequiredKeys<ModelSchemaOf<'sklearn'>>, true>,
  },
  XGBoostModelSchema: {
    fields: { infer_method_name: true, inputs: true, outputs: true } satisfies Record<keyof ModelSchemaOf<'xgboost'>, true>,
    required: { infer_method_name: true, inputs: true, outputs: true } satisfies Record<RequiredKeys<ModelSchemaOf<'xgboost'>>, true>,
  },
  ModelVersionEnvironment: {
    fields: { python_version: true, pip_packages: true } satisfies Record<keyof ModelVersionEnvironment, true>,
    required: {} satisfies Record<RequiredKeys<ModelVersionEnvironment>, true>,
  },
}

/** The schema each source type names, as src/manifest-types.ts spells the types. */
const sourceSchemas = {
  truefoundry: 'TrueFoundryManagedSource',
  external: 'ExternalBlobStorageSource',
  local: 'LocalArtifactSource',
} satisfies Record<ArtifactSource['type'], keyof typeof artifactViews>

const modelSourceSchemas = {
  truefoundry: 'TrueFoundryManagedSource',
  external: 'ExternalBlobStorageSource',
  local: 'LocalModelSource',
} satisfies Record<ModelSource['type'], string>

/** Each framework type, spelled as src/manifest-types.ts spells it. */
const frameworkTypes = {
  transformers: true,
  tensorflow: true,
  sklearn: true,
  pytorch: true,
  keras: true,
  xgboost: true,
  lightgbm: true,
  fastai: true,
  h2o: true,
  onnx: true,
  spacy: true,
  statsmodels: true,
  gluon: true,
  paddle: true,
} satisfies Record<ModelFramework['type'], true>

function mappingOf(property: unknown, schemas: Record<string, ObjectSchema>): Record<string, string> {
  const { discriminator } = property as Discriminated
  expect(discriminator.propertyName).toBe('type')
  const mapping = Object.fromEntries(Object.entries(discriminator.mapping).map(([type, { $ref }]) => [type, $ref.split('/').pop()!]))
  for (const [type, name] of Object.entries(mapping)) expect((schemas[name]!.properties.type as { enum: string[] }).enum).toEqual([type])
  return mapping
}

describe('src/manifest-types.ts', () => {
  const cases = [
    ...Object.entries(artifactViews).map(([name, view]) => ['artifact-version', name, view, artifactSchemas] as const),
    ...Object.entries(modelViews).map(([name, view]) => ['model-version', name, view, modelSchemas] as const),
  ]
  it.each(cases)('has the fields of %s %s, and requires the ones the document requires', (_kind, name, view, schemas) => {
    const schema = schemas[name]!
    expect(Object.keys(view.fields).sort()).toEqual(Object.keys(schema.properties).sort())
    expect(Object.keys(view.required).sort()).toEqual([...(schema.required ?? [])].sort())
  })

  it('has the source types of the artifact discriminator', () => {
    expect(mappingOf(artifactSchemas.ArtifactManifest!.properties.source, artifactSchemas)).toEqual(sourceSchemas)
  })

  it('has the source types and the frameworks of the model discriminators', () => {
    expect(mappingOf(modelSchemas.ModelManifest!.properties.source, modelSchemas)).toEqual(modelSourceSchemas)
    expect(Object.keys(mappingOf(modelSchemas.ModelManifest!.properties.framework, modelSchemas)).sort()).toEqual(
      Object.keys(frameworkTypes).sort(),
    )
  })

  it('has the enums of the model document', () => {
    const enumOf = (name: string) => (modelSchemas[name] as unknown as { enum: string[] }).enum
    const library: Record<NonNullable<FrameworkOf<'transformers'>['library_name']>, true> = {
      transformers: true,
      'sentence-transformers': true,
      diffusers: true,
    }
    const sklearn: Record<NonNullable<FrameworkOf<'sklearn'>['serialization_format']>, true> = {
      cloudpickle: true,
      joblib: true,
      pickle: true,
    }
    const xgboost: Record<NonNullable<FrameworkOf<'xgboost'>['serialization_format']>, true> = {
      cloudpickle: true,
      joblib: true,
      pickle: true,
      json: true,
    }
    const infer: Record<ModelSchemaOf<'sklearn'>['infer_method_name'], true> = { predict: true, predict_proba: true }
    expect(enumOf('LibraryName')).toEqual(Object.keys(library))
    expect(enumOf('SklearnSerializationFormat')).toEqual(Object.keys(sklearn))
    expect(enumOf('XGBoostSerializationFormat')).toEqual(Object.keys(xgboost))
    expect(enumOf('InferMethodName')).toEqual(Object.keys(infer))
  })
})
