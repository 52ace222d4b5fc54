// Runs Prism (https://stoplight.io/open-source/prism) as a mock of the
// control plane: it answers each request the OpenAPI document describes, after
// validating the request against it (422 when the request does not conform).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { once } from 'node:events'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

export interface Prism {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string
  /** Stops Prism and waits until its process has exited. */
  close(): Promise<void>
}

const STARTUP_TIMEOUT_MS = 60_000
const STOP_GRACE_MS = 5_000
const KEPT_OUTPUT_CHARS = 20_000

const require = createRequire(import.meta.url)
const prismPackage = require.resolve('@stoplight/prism-cli/package.json')
const prismBin = join(dirname(prismPackage), (require(prismPackage) as { bin: { prism: string } }).bin.prism)

// Loaded into Prism's process: exit when our end of its stdin closes, which
// happens however this process ends, so a test run killed before close()
// leaves no Prism behind.
const EXIT_WITH_PARENT = `data:text/javascript,${encodeURIComponent(
  'process.stdin.on("end", () => process.exit(0)).on("error", () => process.exit(0)).resume().unref()',
)}`

/** Starts Prism for `document` on a free port of 127.0.0.1 and resolves once it listens. */
export async function startPrism(document: string, timeoutMs = STARTUP_TIMEOUT_MS): Promise<Prism> {
  // process.execPath is the Node 24 running the tests; Prism needs it, the machine's node may be older.
  const child = spawn(
    process.execPath,
    ['--import', EXIT_WITH_PARENT, prismBin, 'mock', document, '--host', '127.0.0.1', '--port', '0', '--errors'],
    { stdio: 'pipe', env: { ...process.env, FORCE_COLOR: '0' } },
  )
  const output = { stdout: '', stderr: '' }
  for (const stream of ['stdout', 'stderr'] as const) {
    // Read everything, always: Prism logs every request and would block on a full pipe.
    child[stream].setEncoding('utf8').on('data', (chunk: string) => {
      output[stream] = (output[stream] + chunk).slice(-KEPT_OUTPUT_CHARS)
    })
  }
  const close = () => stop(child)

  let timer: NodeJS.Timeout | undefined
  try {
    const url = await Promise.race([
      listeningUrl(child, output),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`it did not listen within ${timeoutMs / 1000} s`)), timeoutMs)
      }),
    ])
    return { url, close }
  } catch (error) {
    await close()
    throw new Error(
      `Could not start Prism (${prismBin}) for ${document}: ${(error as Error).message}\n` +
        `--- Prism's stderr ---\n${output.stderr}\n--- Prism's stdout ---\n${output.stdout}`,
      { cause: error },
    )
  } finally {
    clearTimeout(timer)
  }
}

/** Prism prints "Prism is listening on http://127.0.0.1:PORT" when ready; with port 0 it picks a free port. */
function listeningUrl(child: ChildProcessWithoutNullStreams, output: { stdout: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const onData = () => {
      const listening = /Prism is listening on (http:\/\/[\d.]+:\d+)/.exec(output.stdout)
      if (!listening) return
      child.stdout.off('data', onData)
      resolve(listening[1]!)
    }
    child.stdout.on('data', onData)
    child.once('error', reject)
    child.once('exit', (code, signal) => reject(new Error(`it exited (${signal ?? `code ${code}`}) before listening`)))
  })
}

async function stop(child: ChildProcessWithoutNullStreams): Promise<void> {
  const notRunning = child.pid === undefined || child.exitCode !== null || child.signalCode !== null
  if (notRunning) return
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
  await exited
  clearTimeout(force)
}
