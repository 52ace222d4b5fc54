// What the control plane's answers carry of the token, as the user sees it: a
// run against a server that echoes the token, in every form a server or a URL
// may give it, shows it in no channel (log, annotations, failure, summary,
// outputs, results file). The client takes it out of a body, which is cut;
// the ledger and the guarded core take it out of every other text.
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { run, type Core } from '../../../src/run.ts'
import { redirect, respond, startFaultServer, type Fault, type FaultServerOptions } from '../../../fakes/fault-server.ts'
import { scratchDir } from '../../support/scratch.ts'

const TOKEN = 'k3y/with+base64/chars=='
const FORMS: [string, string][] = [
  ['raw', TOKEN],
  ['JSON \\/', TOKEN.replaceAll('/', '\\/')],
  ['JSON \\u', [...TOKEN].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')],
  ['percent-encoded', encodeURIComponent(TOKEN)],
  ['percent-encoded, lower case', encodeURIComponent(TOKEN).toLowerCase()],
]
const cleanups: (() => Promise<void>)[] = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

/** Runs one manifest against the fault server; returns every text the run wrote anywhere, and its one row's message. */
async function runAgainst(options: FaultServerOptions): Promise<{ everything: string; message: string | undefined; failed: string }> {
  const server = await startFaultServer({ token: TOKEN, ...options })
  cleanups.push(() => server.close())
  const workspace = await scratchDir('redaction-test-')
  await writeFile(
    path.join(workspace, 'm.yaml'),
    'name: model-0\nml_repo: previews\nversion: 1\nmetadata: {}\nsource:\n  type: truefoundry\n',
  )
  const inputs: Record<string, string> = {
    'manifest-path': 'm.yaml',
    'control-plane-url': server.url,
    token: TOKEN,
    'max-attempts': '1',
  }
  const written: string[] = []
  let failed = ''
  const core: Core = {
    getInput: (name) => inputs[name] ?? '',
    setSecret: () => undefined,
    info: (message) => void written.push(message),
    warning: (message, properties) => void written.push(message, JSON.stringify(properties ?? {})),
    error: (message, properties) => void written.push(message, JSON.stringify(properties ?? {})),
    notice: (message, properties) => void written.push(message, JSON.stringify(properties ?? {})),
    group: (name, fn) => (written.push(name), fn()),
    setOutput: (name, value) => void written.push(`${name}=${String(value)}`),
    setFailed: (message) => void written.push((failed = message)),
    summary: { addRaw: (text) => ({ write: () => Promise.resolve(void written.push(text)) }) },
  }
  const resultsFile = path.join(workspace, 'results.json')
  const store = await run({
    core,
    env: {},
    workspace,
    cancel: new AbortController().signal,
    abortInFlight: new AbortController().signal,
    runContext: () => Promise.resolve({ repository: 'acme/models', pullRequest: 12, runUrl: null, serverUrl: null }),
    resultsFile,
  })
  written.push(await readFile(resultsFile, 'utf8'))
  const [row] = store.rows()
  return { everything: written.join('\n'), message: row?.message, failed }
}

function expectNoToken(everything: string): void {
  for (const [name, form] of FORMS) expect(everything, name).not.toContain(form)
  expect(everything).toContain('***')
}

describe('the token echoed by the control plane shows nowhere', () => {
  test('in a body that echoes the Authorization header', async () => {
    const echo = respond(500, (request) => ({ detail: `bad header: ${request.headers.authorization}` }))
    const { everything, message } = await runAgainst({ faults: [echo] })
    expect(message).toBe('HTTP 500: bad header: Bearer *** (gave up after 1 attempt)')
    expectNoToken(everything)
  })

  test.each([
    ['escapes / as \\/', (token: string) => token.replaceAll('/', '\\/')],
    [
      'escapes every character as \\u',
      (token: string) => [...token].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
    ],
  ])('in a JSON body that %s', async (_name, escape) => {
    const echo = respond(500, (request) => `{"detail": "bad header ${escape(request.headers.authorization!)}"}`)
    const { everything, message } = await runAgainst({ faults: [echo] })
    expect(message).toBe('HTTP 500: bad header Bearer *** (gave up after 1 attempt)')
    expectNoToken(everything)
  })

  test.each<[string, Fault]>([
    ['as it is', redirect((request) => `https://elsewhere.example/login?t=${request.headers.authorization!.slice(7)}`, 302)],
    ['percent-encoded', redirect(`https://elsewhere.example/login?t=${encodeURIComponent(TOKEN)}`, 302)],
    ['percent-encoded in lower case', redirect(`https://elsewhere.example/login?t=${encodeURIComponent(TOKEN).toLowerCase()}`, 302)],
  ])('in a Location header that carries it %s', async (_name, fault) => {
    const { everything, message } = await runAgainst({ faults: [fault] })
    expect(message).toBe(
      'redirected (HTTP 302) to https://elsewhere.example/login?t=***; redirects are not followed, so the token goes only to control-plane-url: check the URL',
    )
    expectNoToken(everything)
  })

  test('in the Location of the endpoint check, which fails the step', async () => {
    const { everything, failed } = await runAgainst({
      probeFaults: [redirect(`https://elsewhere.example/login?t=${encodeURIComponent(TOKEN)}`, 302)],
    })
    expect(failed).toContain('was redirected (HTTP 302) to https://elsewhere.example/login?t=***, which is not followed')
    expectNoToken(everything)
  })
})
