import { describe, expect, it } from 'vitest'
import { guardCore, type Core } from '../../../src/runner/guarded-core.ts'

/** What each channel of a core was given, as one list of [channel, text]. */
function recordingCore(): Core & { written: [string, string][] } {
  const written: [string, string][] = []
  const annotate = (kind: string) => (message: string, properties?: { file?: string; title?: string }) => {
    written.push([kind, message])
    if (properties?.file !== undefined) written.push([`${kind} file`, properties.file])
    if (properties?.title !== undefined) written.push([`${kind} title`, properties.title])
  }
  return {
    written,
    getInput: () => '',
    setSecret: () => {},
    info: (message) => void written.push(['info', message]),
    warning: annotate('warning'),
    error: annotate('error'),
    notice: annotate('notice'),
    group: (name, fn) => {
      written.push(['group', name])
      return fn()
    },
    setOutput: (name, value) => void written.push([`output ${name}`, String(value)]),
    setFailed: (message) => void written.push(['failed', message]),
    summary: { addRaw: (text) => ({ write: () => Promise.resolve(void written.push(['summary', text])) }) },
  }
}

/** Writes `text` through every channel of a guarded core; returns what reached the core below. */
async function throughEveryChannel(text: string, secrets: string[] = []): Promise<[string, string][]> {
  const core = recordingCore()
  const guarded = guardCore(core)
  for (const secret of secrets) guarded.setSecret(secret)
  guarded.info(text)
  guarded.tableLines([{ text, status: 'failed' }])
  guarded.warning(text, { file: text, title: text })
  guarded.error(text, { file: text, startLine: 3 })
  guarded.notice(text, { title: text })
  guarded.flushAnnotations()
  await guarded.group(text, () => Promise.resolve())
  guarded.setOutput?.('results', JSON.stringify([{ name: text }]))
  guarded.setFailed(text)
  await guarded.summary.addRaw(`<td>${text}</td>`).write()
  return core.written
}

const UNPRINTABLE = /(?![\t\n]|\r\n)[\p{Cc}\p{Bidi_Control}\u2028\u2029]/u

describe('guardCore', () => {
  it.each([
    ['ESC sequences that clear the screen and retitle the window', '\u001b[2J\u001b]0;owned\u0007'],
    ['backspaces and a carriage return that rub out "failed"', 'failed\b\b\b\b\b\bdeleted\rdeleted'],
    ['a C1 control sequence introducer and DEL', '\u009b2J\u007f'],
    ['bidi overrides and isolates', 'v0-\u202egnp.exe\u202c \u2066x\u2069 \u2028'],
    ['NUL and the other C0 controls', Array.from({ length: 32 }, (_, code) => String.fromCharCode(code)).join('')],
  ])('lets no unprintable character through any channel: %s', async (_, hostile) => {
    const written = await throughEveryChannel(`server said: ${hostile}`)
    expect(written).toHaveLength(13)
    for (const [channel, text] of written) expect({ channel, text }).not.toEqual({ channel, text: expect.stringMatching(UNPRINTABLE) })
  })

  it('keeps the line breaks of messages where they are the action’s own, and of the summary’s HTML', async () => {
    const written = await throughEveryChannel('first line\nsecond line\r\nthird')
    const of = (channel: string) => written.filter(([name]) => name === channel).map(([, text]) => text)
    expect(of('failed')).toEqual(['first line\nsecond line\r\nthird'])
    expect(of('warning')).toEqual(['first line\nsecond line\r\nthird'])
    expect(of('summary')).toEqual(['<td>first line\nsecond line\r\nthird</td>'])
    // A log line stays one line.
    expect(of('info')).toEqual(['first line second line third', 'first line second line third'])
  })

  it('has no outputs when the core below has none, as on the command line', () => {
    const { setOutput, ...withoutOutputs } = recordingCore()
    expect(setOutput).toBeDefined()
    expect(guardCore(withoutOutputs).setOutput).toBeUndefined()
  })

  it('keeps the `results` output JSON, parsing to the same rows', async () => {
    const name = 'a\u001bb\u007fc\u0085d\u202ee\u2028'
    const written = await throughEveryChannel(name)
    const results = written.find(([channel]) => channel === 'output results')![1]
    expect(results).not.toMatch(UNPRINTABLE)
    expect(JSON.parse(results)).toEqual([{ name }])
  })

  it('styles a table line after making it safe, so the styling’s own escapes reach the terminal and the row’s do not', () => {
    const core = recordingCore()
    const guarded = guardCore(core, ({ text, status }) => `\u001b[31m${status}: ${text}\u001b[39m`)
    guarded.tableLines([{ text: 'name\u001b[2J', status: 'failed' }])
    expect(core.written).toEqual([['info', '\u001b[31mfailed: name\\u001b[2J\u001b[39m']])
  })

  it('writes table lines in one write, each line guarded on its own: none can start a workflow command', () => {
    const core = recordingCore()
    const guarded = guardCore(core)
    guarded.tableLines([
      { text: 'a | ok', status: null },
      { text: '::error::forged\nstill one line', status: 'failed' },
      { text: '  ##[group]x', status: 'deleted' },
    ])
    expect(core.written).toEqual([['info', 'a | ok\n›::error::forged still one line\n›  ##[group]x']])
  })

  describe('redaction and escaping', () => {
    it('redacts a secret holding a character that escaping writes out (a C1 control fits in an HTTP header)', async () => {
      const secret = 'tok\u0085en-5d1e'
      for (const [channel, text] of await throughEveryChannel(`echo ${secret} and ${JSON.stringify(secret)}`, [secret])) {
        if (channel === 'output results') expect(JSON.parse(text)).toEqual([{ name: 'echo *** and "***"' }])
        else expect({ channel, text }).toEqual({ channel, text: expect.stringContaining('echo *** and "***"') })
        expect(text).not.toContain('en-5d1e')
      }
    })

    it('redacts a secret that escaping would spell out from a control character', async () => {
      const secret = 'key\\u001bpart-77aa'
      for (const [channel, text] of await throughEveryChannel(`echo key\u001bpart-77aa`, [secret])) {
        if (channel === 'output results') continue // JSON: its value holds the control itself, not the secret's text
        expect({ channel, text }).toEqual({ channel, text: expect.stringContaining('echo ***') })
      }
    })

    it('shows a secret split by a control character with the escape between its parts, so it never reads whole', async () => {
      const secret = 'ghs_split_token_93c1'
      for (const control of ['\u0000', '\u0008', '\u001b', '\u007f', '\u200e', '\u202e']) {
        const split = `${secret.slice(0, 9)}${control}${secret.slice(9)}`
        for (const [channel, text] of await throughEveryChannel(`echo ${split}`, [secret])) {
          // The output is JSON, which writes some controls its own way (\b): its value is the text as it came.
          if (channel !== 'output results')
            expect({ channel, text }).toEqual({ channel, text: expect.stringContaining(`${secret.slice(0, 9)}\\u`) })
          expect(text).not.toContain(secret)
        }
      }
    })
  })
})
