// Runs Prism (https://stoplight.io/open-source/prism) as a mock of the
// control plane: it answers each request the OpenAPI document describes, after
// validating the request against it (422 when the request does not conform).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { isDeepStrictEqual } from 'node:util'
import { once } from 'node:events'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { parse } from 'yaml'

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

/**
 * Starts one Prism for `documents` (one OpenAPI document, or several served
 * together) on a free port of 127.0.0.1 and resolves once it listens. Each
 * Prism takes a second or more of a core to start, so a test file asks one
 * for all the documents it needs.
 */
export async function startPrism(documents: string | string[], timeoutMs = STARTUP_TIMEOUT_MS): Promise<Prism> {
  if (typeof documents === 'string') return startPrismFor(documents, timeoutMs)
  const dir = await mkdtemp(join(tmpdir(), 'prism-'))
  try {
    const merged = join(dir, 'merged.openapi.json')
    await writeFile(merged, JSON.stringify(await mergeDocuments(documents)))
    const prism = await startPrismFor(merged, timeoutMs)
    return { url: prism.url, close: () => prism.close().finally(() => rm(dir, { recursive: true, force: true })) }
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }
}

const SCHEMA_REF = '#/components/schemas/'

/**
 * One document serving the paths of all of `documents`, each path with the
 * schemas of its own document: schema names are prefixed with their
 * document's file name (every `$ref` and discriminator mapping with them), so
 * two documents may each define a schema of the same name differently. A path
 * in two documents, or a security scheme of one name defined two ways, is an
 * error: the merge would change what one of them says.
 */
export async function mergeDocuments(documents: string[]): Promise<Record<string, unknown>> {
  type Document = {
    paths: Record<string, unknown>
    components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> }
  }
  const merged = {
    paths: {} as Record<string, unknown>,
    components: { schemas: {} as Record<string, unknown>, securitySchemes: {} as Record<string, unknown> },
  }
  let head: Record<string, unknown> = {}
  for (const [index, path] of documents.entries()) {
    const document = parse(await readFile(path, 'utf8')) as Document & Record<string, unknown>
    if (index === 0) head = document
    const prefix = `${basename(path).replace(/[^A-Za-z0-9]+/g, '_')}__`
    const renamed = renameSchemaRefs(document, prefix) as Document
    for (const [route, item] of Object.entries(renamed.paths)) {
      if (route in merged.paths) throw new Error(`${route} is in two of the documents merged for Prism (the second is ${path})`)
      merged.paths[route] = item
    }
    for (const [name, schema] of Object.entries(renamed.components?.schemas ?? {})) merged.components.schemas[prefix + name] = schema
    for (const [name, scheme] of Object.entries(renamed.components?.securitySchemes ?? {})) {
      if (name in merged.components.securitySchemes && !isDeepStrictEqual(merged.components.securitySchemes[name], scheme))
        throw new Error(`the security scheme ${name} differs between the documents merged for Prism (the second is ${path})`)
      merged.components.securitySchemes[name] = scheme
    }
  }
  return { openapi: head.openapi, info: head.info, servers: head.servers, security: head.security, ...merged }
}

/** `value` with every reference to a schema, `#/components/schemas/X`, made one to `#/components/schemas/{prefix}X`. */
function renameSchemaRefs(value: unknown, prefix: string): unknown {
  if (typeof value === 'string') return value.startsWith(SCHEMA_REF) ? SCHEMA_REF + prefix + value.slice(SCHEMA_REF.length) : value
  if (Array.isArray(value)) return value.map((item) => renameSchemaRefs(item, prefix))
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renameSchemaRefs(item, prefix)]))
  return value
}

async function startPrismFor(document: string, timeoutMs: number): Promise<Prism> {
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
