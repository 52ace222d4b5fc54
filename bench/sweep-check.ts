// The sweep over a big manifest: a file of about 150 KB, one document whose
// metadata is most of it, parsed once and checked for every pull request.
// - the longest block of the event loop while the built action sweeps 300
//   pull requests (bench/loop-block.mjs), with both servers in this process;
// - the check's cost per pull request in process, through the validation
//   stage's own calls, against substitution and validation alone on the
//   document parsed once: a walk that fills in every string, the kind's
//   generated validator and the request body's JSON.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { MANIFEST_KINDS } from '../src/manifests/kinds.ts'
import { checkFile } from '../src/manifests/check-file.ts'
import { parseManifestFile } from '../src/manifests/parse.ts'
import { timeSlice } from '../src/runner/time-slice.ts'
import { bigManifest } from '../fakes/big-manifest.ts'
import { DIST_ENTRY, runAction } from '../fakes/run-action.ts'
import { startStandIn } from '../fakes/stand-in-control-plane.ts'
import { closedPullRequest, startStandInGitHub } from '../fakes/stand-in-github.ts'
import { alternate, median, ms, pairedRatio, type Figure } from './measure.ts'

const TFY_TOKEN = 'bench-token'
const GITHUB_TOKEN = 'ghs_benchSweepCheck'
const MANIFEST_BYTES = 150 * 1024

export interface SweepCheckSettings {
  /** Pull requests of the swept run, and of each in-process repetition. */
  pullRequests: number
  runs: number
}

/** The longest event-loop block of one sweep of the built action, in ms. */
async function longestBlockMs(root: string, text: string, pullRequests: number): Promise<number> {
  const now = new Date()
  const listed = Array.from({ length: pullRequests }, (_, i) => closedPullRequest(pullRequests - i, now, (6 * i) / pullRequests))
  const gitHub = await startStandInGitHub({ token: GITHUB_TOKEN, owner: 'acme', repo: 'models', pullRequests: listed, latencyMs: 20 })
  const controlPlane = await startStandIn({
    token: TFY_TOKEN,
    async script(_request, response) {
      await new Promise((resolve) => setTimeout(resolve, 10))
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      return 'handled' as const
    },
  })
  const workspace = await mkdtemp(path.join(tmpdir(), 'bench-sweep-check-'))
  const blockFile = path.join(workspace, 'block.json')
  try {
    await writeFile(path.join(workspace, 'preview.yaml'), text)
    const run = await runAction({
      entry: path.join(root, 'bench/loop-block.mjs'),
      workspace,
      inputs: {
        'manifest-path': 'preview.yaml',
        'control-plane-url': controlPlane.url,
        token: TFY_TOKEN,
        'github-token': GITHUB_TOKEN,
        'substitute-env': 'true',
        'closed-within-days': '7',
        concurrency: '8',
      },
      env: { GITHUB_REPOSITORY: 'acme/models', GITHUB_API_URL: gitHub.url, BENCH_BUNDLE: DIST_ENTRY, BENCH_BLOCK_FILE: blockFile },
    })
    if (run.exitCode !== 0) throw new Error(`the sweep exited with ${run.exitCode}:\n${run.stdout.slice(-4000)}${run.stderr}`)
    if (controlPlane.requests.length !== pullRequests)
      throw new Error(`the sweep sent ${controlPlane.requests.length} deletes for ${pullRequests} versions`)
    const figure = JSON.parse(await readFile(blockFile, 'utf8')) as { longestBlockMs: number; sampled: boolean }
    if (!figure.sampled) throw new Error('the sweep never logged its first line')
    return figure.longestBlockMs
  } finally {
    await Promise.all([gitHub.close(), controlPlane.close(), rm(workspace, { recursive: true, force: true })])
  }
}

const env = (number: number) => ({ PR_NUMBER: String(number), PR_HEAD_REF: `feature-${number}`, PR_HEAD_SHA: 'a'.repeat(40) })

/** Every string of `value` with its ${NAME} filled in: the substitution a check cannot do without. */
function substituted(value: unknown, vars: Record<string, string>): unknown {
  if (typeof value === 'string') return value.includes('${') ? value.replace(/\$\{(\w+)\}/g, (_, name: string) => vars[name] ?? '') : value
  if (Array.isArray(value)) return value.map((item) => substituted(item, vars))
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substituted(item, vars)]))
  return value
}

export async function sweepCheckFigures(root: string, settings: SweepCheckSettings, progress: (text: string) => void): Promise<Figure[]> {
  const text = bigManifest(MANIFEST_BYTES)
  const slice = timeSlice()
  const parsed = await parseManifestFile(new TextEncoder().encode(text), 'preview.yaml', { substituteEnv: true }, slice)
  if (parsed.kind !== 'parsed') throw new Error(`the bench manifest ${parsed.reason}`)
  const file = { absolute: '', relative: 'preview.yaml', refusal: null }
  const document = JSON.parse(JSON.stringify(parsed.documents[0]!.value)) as unknown
  const validate = MANIFEST_KINDS['artifact-version'].validate
  const { pullRequests } = settings

  progress(
    `sweep check: ${settings.runs} runs each of ${pullRequests} pull requests checked in process, and of substitution and validation alone`,
  )
  const samples = await alternate(settings.runs, {
    action: () => {
      const started = performance.now()
      for (let number = 1; number <= pullRequests; number++) {
        const [checked] = checkFile(file, parsed, { env: env(number), namedByNumber: true })
        const manifest = checked?.manifest
        if (!manifest?.valid)
          throw new Error(`pull request ${number}'s manifest is invalid: ${manifest && !manifest.valid ? manifest.message : 'none'}`)
      }
      return Promise.resolve((performance.now() - started) / pullRequests)
    },
    floor: () => {
      const started = performance.now()
      for (let number = 1; number <= pullRequests; number++) {
        const value = substituted(document, env(number))
        if (!validate(value)) throw new Error('the floor found the manifest invalid')
        if (JSON.stringify({ manifest: value }).length === 0) throw new Error('no body')
      }
      return Promise.resolve((performance.now() - started) / pullRequests)
    },
  })
  const ratio = pairedRatio(samples.action, samples.floor)

  progress(`sweep check: the longest event-loop block while the built action sweeps ${pullRequests} pull requests`)
  const block = await longestBlockMs(root, text, pullRequests)
  return [
    {
      figure: `sweep: longest event-loop block (${pullRequests} pull requests, one ${MANIFEST_BYTES / 1024} KiB manifest)`,
      measured: ms(block, 1),
      floor: '—',
      ratio: null,
      target: '≤ 50 ms',
      pass: block <= 50,
    },
    {
      figure: `  its check per pull request, in process`,
      measured: ms(median(samples.action), 2),
      floor: `${ms(median(samples.floor), 2)} (substitute + validate + body)`,
      ratio,
      target: '≤ 1.2×',
      pass: ratio <= 1.2,
    },
  ]
}
