import type { AnnotationProperties } from '@actions/core'
import { ANNOTATIONS_SHOWN_PER_KIND, capAnnotations } from './annotations.ts'
import { printable } from '../text/printable.ts'
import { createRedactor, type Redact } from '../text/redact.ts'
import type { Status } from '../results/result.ts'

/** What the run needs of @actions/core; the command line brings its own, with no outputs: no later step reads them. */
export interface Core {
  getInput(name: string): string
  setSecret(secret: string): void
  info(message: string): void
  warning(message: string, properties?: AnnotationProperties): void
  error(message: string, properties?: AnnotationProperties): void
  notice(message: string, properties?: AnnotationProperties): void
  group<T>(name: string, fn: () => Promise<T>): Promise<T>
  setOutput?: (name: string, value: unknown) => void
  setFailed(message: string): void
  summary: { addRaw(text: string): { write(): Promise<unknown> } }
}

/**
 * The runner reads a log line that starts, after any whitespace, with `::`
 * (or `##[`) as a workflow command. Log lines carry text the run does not
 * control (file names, manifest values, server bodies), so each line is kept
 * to one line and, if it would read as a command, shown with a `›` before it.
 */
function logLine(text: string): string {
  const line = oneLine(text)
  return COMMAND_START.test(line) ? `›${line}` : line
}

const COMMAND_START = /^\s*(::|##\[)/

/** A cell of the results table as the guard prints it: on one line, its unprintable characters written out. */
export function printedCell(text: string): string {
  return printable(oneLine(text))
}

/** Text that cannot break a log line or a table row: line breaks become spaces. */
function oneLine(text: string): string {
  // Most text has no line break; looking for one is far cheaper than a replace that finds none.
  return text.includes('\n') || text.includes('\r') ? text.replace(/[\r\n]+/g, ' ') : text
}

/** The core a run writes through: it also redacts, with every secret registered so far. */
export interface GuardedCore extends Core {
  redact(text: string): string
  /** Lines of the results table, in one write: each guarded like any log line, then styled (the command line colours it by status). */
  tableLines(lines: TableLine[]): void
  /** Prints the annotations held back by the cap, or the count of those it dropped. */
  flushAnnotations(): void
}

/**
 * Every channel of `core` guarded once, so no stage has to remember: in every
 * log line, annotation (its file and title too), group name, output, summary
 * and failure, wherever the text came from (a server's body, a manifest value
 * filled in by substitution, a field of GitHub's answer), unprintable
 * characters are written out as escapes (printable.ts), and then each secret
 * registered through setSecret (the tokens) is redacted in every form, the
 * `\u` form that escaping writes included; every log line is made safe by
 * logLine (annotations need no more: the command syntax escapes their line
 * breaks); and annotations are capped for the whole run, a sweep of a
 * thousand pull requests included. Escaping comes first so that redaction
 * sees the text as it will be printed: a secret cannot appear by escaping.
 * The table's styling comes last: its colours are the action's own.
 */
export function guardCore(core: Core, styleTableLine: (line: TableLine) => string = (line) => line.text): GuardedCore {
  const secrets: string[] = []
  const { setOutput } = core
  // One fewer than the runner shows: the step's own verdict (setFailed) must be among them.
  const { annotate, finish } = capAnnotations(
    (kind, message, properties) => core[kind](message, properties),
    ANNOTATIONS_SHOWN_PER_KIND - 1,
  )
  let redact: Redact = createRedactor(secrets)
  const safe = (text: string) => redact(printable(text))
  const safeProperties = (properties?: AnnotationProperties) =>
    properties && { ...properties, file: properties.file && safe(properties.file), title: properties.title && safe(properties.title) }
  return {
    getInput: (name) => core.getInput(name),
    setSecret(secret) {
      core.setSecret(secret)
      secrets.push(secret)
      redact = createRedactor(secrets)
    },
    redact: (text) => redact(text),
    info: (message) => core.info(safe(logLine(message))),
    tableLines: (lines) => core.info(lines.map(({ text, status }) => styleTableLine({ text: safe(logLine(text)), status })).join('\n')),
    warning: (message, properties) => annotate('warning', safe(message), safeProperties(properties)),
    error: (message, properties) => annotate('error', safe(message), safeProperties(properties)),
    notice: (message, properties) => annotate('notice', safe(message), safeProperties(properties)),
    flushAnnotations: finish,
    group: (name, fn) => core.group(safe(oneLine(name)), fn),
    // The `results` output is JSON: its escapes are JSON's, so it parses to the same rows.
    setOutput: setOutput && ((name, value) => setOutput(name, typeof value === 'string' ? safe(value) : value)),
    setFailed: (message) => core.setFailed(safe(message)),
    summary: { addRaw: (text) => core.summary.addRaw(safe(text)) },
  }
}

/** A line of the log table, and the status of its row (null for the header). */
export interface TableLine {
  text: string
  status: Status | null
}
