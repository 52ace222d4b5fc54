// The part of @actions/core this action uses, built from @actions/core's own
// modules. Its entry point also loads the OIDC client and the platform helpers,
// and with them @actions/http-client, undici and @actions/exec: most of the
// start-up of every run, for code the action never calls (bench/README.md).
// The paths in tsconfig.json point the bundle's '@actions/core' here, so
// @actions/glob logs through this module too. test/core.test.ts checks that
// each function writes what @actions/core's own writes.
import { EOL } from 'node:os'
import { issue, issueCommand } from '../node_modules/@actions/core/lib/command.js'
import type { AnnotationProperties, InputOptions } from '../node_modules/@actions/core/lib/core.js'
import { issueFileCommand, prepareKeyValueMessage } from '../node_modules/@actions/core/lib/file-command.js'
import { toCommandProperties, toCommandValue } from '../node_modules/@actions/core/lib/utils.js'

export { summary } from '../node_modules/@actions/core/lib/summary.js'
export type { AnnotationProperties, InputOptions }

export function getInput(name: string, options?: InputOptions): string {
  const value = process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || ''
  if (options?.required && !value) throw new Error(`Input required and not supplied: ${name}`)
  return options?.trimWhitespace === false ? value : value.trim()
}

export function setOutput(name: string, value: unknown): void {
  if (process.env.GITHUB_OUTPUT) return issueFileCommand('OUTPUT', prepareKeyValueMessage(name, value))
  process.stdout.write(EOL)
  issueCommand('set-output', { name }, toCommandValue(value))
}

export function setSecret(secret: string): void {
  issueCommand('add-mask', {}, secret)
}

export function setFailed(message: string | Error): void {
  process.exitCode = 1
  error(message)
}

export function debug(message: string): void {
  issueCommand('debug', {}, message)
}

export function info(message: string): void {
  process.stdout.write(message + EOL)
}

export function error(message: string | Error, properties: AnnotationProperties = {}): void {
  annotate('error', message, properties)
}

export function warning(message: string | Error, properties: AnnotationProperties = {}): void {
  annotate('warning', message, properties)
}

export function notice(message: string | Error, properties: AnnotationProperties = {}): void {
  annotate('notice', message, properties)
}

function annotate(command: 'error' | 'warning' | 'notice', message: string | Error, properties: AnnotationProperties): void {
  issueCommand(command, toCommandProperties(properties), message instanceof Error ? message.toString() : message)
}

export async function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  issue('group', name)
  try {
    return await fn()
  } finally {
    issue('endgroup')
  }
}
