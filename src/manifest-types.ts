// TypeScript view of ArtifactManifest in src/schema/openapi.yaml; test/schema.test.ts
// checks that the fields and the required ones match the document.

export interface ArtifactPath {
  src: string
  dest?: string
}

export type ArtifactSource =
  | { type: 'truefoundry'; uri?: string }
  | { type: 'external'; uri: string }
  | { type: 'local'; paths: ArtifactPath[] }

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
