import { describe, expect, it } from 'vitest'
import { MANIFEST_KINDS, type ManifestKind } from '../../../src/manifests/kinds.ts'
import type { ArtifactManifest } from '../../support/sample-manifests.ts'
import { plan as planOf, type CheckedManifest } from '../../../src/results/plan.ts'
import { SentVersions } from '../../../src/results/sent-versions.ts'
import { checkManifest } from '../../../src/manifests/schema-check.ts'
import { validateText } from '../../support/validate-text.ts'

let nextLine = 1

function valid(
  name: string,
  version: { version?: number; version_alias?: string },
  file = 'previews.yaml',
  ml_repo = 'previews',
  type: ManifestKind = 'artifact-version',
): CheckedManifest {
  const manifest: ArtifactManifest = { name, metadata: {}, ml_repo, source: { type: 'truefoundry' }, ...version }
  return {
    file,
    document: 0,
    line: nextLine++,
    type,
    ml_repo,
    name,
    version: version.version ?? null,
    version_alias: version.version_alias ?? null,
    id: null,
    valid: true,
    body: JSON.stringify({ manifest }),
  }
}

function invalid(message: string): CheckedManifest {
  return {
    file: 'broken.yaml',
    document: 0,
    line: nextLine++,
    type: null,
    ml_repo: null,
    name: null,
    version: null,
    version_alias: null,
    id: null,
    valid: false,
    message,
  }
}

/** A plan as two lists: each manifest's outcome (undefined where a request decides it), and the requests with the place of their manifest. */
function plan(...args: Parameters<typeof planOf>) {
  const { decisions } = planOf(...args)
  return {
    outcomes: decisions.map((decision) => ('outcome' in decision ? decision.outcome : undefined)),
    jobs: decisions.flatMap((decision, index) => ('send' in decision ? [{ index, ...decision.send }] : [])),
  }
}

describe('plan', () => {
  it('sends each valid manifest, in order', () => {
    const manifests = [valid('a', { version: 1 }), valid('b', { version_alias: 'v-pr-7' }), valid('a', { version: 2 })]
    const { outcomes, jobs } = plan(manifests, { dryRun: false }, new SentVersions())
    expect(outcomes).toEqual([undefined, undefined, undefined])
    expect(jobs).toEqual(manifests.map((manifest, index) => manifest.valid && { index, type: 'artifact-version', body: manifest.body }))
  })

  it('sends a version once, skipping the manifests that repeat it with the place of the first', () => {
    const first = valid('a', { version: 1 }, 'one.yaml')
    const manifests = [first, valid('b', { version: 1 }), valid('a', { version: 1 }, 'two.yaml'), valid('a', { version: 1 }, 'three.yaml')]
    const { outcomes, jobs } = plan(manifests, { dryRun: false }, new SentVersions())
    expect(jobs.map((job) => job.index)).toEqual([0, 1])
    const duplicate = { status: 'skipped', attempts: 0, http_status: null, message: `duplicate of one.yaml:${first.line}` }
    expect(outcomes).toEqual([undefined, undefined, duplicate, duplicate])
  })

  it('tells a version apart from an alias, and the same name in another ML repo', () => {
    const manifests = [
      valid('a', { version: 1 }),
      valid('a', { version_alias: 'v1' }),
      valid('a', { version: 1 }, 'previews.yaml', 'other-repo'),
    ]
    expect(plan(manifests, { dryRun: false }, new SentVersions()).jobs.map((job) => job.index)).toEqual([0, 1, 2])
  })

  it('identifies a version by its number when it has one: an alias beside it does not make it another version', () => {
    const manifests = [
      valid('a', { version: 3 }),
      valid('a', { version: 3, version_alias: 'v3' }),
      valid('a', { version: 3, version_alias: 'other' }),
    ]
    const { outcomes, jobs } = plan(manifests, { dryRun: false }, new SentVersions())
    expect(jobs.map((job) => job.index)).toEqual([0])
    expect(outcomes.slice(1)).toEqual(
      [1, 2].map(() => ({
        status: 'skipped',
        attempts: 0,
        http_status: null,
        message: `duplicate of previews.yaml:${manifests[0]!.line}`,
      })),
    )
    // An alias alone cannot be matched to a number: both are sent.
    expect(
      plan([valid('a', { version_alias: 'v3' }), valid('a', { version: 3, version_alias: 'v3' })], { dryRun: false }, new SentVersions())
        .jobs,
    ).toHaveLength(2)
  })

  it('takes a manifest without "type" and one with "type: artifact-version" as the same kind', () => {
    const checked = [{}, { type: 'artifact-version' }].map((fields, index): CheckedManifest => {
      const verdict = checkManifest({
        name: 'a',
        ml_repo: 'previews',
        version: 3,
        metadata: {},
        source: { type: 'truefoundry' },
        ...fields,
      })
      if (!verdict.valid) throw new Error('invalid')
      const { type, body } = verdict
      return {
        file: 'a.yaml',
        document: index,
        line: 1,
        type,
        ml_repo: 'previews',
        name: 'a',
        version: 3,
        version_alias: null,
        id: null,
        valid: true,
        body,
      }
    })
    expect(plan(checked, { dryRun: false }, new SentVersions()).jobs.map((job) => job.index)).toEqual([0])
  })

  it("names each job's kind, whose endpoint the deletion stage finds", () => {
    const manifests = [valid('a', { version: 1 }), valid('m', { version: 1 }, 'models.yaml', 'previews', 'model-version')]
    expect(plan(manifests, { dryRun: false }, new SentVersions()).jobs.map((job) => job.type)).toEqual([
      'artifact-version',
      'model-version',
    ])
    expect(MANIFEST_KINDS['model-version'].endpoints).toEqual({ 'ml-v1': 'api/ml/v1/model-versions', 'svc-v1': 'api/svc/v1/delete' })
  })

  it('sends a data directory, which has no version, once per ML repo and name, at the generic endpoint', async () => {
    const dataDirectory = (name: string, more = '') =>
      `type: data-dir\nname: ${name}\nml_repo: previews\nmetadata: {}\nsource: {type: truefoundry}\n${more}`
    const manifests = await validateText(
      [
        dataDirectory('sample-${PR_NUMBER}'),
        dataDirectory('sample-${PR_NUMBER}', 'version: 3\n'),
        dataDirectory('other-${PR_NUMBER}'),
      ].join('---\n'),
    )
    expect(manifests.map((manifest) => [manifest.valid, manifest.type, manifest.name, manifest.version])).toEqual([
      [true, 'data-dir', 'sample-42', null],
      [true, 'data-dir', 'sample-42', null],
      [true, 'data-dir', 'other-42', null],
    ])
    const { outcomes, jobs } = plan(manifests, { dryRun: false }, new SentVersions())
    expect(jobs.map((job) => [job.index, job.type])).toEqual([
      [0, 'data-dir'],
      [2, 'data-dir'],
    ])
    expect(outcomes[1]).toMatchObject({ status: 'skipped', message: 'duplicate of previews/a.yaml:1' })
  })

  it('takes an artifact version and a model version of the same name, repo and number as two versions, each sent once', () => {
    const manifests = [
      valid('churn', { version: 3 }),
      valid('churn', { version: 3 }, 'models.yaml', 'previews', 'model-version'),
      valid('churn', { version: 3 }, 'again.yaml', 'previews', 'model-version'),
    ]
    const { outcomes, jobs } = plan(manifests, { dryRun: false }, new SentVersions())
    expect(jobs.map((job) => [job.index, job.type])).toEqual([
      [0, 'artifact-version'],
      [1, 'model-version'],
    ])
    expect(outcomes[2]).toMatchObject({ status: 'skipped', message: `duplicate of models.yaml:${manifests[1]!.line}` })
  })

  it('sends nothing when any manifest is invalid, and says why for each valid one', () => {
    const manifests = [
      valid('a', { version: 1 }),
      invalid('name: missing'),
      valid('b', { version: 1 }),
      invalid('unreadable'),
      valid('a', { version: 1 }),
    ]
    const { outcomes, jobs } = plan(manifests, { dryRun: false }, new SentVersions())
    expect(jobs).toEqual([])
    const notSent = { status: 'skipped', attempts: 0, http_status: null, message: 'not sent: 2 manifests are invalid' }
    expect(outcomes).toEqual([
      notSent,
      { status: 'invalid', attempts: 0, http_status: null, message: 'name: missing' },
      notSent,
      { status: 'invalid', attempts: 0, http_status: null, message: 'unreadable' },
      { status: 'skipped', attempts: 0, http_status: null, message: `duplicate of previews.yaml:${manifests[0]!.line}` },
    ])
  })

  it('words one invalid manifest in the singular', () => {
    const { outcomes } = plan([invalid('bad'), valid('a', { version: 1 })], { dryRun: false }, new SentVersions())
    expect(outcomes[1]).toMatchObject({ status: 'skipped', message: 'not sent: 1 manifest is invalid' })
  })

  it('sends nothing in a dry run, marking each version it would delete', () => {
    const manifests = [valid('a', { version: 1 }), valid('b', { version: 1 }), valid('a', { version: 1 })]
    const { outcomes, jobs } = plan(manifests, { dryRun: true }, new SentVersions())
    expect(jobs).toEqual([])
    expect(outcomes.map((outcome) => outcome?.status)).toEqual(['dry-run', 'dry-run', 'skipped'])
    expect(outcomes[0]).toEqual({ status: 'dry-run', attempts: 0, http_status: null, message: 'would be deleted' })
  })

  it('reports the invalid ones in a dry run too', () => {
    const { outcomes } = plan([valid('a', { version: 1 }), invalid('bad')], { dryRun: true }, new SentVersions())
    expect(outcomes.map((outcome) => outcome?.status)).toEqual(['skipped', 'invalid'])
  })

  it('plans nothing for no manifests', () => {
    expect(plan([], { dryRun: false }, new SentVersions())).toEqual({ outcomes: [], jobs: [] })
  })
})

describe('plan across the targets of a run', () => {
  it('sends a version once in the run, whichever pull request or file names it again, naming the first', () => {
    const sent = new SentVersions()
    const first = valid('churn', { version_alias: 'v0-pr123' }, 'previews/a.yaml')
    expect(plan([first], { dryRun: false }, sent, 123).jobs).toHaveLength(1)
    // Another file's template gives pull request 23 the same version: v0-pr1${PR_NUMBER}.
    const again = plan(
      [valid('churn', { version_alias: 'v0-pr123' }, 'previews/b.yaml'), valid('churn', { version_alias: 'v0-pr23' }, 'previews/a.yaml')],
      { dryRun: false },
      sent,
      23,
    )
    expect(again.jobs.map((job) => job.index)).toEqual([1])
    expect(again.outcomes[0]).toEqual({
      status: 'skipped',
      attempts: 0,
      http_status: null,
      message: `duplicate of previews/a.yaml:${first.line} of pull request #123, sent then`,
    })
  })

  it('sends a version that an earlier target named but did not send, its manifests being invalid', () => {
    const sent = new SentVersions()
    expect(plan([valid('churn', { version: 4 }), invalid('broken')], { dryRun: false }, sent, 1).jobs).toEqual([])
    expect(plan([valid('churn', { version: 4 })], { dryRun: false }, sent, 2).jobs).toHaveLength(1)
  })

  it('in a dry run, reports the later one as the duplicate the real run would skip', () => {
    const sent = new SentVersions()
    plan([valid('churn', { version: 4 }, 'a.yaml')], { dryRun: true }, sent, null)
    expect(plan([valid('churn', { version: 4 }, 'a.yaml')], { dryRun: true }, sent, null).outcomes[0]).toMatchObject({
      status: 'skipped',
      message: expect.stringMatching(/^duplicate of a\.yaml:\d+, which would delete it$/),
    })
  })
})
