// npm run demo: the built action against a stand-in control plane on
// loopback, over the example manifests, run exactly as the runner runs it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startStandIn } from '../fakes/stand-in-control-plane.ts'
import { DIST_ENTRY, runAction } from '../fakes/run-action.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const TOKEN = 'demo-token-not-a-secret'

// Eight of the nine exist (three artifact versions, three model versions, a
// prompt version and a data directory); the tokenizer was deleted by hand
// earlier, so the server answers 404 for it. The first request meets a 503, to show a retry.
// It serves both generations of the API, as a control plane does while the per-kind endpoints last.
const standIn = await startStandIn({
  token: TOKEN,
  serves: 'both',
  existing: [
    'demo-previews/churn-classifier@v0-pr42',
    'demo-previews/churn-features@v0-pr42-features',
    'demo-previews/churn-eval-report@v0-pr42-eval',
    'model-version:demo-previews/churn-classifier@v0-pr42',
    'model-version:demo-previews/ticket-summarizer@v0-pr42-summarizer',
    'model-version:demo-previews/offer-ranker@v0-pr42-ranker',
    'chat_prompt:demo-previews/support-reply@v0-pr42-prompt',
    'data-dir:demo-previews/churn-sample-pr42',
  ],
  script(_request, response, index) {
    if (index !== 0) return
    response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' })
    response.end(JSON.stringify({ detail: 'Service temporarily unavailable' }))
    return 'handled'
  },
})

// The event a closed pull request sends, for the summary's heading.
const eventFile = path.join(mkdtempSync(path.join(tmpdir(), 'demo-event-')), 'event.json')
writeFileSync(eventFile, JSON.stringify({ action: 'closed', number: 42, pull_request: { number: 42, merged: true } }))

try {
  console.log(`Stand-in control plane on ${standIn.url}\n`)
  const run = await runAction({
    entry: DIST_ENTRY,
    workspace: root,
    inputs: {
      'manifest-path': 'examples/manifests/**/*.yaml\nexamples/manifests/**/*.yml\nexamples/manifests/**/*.json',
      'control-plane-url': standIn.url,
      token: TOKEN,
      'substitute-env': 'true',
    },
    env: {
      PR_NUMBER: '42',
      GITHUB_REPOSITORY: 'acme/churn-model',
      GITHUB_RUN_ID: '1234',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventFile,
    },
  })
  console.log('── log ──────────────────────────────────────────────')
  // The runner shows ::debug:: lines (from @actions/glob) only when debug logging is on; so does the demo.
  process.stdout.write(process.env.RUNNER_DEBUG === '1' ? run.stdout : run.stdout.replace(/^::debug::.*\n/gm, ''))
  console.log('── outputs ──────────────────────────────────────────')
  console.log(`deleted=${run.outputs.deleted}  failed=${run.outputs.failed}`)
  console.log(`results=${JSON.stringify(JSON.parse(run.outputs.results ?? '[]'), null, 1).slice(0, 600)}…`)
  const summaryPath = fileURLToPath(new URL('../demo-summary.html', import.meta.url))
  writeFileSync(summaryPath, run.summary)
  console.log('── job summary (HTML, as GitHub renders it; also in demo-summary.html) ──')
  console.log(readFileSync(summaryPath, 'utf8'))
  console.log(`exit code ${run.exitCode}; the stand-in received ${standIn.requests.length} requests`)
  process.exitCode = run.exitCode ?? 1
} finally {
  await standIn.close()
}
