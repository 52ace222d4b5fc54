// Valid manifests for the network tests, one distinct version each.
import type { ArtifactManifest } from '../../src/manifest-types.ts'
import type { Job } from '../../src/plan.ts'
import { versionKey } from './stand-in-control-plane.ts'

export function sampleManifest(index: number): ArtifactManifest {
  return { name: `model-${index}`, ml_repo: 'previews', version: index + 1, metadata: {}, source: { type: 'truefoundry' } }
}

/** `count` jobs, and their keys for the stand-in's `existing`. */
export function sampleJobs(count: number): { jobs: Job[]; keys: string[] } {
  const jobs = Array.from({ length: count }, (_, index) => {
    const manifest = sampleManifest(index)
    return { index, body: JSON.stringify({ manifest }), manifest }
  })
  return { jobs, keys: jobs.map((job) => versionKey(job.manifest as unknown as Record<string, unknown>)) }
}
