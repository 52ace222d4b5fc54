import type { AnnotationProperties } from '@actions/core'

/** What the run needs of @actions/core; the command line brings its own. */
export interface Core {
  getInput(name: string): string
  setSecret(secret: string): void
  info(message: string): void
  warning(message: string, properties?: AnnotationProperties): void
  error(message: string, properties?: AnnotationProperties): void
  notice(message: string, properties?: AnnotationProperties): void
  group<T>(name: string, fn: () => Promise<T>): Promise<T>
  setOutput(name: string, value: unknown): void
  setFailed(message: string): void
  summary: { addRaw(text: string): { write(): Promise<unknown> } }
}

/**
 * The runner reads a log line that starts, after any whitespace, with `::`
 * (or `##[`) as a workflow command. Log lines carry text the run does not
 * control (file names, manifest values, server bodies), so each line is kept
 * to one line and, if it would read as a command, shown with a `›` before it.
 */
export function logLine(text: string): string {
  const line = oneLine(text)
  return COMMAND_START.test(line) ? `›${line}` : line
}

const COMMAND_START = /^\s*(::|##\[)/

/** Text that cannot break a log line or a table row: line breaks become spaces. */
export function oneLine(text: string): string {
  // Most text has no line break; looking for one is far cheaper than a replace that finds none.
  return text.includes('\n') || text.includes('\r') ? text.replace(/[\r\n]+/g, ' ') : text
}

/** The same core, with every log line made safe by logLine. Annotations are escaped by the runner's command syntax already. */
export function withSafeLog(core: Core): Core {
  return { ...core, info: (message) => core.info(logLine(message)), summary: core.summary }
}

/** A failure the user must act on, with a message that says how: it fails the step, without the stack a defect would print. */
export class StepFailure extends Error {
  override name = 'StepFailure'
}
