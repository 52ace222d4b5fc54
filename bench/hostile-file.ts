// Hostile sizes: a manifest file of 1 MiB (the most the action reads) in the
// shapes that cost the loader and the validator most. Each shape is timed in
// process through the validation stage's own calls; the worst one is then run
// through the built action (a dry run) against a process that only reads and
// parses it with yaml.
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { checkFile } from '../src/manifests/check-file.ts'
import { parseManifestFile } from '../src/manifests/parse.ts'
import { MAX_FILE_BYTES } from '../src/manifests/read.ts'
import { timeSlice } from '../src/runner/time-slice.ts'
import { DIST_ENTRY, runAction } from '../fakes/run-action.ts'
import { alternate, median, ms, pairedRatio, type Figure } from './measure.ts'

const VALID = 'name: m\nml_repo: r\nversion: 1\nmetadata: {}\nsource: {type: truefoundry}\n'

/** Repeats `unit(i)` until the next would pass `bytes`. */
function fill(bytes: number, head: string, unit: (index: number) => string, tail = ''): string {
  const parts = [head]
  let size = Buffer.byteLength(head) + Buffer.byteLength(tail)
  for (let index = 0; ; index++) {
    const part = unit(index)
    size += Buffer.byteLength(part)
    if (size > bytes) break
    parts.push(part)
  }
  parts.push(tail)
  return parts.join('')
}

/** Each shape fills `bytes` (MAX_FILE_BYTES in a full run). */
export const SHAPES: Record<string, (bytes: number) => string> = {
  'unknown top-level keys, each a typo of a known field': (bytes) => fill(bytes, VALID, (i) => `verison${i}: 1\n`),
  'documents, each {} (invalid)': (bytes) => fill(bytes, '', () => '--- {}\n'),
  'empty documents': (bytes) => fill(bytes, VALID, () => '---\n'),
  'documents, each a valid manifest': (bytes) =>
    fill(bytes, '', (i) => `---\nname: m\nml_repo: r\nversion: ${i + 1}\nmetadata: {}\nsource: {type: truefoundry}\n`),
  'a long flow list in metadata': (bytes) => fill(bytes, `${VALID.replace('metadata: {}\n', '')}metadata: {l: [`, () => '1,', '1]}\n'),
  'a long block list of integers too big for JSON': (bytes) =>
    fill(bytes, `${VALID.replace('metadata: {}\n', '')}metadata:\n`, () => '- 9007199254740993\n'),
  'a list of empty local paths (an error per item)': (bytes) =>
    fill(bytes, 'name: m\nml_repo: r\nversion: 1\nmetadata: {}\nsource:\n  type: local\n  paths:\n', () => '    - {}\n'),
  'aliases to one mapping': (bytes) =>
    fill(bytes, `${VALID.replace('metadata: {}\n', '')}metadata:\n  a: &a {x: 1, y: [1, 2]}\n`, (i) => `  k${i}: *a\n`),
  'anchors each used once': (bytes) =>
    fill(bytes, `${VALID.replace('metadata: {}\n', '')}metadata:\n`, (i) => `  a${i}: &a${i} 1\n  b${i}: *a${i}\n`),
  'nesting 400 levels deep, repeated': (bytes) =>
    fill(bytes, `${VALID.replace('metadata: {}\n', '')}metadata:\n`, (i) => `  k${i}: ${'['.repeat(400)}${']'.repeat(400)}\n`),
  'nesting 60 levels deep (under the bound), repeated': (bytes) =>
    fill(bytes, `${VALID.replace('metadata: {}\n', '')}metadata:\n`, (i) => `  k${i}: ${'['.repeat(60)}${']'.repeat(60)}\n`),
  'a long flow list of empty lists': (bytes) => fill(bytes, `${VALID.replace('metadata: {}\n', '')}metadata: [`, () => '[],', '[]]\n'),
  'indented mappings 60 levels deep, repeated': (bytes) =>
    fill(
      bytes,
      `${VALID.replace('metadata: {}\n', '')}metadata:\n`,
      (i) => Array.from({ length: 60 }, (_, d) => `${' '.repeat(d + 2)}k${d ? '' : i}:\n`).join('') + `${' '.repeat(62)}v: 1\n`,
    ),
  'documents, each a flow list just under the token bound': (bytes) =>
    fill(
      bytes,
      '',
      (i) => `--- {name: m, ml_repo: r, version: ${i + 1}, metadata: {l: [${'1,'.repeat(2_000)}1]}, source: {type: truefoundry}}\n`,
    ),
  'one huge string': (bytes) => `${VALID}description: "${'x'.repeat(bytes - VALID.length - 20)}"\n`,
  'one huge key': (bytes) => `${VALID}"${'k'.repeat(bytes - VALID.length - 20)}": 1\n`,
  'one long line of flow mappings': (bytes) => fill(bytes, `${VALID.replace('metadata: {}\n', '')}metadata: [`, () => '{a: 1},', '{}]\n'),
  'comments with ${NAME} in them': (bytes) => fill(bytes, VALID, () => '# ${PR_NUMBER} ${NOT_SET}\n'),
}

/** The validation stage's work on one file, through its own calls, without writing the annotations: the documents checked. */
async function validateFile(text: string, fileName = 'manifest.yaml'): Promise<number> {
  const parsed = await parseManifestFile(new TextEncoder().encode(text), fileName, { substituteEnv: true }, timeSlice())
  const file = { absolute: '', relative: fileName, refusal: null }
  return [...checkFile(file, parsed, { env: { PR_NUMBER: '7' }, namedByNumber: false })].length
}

export async function hostileFileFigures(
  root: string,
  bytes: number,
  repetitions: number,
  progress: (text: string) => void,
): Promise<Figure[]> {
  const timings: { shape: string; ms: number }[] = []
  for (const [shape, make] of Object.entries(SHAPES)) {
    const text = make(bytes)
    if (Buffer.byteLength(text) > MAX_FILE_BYTES) throw new Error(`the shape "${shape}" is larger than the file limit`)
    const samples: number[] = []
    for (let i = 0; i < repetitions; i++) {
      const started = performance.now()
      await validateFile(text)
      samples.push(performance.now() - started)
    }
    timings.push({ shape, ms: median(samples) })
    progress(`  ${ms(median(samples)).padStart(8)}  ${shape}`)
  }
  const worst = timings.reduce((a, b) => (b.ms > a.ms ? b : a))

  const dir = await mkdtemp(path.join(tmpdir(), 'bench-hostile-'))
  try {
    await mkdir(path.join(dir, 'manifests'))
    await writeFile(path.join(dir, 'manifests', 'hostile.yaml'), SHAPES[worst.shape]!(bytes))
    const samples = await alternate(repetitions, {
      action: async () => {
        const run = await runAction({
          entry: DIST_ENTRY,
          workspace: dir,
          inputs: { 'manifest-path': 'manifests/*.yaml', 'dry-run': 'true', 'fail-on-error': 'false' },
        })
        if (run.exitCode !== 0) throw new Error(`the dry run exited with ${run.exitCode}:\n${run.stdout.slice(-4000)}${run.stderr}`)
        return run.durationMs
      },
      floor: async () => {
        const started = performance.now()
        await promisify(execFile)(process.execPath, [path.join(root, 'bench/yaml-floor.ts'), path.join(dir, 'manifests')], {
          maxBuffer: 1 << 20,
        })
        return performance.now() - started
      },
    })
    const action = median(samples.action)
    return [
      {
        figure: `worst 1 MiB manifest file (${worst.shape}), dry run`,
        measured: ms(action),
        floor: `${ms(median(samples.floor))} (read + yaml parse)`,
        ratio: pairedRatio(samples.action, samples.floor),
        target: '< 2 s',
        pass: action < 2000,
      },
      { figure: '  its validation stage alone, in process', measured: ms(worst.ms), floor: '—', ratio: null, target: '—', pass: null },
    ]
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
