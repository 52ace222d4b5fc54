// The built action (built from this source for the test run), run as the runner runs it, against the stand-in control plane.
import { cp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { BUILT_ACTION } from './support/bundle.ts'
import { runAction } from '../../fakes/run-action.ts'
import { startStandIn, type StandIn } from '../../fakes/stand-in-control-plane.ts'
import { scratchDir } from '../support/scratch.ts'

const TOKEN = 'tfy-secret-token-7c1e'
const examples = fileURLToPath(new URL('../../examples/manifests/', import.meta.url))

async function workspaceWithExamples(): Promise<string> {
  const workspace = await scratchDir('workspace-')
  await cp(examples, path.join(workspace, 'manifests'), { recursive: true })
  return workspace
}

let standIn: StandIn | undefined
afterEach(async () => {
  await standIn?.close()
  standIn = undefined
})

describe('the built action', () => {
  it('deletes every version the manifests name and reports it in outputs and summary', async () => {
    // Both generations: a data directory goes to the generic endpoint, which only svc-v1 has.
    standIn = await startStandIn({
      token: TOKEN,
      serves: 'both',
      existing: [
        'demo-previews/churn-classifier@v0-pr7',
        'demo-previews/churn-features@v0-pr7-features',
        'demo-previews/churn-eval-report@v0-pr7-eval',
        'model-version:demo-previews/churn-classifier@v0-pr7',
        'model-version:demo-previews/ticket-summarizer@v0-pr7-summarizer',
        'model-version:demo-previews/offer-ranker@v0-pr7-ranker',
        'chat_prompt:demo-previews/support-reply@v0-pr7-prompt',
        'data-dir:demo-previews/churn-sample-pr7',
      ],
    })
    const run = await runAction({
      entry: BUILT_ACTION,
      workspace: await workspaceWithExamples(),
      inputs: {
        'manifest-path': 'manifests/**/*.yaml\nmanifests/**/*.yml\nmanifests/**/*.json',
        'control-plane-url': standIn.url,
        token: TOKEN,
        'substitute-env': 'true',
      },
      env: { PR_NUMBER: '7' },
    })

    expect(run.exitCode).toBe(0)
    expect(run.outputs.deleted).toBe('8')
    expect(run.outputs.failed).toBe('0')
    const results = JSON.parse(run.outputs.results!) as Record<string, unknown>[]
    expect(results.map((result) => [result.file, result.document, result.line, result.type, result.status]).sort()).toEqual([
      ['manifests/preview/classifier-model.yaml', 0, 5, 'model-version', 'deleted'],
      ['manifests/preview/eval-report.json', 0, 1, 'artifact-version', 'deleted'],
      ['manifests/preview/models.yaml', 0, 3, 'artifact-version', 'deleted'],
      ['manifests/preview/models.yaml', 1, 13, 'artifact-version', 'deleted'],
      ['manifests/preview/ranker-model.yaml', 0, 3, 'model-version', 'deleted'],
      ['manifests/preview/sample-data.yaml', 0, 4, 'data-dir', 'deleted'],
      ['manifests/preview/summarizer-model.yaml', 0, 2, 'model-version', 'deleted'],
      ['manifests/preview/support-prompt.yaml', 0, 4, 'chat_prompt', 'deleted'],
      ['manifests/preview/tokenizer.yml', 0, 1, 'artifact-version', 'not-found'],
    ])
    const classifier = (type: string) => results.find((result) => result.name === 'churn-classifier' && result.type === type)
    for (const type of ['artifact-version', 'model-version']) {
      expect(classifier(type)).toMatchObject({
        ml_repo: 'demo-previews',
        version: null,
        version_alias: 'v0-pr7',
        attempts: 1,
        http_status: 200,
      })
    }
    expect(standIn.requests.map((request) => request.headers.authorization)).toEqual(Array(9).fill(`Bearer ${TOKEN}`))
    const pathOf = (name: string) =>
      standIn!.requests
        .filter((request) => request.manifest?.name === name)
        .map((request) => request.path)
        .sort()
    expect(pathOf('churn-classifier')).toEqual(['/api/ml/v1/artifact-versions', '/api/ml/v1/model-versions'])
    expect(pathOf('offer-ranker')).toEqual(['/api/ml/v1/model-versions'])
    expect(pathOf('support-reply')).toEqual(['/api/ml/v1/prompt-versions'])
    expect(pathOf('churn-sample-pr7')).toEqual(['/api/svc/v1/delete'])
    expect(results.find((result) => result.type === 'data-dir')).toMatchObject({
      ml_repo: 'demo-previews',
      version: null,
      version_alias: null,
    })
    expect(standIn.probes.map((probe) => probe.path).sort()).toEqual([
      '/api/ml/v1/artifact-versions',
      '/api/ml/v1/model-versions',
      '/api/ml/v1/prompt-versions',
      '/api/svc/v1/delete',
    ])
    expect(run.summary).toContain('<strong>8 deleted, 1 not found, 0 failed, 0 invalid, 0 skipped</strong>')
    expect(run.summary).toContain('<code>manifests/preview/tokenizer.yml:1</code>')
    expect(run.summary).toContain('<td>model version</td>')
    expect(run.summary).toContain('<td>prompt version</td>')
    expect(run.summary).toContain('<td>data directory</td>')
    expect(run.stdout).toContain('::notice title=Cleanup::8 deleted, 1 not found')
    expect(run.stdout).toMatch(/^✅ deleted +model version +demo-previews +offer-ranker +v0-pr7-ranker/m)
  })

  it('fails the step and sends nothing when a manifest is invalid, with an annotation at its line', async () => {
    standIn = await startStandIn({ token: TOKEN })
    const workspace = await workspaceWithExamples()
    await writeFile(
      path.join(workspace, 'manifests', 'broken.yaml'),
      'name: bad name\nml_repo: demo-previews\nverison: 2\nmetadata: {}\nsource:\n  type: truefoundry\n',
    )
    const run = await runAction({
      entry: BUILT_ACTION,
      workspace,
      inputs: { 'manifest-path': 'manifests/**/*.yaml', 'control-plane-url': standIn.url, token: TOKEN, 'substitute-env': 'true' },
      env: { PR_NUMBER: '7' },
    })

    expect(run.exitCode).toBe(1)
    expect(standIn.requests).toHaveLength(0)
    expect(run.outputs.failed).toBe('1')
    expect(run.stdout).toMatch(
      /::error title=Invalid artifact-version manifest,file=manifests\/broken\.yaml,line=1,col=1::name: "bad name" does not match/,
    )
    expect(run.stdout).toContain('manifest: names neither "version" nor "version_alias"')
    expect(run.stdout).toContain(
      '::warning title=Unknown manifest field,file=manifests/broken.yaml,line=3,col=1::Unknown field "verison": did you mean "version"?',
    )
    const statuses = (JSON.parse(run.outputs.results!) as { status: string; message: string }[]).map((result) => result.status)
    expect(statuses.sort()).toEqual(['invalid', ...Array(7).fill('skipped')])
    expect(run.summary).toContain('not sent: 1 manifest is invalid')
  })

  it('validates without a URL or token in a dry run', async () => {
    const run = await runAction({
      entry: BUILT_ACTION,
      workspace: await workspaceWithExamples(),
      inputs: { 'manifest-path': 'manifests/**/*.yml', 'dry-run': 'true' },
    })
    expect(run.exitCode).toBe(0)
    expect(JSON.parse(run.outputs.results!)).toMatchObject([{ status: 'dry-run', name: 'churn-tokenizer', version: 7 }])
    expect(run.summary).toContain('TrueFoundry cleanup (dry run)')
  })

  it('keeps the results output under GitHub’s 1 MB, saying so, and writes every row to results-file in RUNNER_TEMP', async () => {
    const workspace = await scratchDir('workspace-')
    const runnerTemp = await scratchDir('runner-temp-')
    const documents = Array.from(
      { length: 6000 },
      (_, index) => `name: model-${index}\nml_repo: previews\nversion: 1\nmetadata: {}\nsource:\n  type: truefoundry\n`,
    )
    await writeFile(path.join(workspace, 'many.yaml'), documents.join('---\n'))
    const run = await runAction({
      entry: BUILT_ACTION,
      workspace,
      inputs: { 'manifest-path': '*.yaml', 'dry-run': 'true' },
      env: { RUNNER_TEMP: runnerTemp },
    })
    expect(run.exitCode).toBe(0)
    const file = run.outputs['results-file']!
    expect(path.dirname(file)).toBe(runnerTemp)
    const every = JSON.parse(await readFile(file, 'utf8')) as Array<{ name: string; status: string }>
    expect(every.map((row) => row.name)).toEqual(documents.map((_, index) => `model-${index}`))
    expect(every.every((row) => row.status === 'dry-run')).toBe(true)
    const shown = JSON.parse(run.outputs.results!) as unknown[]
    expect(Buffer.byteLength(run.outputs.results!)).toBeLessThanOrEqual(1_000_000)
    expect(shown.length).toBeGreaterThan(1000)
    expect(shown).toEqual(every.slice(0, shown.length))
    expect(run.stdout).toContain(
      `::warning::The rows come to ${(Buffer.byteLength(JSON.stringify(every)) / 1e6).toFixed(1)} MB of JSON, more than the 1 MB GitHub allows an output, which a step cannot read: the results output holds ${shown.length} of the 6000 rows, those that need a look first. The results-file output names a file with every row (${file}).`,
    )
  })

  it('fails before reading any file when an input is bad, naming it', async () => {
    const run = await runAction({
      entry: BUILT_ACTION,
      workspace: await workspaceWithExamples(),
      inputs: { 'manifest-path': 'manifests/**/*.yml', 'dry-run': 'true', concurrency: 'lots' },
    })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('::error::Input "concurrency" must be a whole number from 1 to 64, got "lots".')
  })

  it('keeps the token out of everything it writes', async () => {
    standIn = await startStandIn({
      token: TOKEN,
      script(request, response) {
        response.writeHead(500, { 'content-type': 'text/plain' })
        response.end(`upstream said: ${request.headers.authorization}`)
        return 'handled'
      },
    })
    const run = await runAction({
      entry: BUILT_ACTION,
      workspace: await workspaceWithExamples(),
      inputs: { 'manifest-path': 'manifests/**/*.yml', 'control-plane-url': standIn.url, token: TOKEN, 'max-attempts': '1' },
    })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.results).toContain('upstream said: Bearer ***')
    const written = [run.stdout.replace(`::add-mask::${TOKEN}`, ''), run.stderr, run.summary, JSON.stringify(run.outputs)]
    for (const text of written) expect(text).not.toContain(TOKEN)
  })

  it('still writes the log table, the summary and the notice when GITHUB_OUTPUT cannot be written, and fails the step', async () => {
    const run = await runAction({
      entry: BUILT_ACTION,
      workspace: await workspaceWithExamples(),
      inputs: { 'manifest-path': 'manifests/**/*.yml', 'dry-run': 'true' },
      env: { GITHUB_OUTPUT: path.join(tmpdir(), 'no-such-folder', 'output') },
    })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/^::warning::The outputs could not be written: /m)
    expect(run.stdout).toMatch(/^🔍 dry run +artifact version +demo-previews +churn-tokenizer/m)
    expect(run.summary).toContain('churn-tokenizer')
    expect(run.stdout).toMatch(/^::notice title=Cleanup \(dry run\)::/m)
    expect(run.stdout).toMatch(/^::error::The step's outputs could not be written/m)
  })

  it('still writes the log table, the outputs and the notice when the job summary cannot be written, and warns why', async () => {
    const workspace = await workspaceWithExamples()
    const cases: [Record<string, string>, RegExp][] = [
      [{ GITHUB_STEP_SUMMARY: '' }, /^::warning::The job summary could not be written: GITHUB_STEP_SUMMARY is not set/m],
      [
        { GITHUB_STEP_SUMMARY: workspace },
        /^::warning::The job summary could not be written: .* \(GITHUB_STEP_SUMMARY\) cannot be written: EISDIR/m,
      ],
    ]
    for (const [env, warning] of cases) {
      const run = await runAction({
        entry: BUILT_ACTION,
        workspace,
        inputs: { 'manifest-path': 'manifests/**/*.yml', 'dry-run': 'true' },
        env,
      })
      expect(run.exitCode).toBe(0)
      expect(run.stdout).toMatch(warning)
      expect(run.stdout).toMatch(/^🔍 dry run +artifact version +demo-previews +churn-tokenizer/m)
      expect(run.outputs.results).toContain('churn-tokenizer')
      expect(run.stdout).toMatch(/^::notice title=Cleanup \(dry run\)::/m)
    }
  })

  it('ends with the whole log written, however slowly the runner reads it, and with the exit code the verdict set', async () => {
    const workspace = await scratchDir('workspace-')
    const manifest = (index: number) => `---\nname: m${index}\nml_repo: previews\nversion: 1\nmetadata: {}\nsource: {type: truefoundry}\n`
    // Thousands of rows: a log table many times what a pipe holds, so the action waits on its reader.
    await writeFile(path.join(workspace, 'previews.yaml'), Array.from({ length: 3000 }, (_, index) => manifest(index)).join(''))
    await writeFile(path.join(workspace, 'broken.yaml'), 'name: [\n')
    for (const [pattern, code] of [
      ['previews.yaml', 0],
      ['*.yaml', 1],
    ] as const) {
      const run = await runAction({
        entry: BUILT_ACTION,
        workspace,
        inputs: { 'manifest-path': pattern, 'dry-run': 'true' },
        onStart(child) {
          child.stdout!.pause()
          setTimeout(() => child.stdout!.resume(), 500)
        },
      })
      expect(run.exitCode).toBe(code)
      // Would be deleted, or skipped beside the invalid file.
      expect(run.stdout.match(/^(🔍 dry run|⏭️ skipped) +artifact version +previews +m\d+ /gmu)).toHaveLength(3000)
      // The last lines: the notice, then the verdict's error when there is one.
      expect(run.stdout).toMatch(/^::notice title=Cleanup \(dry run\)::.*\n(::error::.*\n)?(?![\s\S])/m)
    }
  })

  it('lists a file whose name is a workflow command without the runner running it', async () => {
    const workspace = await scratchDir('workspace-')
    const manifest = (name: string) => `name: ${name}\nml_repo: previews\nversion: 1\nmetadata: {}\nsource:\n  type: truefoundry\n`
    for (const [index, name] of ['::warning title=x::a.yaml', '##[error]b.yaml'].entries())
      await writeFile(path.join(workspace, name), manifest(`m${index}`))
    const run = await runAction({ entry: BUILT_ACTION, workspace, inputs: { 'manifest-path': '*.yaml', 'dry-run': 'true' } })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('::warning title=x::a.yaml')
    expect(run.stdout).not.toMatch(/^\s*::warning title=x/m)
    expect(run.stdout).not.toMatch(/^\s*##\[/m)
  })

  it('redacts a token that substitution pasted into a manifest, in every form, from the log, summary and outputs', async () => {
    const token = 'tfy/se"cret+key~ü'
    const workspace = await scratchDir('workspace-')
    const manifest = (alias: string) =>
      `name: leak\nml_repo: previews\nversion_alias: ${alias}\ndescription: "\${TFY_API_KEY}"\nmetadata: {}\nsource:\n  type: truefoundry\n`
    await writeFile(path.join(workspace, 'valid.yaml'), manifest('v1'))
    await writeFile(path.join(workspace, 'invalid.yaml'), manifest("'${TFY_API_KEY}'"))
    const run = await runAction({
      entry: BUILT_ACTION,
      workspace,
      inputs: { 'manifest-path': '*.yaml', 'dry-run': 'true', 'substitute-env': 'true' },
      env: { TFY_API_KEY: token },
    })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('version_alias: "***" does not match')
    const forms = [
      token,
      JSON.stringify(token).slice(1, -1),
      encodeURIComponent(token),
      encodeURIComponent(token).toLowerCase(),
      token.replace(/\//g, '\\/'),
    ]
    const written = [
      run.stdout.replace(`::add-mask::${token}`, ''),
      run.stderr,
      run.summary,
      JSON.stringify(run.outputs),
      run.outputs.results!,
    ]
    for (const text of written) for (const form of forms) expect(text).not.toContain(form)
  })
})
