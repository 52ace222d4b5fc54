// What only a run that sends deletes needs: the control plane client, the
// endpoint discovery and check, the retries and the slots. The pipeline
// imports it when a live run opens the deletion stage, or retention its client,
// and the bundler splits it off into a chunk beside the bundle: a dry run never
// compiles it.
export { openDeletions, templateUrl } from './deleter.ts'
export { createControlPlane } from './control-plane.ts'
