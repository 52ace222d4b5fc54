// TypeScript views of ArtifactManifest and ModelManifest in src/schema/*.openapi.yaml;
// test/unit/schema.test.ts checks that the fields and the required ones match the documents.

export interface ArtifactPath {
  src: string
  dest?: string
}

export type ArtifactSource =
  { type: 'truefoundry'; uri?: string } | { type: 'external'; uri: string } | { type: 'local'; paths: ArtifactPath[] }

export interface ArtifactManifest {
  name: string
  metadata: Record<string, unknown>
  ml_repo: string
  version?: number
  type?: 'artifact-version'
  description?: string
  version_alias?: string
  source: ArtifactSource
  step?: number
  run_id?: string
}

export type ModelSource =
  { type: 'truefoundry'; uri?: string } | { type: 'external'; uri: string } | { type: 'local'; file_or_folder: string }

export interface ModelSchema<InferMethod extends string> {
  infer_method_name: InferMethod
  inputs: Record<string, unknown>[]
  outputs: Record<string, unknown>[]
}

export type ModelFramework =
  | {
      type: 'transformers'
      library_name?: 'transformers' | 'sentence-transformers' | 'diffusers'
      pipeline_tag?: string
      base_model?: string
    }
  | {
      type: 'sklearn'
      model_filepath?: string
      serialization_format?: 'cloudpickle' | 'joblib' | 'pickle'
      model_schema?: ModelSchema<'predict' | 'predict_proba'>
    }
  | {
      type: 'xgboost'
      serialization_format?: 'cloudpickle' | 'joblib' | 'pickle' | 'json'
      model_filepath?: string
      model_schema?: ModelSchema<'predict'>
    }
  | { type: 'tensorflow' | 'pytorch' | 'keras' | 'lightgbm' | 'fastai' | 'h2o' | 'onnx' | 'spacy' | 'statsmodels' | 'gluon' | 'paddle' }

export interface ModelVersionEnvironment {
  python_version?: string
  pip_packages?: string[]
}

export interface ModelManifest {
  name: string
  metadata: Record<string, unknown>
  ml_repo: string
  version?: number
  type?: 'model-version'
  description?: string
  version_alias?: string
  source: ModelSource
  framework?: ModelFramework
  environment?: ModelVersionEnvironment
  step?: number
  run_id?: string
}

export type Manifest = ArtifactManifest | ModelManifest
