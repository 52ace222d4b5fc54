// Runs the command-line bundle built for the test run as a script would: its exit code and both streams.
import { execFile } from 'node:child_process'
import { BUILT_CLI } from './bundle.ts'

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/** `env` is all the environment the command line gets, PATH aside. */
export function runCli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BUILT_CLI, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    )
  })
}
