import type { ManifestKind } from '../manifests/kinds.ts'

/** Where a manifest document came from: the row's place in the report and the annotations. */
export interface Location {
  /** Relative to the workspace, with `/` separators. */
  file: string
  /** 0-based index of the YAML document in its file. */
  document: number
  /** 1-based line where the document (or the file's problem) starts. */
  line: number
}

/** Which version a manifest names; null where the manifest does not say. */
export interface Identity {
  /** Its kind (its `type`); null when an invalid manifest does not say plainly. */
  type: ManifestKind | null
  ml_repo: string | null
  name: string | null
  version: number | null
  version_alias: string | null
  /** The version's id on the control plane: what a retention rule deletes it by; null where a manifest names it. */
  id: string | null
}

export type Outcome =
  | { status: 'deleted'; attempts: number; http_status: number; message: string }
  | { status: 'not-found'; attempts: number; http_status: 404; message: string }
  | { status: 'failed'; attempts: number; http_status: number | null; message: string }
  /** Refused before any request (attempts 0), or by the server's own validation (HTTP 422, or the generic endpoint's 400). */
  | { status: 'invalid'; attempts: number; http_status: 400 | 422 | null; message: string }
  | { status: 'skipped'; attempts: number; http_status: null; message: string }
  | { status: 'dry-run'; attempts: 0; http_status: null; message: string }

export type Status = Outcome['status']

/** Where a row comes from: the swept pull request (null outside a sweep) and the retention rule, as `file:line` (null outside retention). */
export interface Origin {
  pull_request: number | null
  rule: string | null
}

/** One row of the `results` output and of the summary table. */
export type Result = Origin & Location & Identity & Outcome

/** Worst first: what needs a look sits at the top of the report. */
export const STATUS_ORDER: Record<Status, number> = { failed: 0, invalid: 1, skipped: 2, deleted: 3, 'not-found': 4, 'dry-run': 5 }

/** Statuses that make the step fail with `fail-on-error`. */
export function isFailure(status: Status): boolean {
  switch (status) {
    case 'failed':
    case 'invalid':
      return true
    case 'deleted':
    case 'not-found':
    case 'skipped':
    case 'dry-run':
      return false
  }
}

export const NO_IDENTITY: Identity = { type: null, ml_repo: null, name: null, version: null, version_alias: null, id: null }
