// The ledger holds a target's rows until every one is settled, then writes
// them to the store in the order checked, whatever order they settle in.
import { describe, expect, it } from 'vitest'
import { Ledger } from '../../../src/results/ledger.ts'
import { plan, type CheckedManifest } from '../../../src/results/plan.ts'
import { SentVersions } from '../../../src/results/sent-versions.ts'
import { ResultStore } from '../../../src/results/store.ts'
import type { Outcome, Result } from '../../../src/results/result.ts'

function manifest(name: string): CheckedManifest {
  return {
    file: `${name}.yaml`,
    document: 0,
    line: 1,
    type: 'artifact-version',
    ml_repo: 'previews',
    name,
    version: 1,
    version_alias: null,
    id: null,
    valid: true,
    body: JSON.stringify({ manifest: { name } }),
  }
}

const DELETED: Outcome = { status: 'deleted', attempts: 1, http_status: 200, message: 'deleted' }

function open() {
  const store = new ResultStore(null)
  const ledger = new Ledger(store, (row: Result) => ({ ...row, message: row.message.replaceAll('secret', '***') }))
  const target = (pullRequest: number, ...names: string[]) => {
    const manifests = names.map(manifest)
    return ledger.planned(plan(manifests, { dryRun: false }, new SentVersions(), pullRequest))
  }
  const names = () => [...store.rows()].map((row) => `${row.pull_request}:${row.name}:${row.status}`)
  return { store, ledger, target, names }
}

describe('Ledger', () => {
  it('writes each target once all its rows are settled, in the order checked', () => {
    const { ledger, target, names } = open()
    const first = target(1, 'a', 'b')
    const empty = target(2)
    const third = target(3, 'c')
    ledger.settled(third[0]!, DELETED)
    ledger.settled(first[1]!, DELETED)
    expect(names()).toEqual([])
    ledger.settled(first[0]!, DELETED)
    expect(names()).toEqual(['1:a:deleted', '1:b:deleted', '3:c:deleted'])
    expect(empty).toEqual([])
  })

  it('on a stop, writes what is held: unanswered requests as failed, unsent ones as skipped, with secrets taken out', () => {
    const { ledger, target, store } = open()
    const jobs = target(4, 'sent', 'unsent')
    ledger.sending(jobs[0]!)
    ledger.sending(jobs[0]!)
    ledger.finish('a secret stop')
    expect([...store.rows()].map(({ name, status, attempts, message }) => ({ name, status, attempts, message }))).toEqual([
      {
        name: 'sent',
        status: 'failed',
        attempts: 2,
        message: "unknown: a *** stop before this version's delete was answered; it may or may not be deleted",
      },
      { name: 'unsent', status: 'skipped', attempts: 0, message: 'not sent: a *** stop' },
    ])
  })

  it('counts a version settled once, whatever comes after', () => {
    const { ledger, target, names } = open()
    const [job] = target(5, 'once')
    ledger.settled(job!, DELETED)
    ledger.settled(job!, { status: 'failed', attempts: 2, http_status: 500, message: 'late' })
    ledger.finish()
    expect(names()).toEqual(['5:once:deleted'])
  })
})
