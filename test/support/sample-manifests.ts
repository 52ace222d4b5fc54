// Valid manifests for the network tests, one distinct version each.
import { MANIFEST_KINDS } from '../../src/manifests/kinds.ts'
import type { Job } from '../../src/results/plan.ts'
import { versionKey } from '../../fakes/stand-in-control-plane.ts'

/** An artifact-version manifest as the tests write one: its OpenAPI document says what it holds, and checkManifest judges it. */
export type ArtifactManifest = Record<string, unknown>

/** The artifact-version endpoint of the per-kind generation, below control-plane-url. */
export const ARTIFACT_PATH = MANIFEST_KINDS['artifact-version'].endpoints['ml-v1']!

export function sampleManifest(index: number): ArtifactManifest {
  return { name: `model-${index}`, ml_repo: 'previews', version: index + 1, metadata: {}, source: { type: 'truefoundry' } }
}

/** The request body that deletes sampleManifest(index). */
export function sampleBody(index: number): string {
  return JSON.stringify({ manifest: sampleManifest(index) })
}

/** `count` jobs, and their keys for the stand-in's `existing`. */
export function sampleJobs(count: number): { jobs: Job[]; keys: string[] } {
  const jobs = Array.from({ length: count }, (_, index) => ({ index, type: 'artifact-version' as const, body: sampleBody(index) }))
  return { jobs, keys: jobs.map((_, index) => versionKey(sampleManifest(index))) }
}
