// The command line's own core: the log on a terminal stream, annotations as
// coloured lines, the job summary in a file when asked for, and no outputs,
// since no later step reads them.
import { writeFile } from 'node:fs/promises'
import { styleText } from 'node:util'
import type { AnnotationProperties } from '@actions/core'
import type { Status } from '../results/result.ts'
import type { Core, TableLine } from './guarded-core.ts'

type Style = Parameters<typeof styleText>[0]

const STATUS_STYLE: Record<Status, Style> = {
  failed: 'red',
  invalid: 'yellow',
  skipped: 'gray',
  deleted: 'green',
  'not-found': 'cyan',
  'dry-run': 'blue',
}

/** `read` gives each input's value as the runner would, '' when not given; `failed` is set once the run fails. */
export function terminalCore(
  read: (name: string) => string,
  log: NodeJS.WriteStream,
  summaryFile: string | undefined,
): Core & { failed: boolean } {
  const paint = (style: Style, text: string) => styleText(style, text, { stream: log })
  const where = (properties?: AnnotationProperties) =>
    properties?.file ? `${properties.file}${properties.startLine ? `:${properties.startLine}` : ''}: ` : ''
  let summaryStarted = false
  const state = {
    failed: false,
    getInput: read,
    setSecret: () => {},
    info: (message: string) => void log.write(`${message}\n`),
    warning: (message: string, properties?: AnnotationProperties) =>
      void log.write(`${paint('yellow', 'warning')} ${where(properties)}${message}\n`),
    error: (message: string, properties?: AnnotationProperties) =>
      void log.write(`${paint('red', 'error')} ${where(properties)}${message}\n`),
    notice: (message: string) => void log.write(`${paint('bold', message)}\n`),
    async group<T>(name: string, fn: () => Promise<T>) {
      log.write(`${paint('bold', `▸ ${name}`)}\n`)
      return fn()
    },
    setFailed(message: string) {
      state.failed = true
      log.write(`${paint('red', 'error')} ${message}\n`)
    },
    summary: {
      // The summary comes in parts: the first replaces what the file held, the rest follow it.
      addRaw: (html: string) => ({
        write: async () => {
          if (!summaryFile) return
          await writeFile(summaryFile, html, { flag: summaryStarted ? 'a' : 'w' })
          summaryStarted = true
        },
      }),
    },
  }
  return state
}

/** A line of the results table in the colour of its row's status, the header in bold. */
export function styleTableLine(log: NodeJS.WriteStream): (line: TableLine) => string {
  return ({ text, status }) => styleText(status === null ? 'bold' : STATUS_STYLE[status], text, { stream: log })
}
