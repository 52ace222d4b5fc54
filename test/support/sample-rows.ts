// Rows as a run keeps them, for the tests of the report.
import { ResultStore } from '../../src/results/store.ts'
import type { Identity, Location, Outcome, Result, Status } from '../../src/results/result.ts'

export const OUTCOMES: Record<Status, Outcome> = {
  deleted: { status: 'deleted', attempts: 1, http_status: 200, message: 'deleted' },
  'not-found': { status: 'not-found', attempts: 1, http_status: 404, message: 'not found (HTTP 404): already gone' },
  failed: { status: 'failed', attempts: 5, http_status: 503, message: 'HTTP 503: busy (gave up after 5 attempts)' },
  invalid: { status: 'invalid', attempts: 0, http_status: null, message: 'name: missing required field' },
  skipped: { status: 'skipped', attempts: 0, http_status: null, message: 'not sent: 1 manifest is invalid' },
  'dry-run': { status: 'dry-run', attempts: 0, http_status: null, message: 'would be deleted' },
}

export function result(
  status: Status,
  name: string,
  fields: Partial<Location & Identity & { message: string; pull_request: number; rule: string }> = {},
): Result {
  return {
    pull_request: null,
    rule: null,
    file: `.truefoundry/${name}.yaml`,
    document: 0,
    line: 1,
    type: 'artifact-version',
    ml_repo: 'previews',
    name,
    version: 3,
    version_alias: null,
    id: null,
    ...OUTCOMES[status],
    ...fields,
  }
}

/** The rows as a run keeps them, in memory, or in `file` when given. */
export function stored(results: Result[], file: string | null = null): ResultStore {
  const store = new ResultStore(file)
  for (const row of results) store.add(row)
  return store.finish()
}
