#!/usr/bin/env node
// The same cleanup from a terminal: the action's inputs as flags, TFY_HOST and
// TFY_API_KEY from the environment, a table for people or JSON for programs.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { listenForCancellation } from './runner/cancellation.ts'
import { backlog, hideDebugLines } from './runner/log-stream.ts'
import { COMMAND_LINE_DIALECT, INPUT_NAMES, type InputName } from './inputs/dialect.ts'
import { run } from './run.ts'
import { printable } from './text/printable.ts'
import type { Rows } from './results/store.ts'
import { styleTableLine, terminalCore } from './runner/terminal-core.ts'

const USAGE = `Usage: tfy-artifact-cleanup [options] [pattern ...]

Deletes the TrueFoundry artifact, model and prompt versions and data directories that
the manifest files matched by the patterns name, or (--retention-rules) the versions
that retention rules select.
Patterns are globs relative to --workspace; a pattern starting with ! excludes.

Options (the GitHub Action's inputs):
  --manifest-path <glob>        a pattern; repeat for more (or give them as arguments)
  --control-plane-url <url>     default: $TFY_HOST
  --token <token>               default: $TFY_API_KEY (prefer the variable: flags land in shell history)
  --api <word>                  auto (default): ask each kind's endpoint, then the generic one;
                                ml-v1: the per-kind /api/ml/v1/... endpoints only;
                                svc-v1: POST /api/svc/v1/delete only
  --dry-run                     validate and show what would be deleted; send nothing
  --no-fail-on-error            exit 0 even when manifests failed or were invalid
  --if-no-files-found <word>    warn (default), error or ignore
  --no-missing-ok               count a version the server does not know (404) as failed
  --max-attempts <n>            attempts per request, 1 to 20 (default 5)
  --request-timeout <seconds>   per attempt, 0.001 to 600 (default 30)
  --concurrency <n>             requests in flight, 1 to 64 (default 4)
  --substitute-env              replace \${NAME} in manifest values with environment variables
  --closed-within-days <days>   sweep: every pull request of $GITHUB_REPOSITORY closed in the
                                last <days> days (1 to 365), listed from $GITHUB_API_URL, with
                                PR_NUMBER, PR_HEAD_REF and PR_HEAD_SHA set for each; each
                                manifest names its version with \${PR_NUMBER}; needs
                                --substitute-env
  --github-token <token>        for the sweep; default: $GITHUB_TOKEN
  --retention-rules <glob>      retention: rule files (YAML, a rule a document) whose rules
                                select the versions to delete; repeat for more; not with
                                manifest patterns or --closed-within-days
  --max-deletions <n>           retention: the most versions a run deletes, 1 to 100000
                                (default 100); past it nothing is deleted
Command line only:
  --workspace <dir>             where patterns start (default: the current directory)
  --json                        print the results as JSON on stdout; the log goes to stderr
  --summary-file <file>         also write the HTML job summary to <file>, replacing what it held
  -h, --help                    show this help

Environment:
  TFY_HOST, TFY_API_KEY         the control plane's URL and API key
  GITHUB_REPOSITORY             owner/name: the repository a sweep lists
  GITHUB_API_URL                GitHub's REST API for a sweep (default https://api.github.com;
                                https://HOST/api/v3 on GitHub Enterprise Server)
  GITHUB_TOKEN                  the sweep's token, when --github-token is not given

Exit status: 1 when the run fails: an option is wrong or missing, a manifest is invalid or
a deletion failed (unless --no-fail-on-error), no file matched with --if-no-files-found
error, the sweep could not list the pull requests, or the run was cancelled. 0 otherwise,
a dry run and a run that matched no file included.

Text from servers, files, manifests and GitHub is printed with its control characters
escaped, as JSON escapes them (ESC as \\u001b).`

type Flags = ReturnType<typeof parse>['values']

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    allowNegative: true,
    options: {
      'manifest-path': { type: 'string', multiple: true },
      'control-plane-url': { type: 'string' },
      token: { type: 'string' },
      api: { type: 'string' },
      'dry-run': { type: 'boolean' },
      'fail-on-error': { type: 'boolean' },
      'if-no-files-found': { type: 'string' },
      'missing-ok': { type: 'boolean' },
      'max-attempts': { type: 'string' },
      'request-timeout': { type: 'string' },
      concurrency: { type: 'string' },
      'substitute-env': { type: 'boolean' },
      'closed-within-days': { type: 'string' },
      'github-token': { type: 'string' },
      'retention-rules': { type: 'string', multiple: true },
      'max-deletions': { type: 'string' },
      workspace: { type: 'string' },
      json: { type: 'boolean' },
      'summary-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}

/** The flag's value as the runner would pass the input: text, '' when not given or not an input. */
function inputFromFlags(flags: Flags, patterns: string[]): (name: string) => string {
  return (name) => {
    if (!isInputName(name)) return ''
    if (name === 'manifest-path') return patterns.join('\n')
    if (name === 'github-token') return flags[name] ?? process.env.GITHUB_TOKEN ?? ''
    if (name === 'retention-rules') return (flags[name] ?? []).join('\n')
    const value = flags[name]
    return value === undefined ? '' : String(value)
  }
}

function isInputName(name: string): name is InputName {
  return (INPUT_NAMES as readonly string[]).includes(name)
}

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv)
  } catch (error) {
    // The message quotes the arguments, which a script may have taken from anywhere.
    process.stderr.write(`${printable((error as Error).message)}\n\n${USAGE}\n`)
    return 1
  }
  const { values: flags, positionals } = parsed
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  const log = flags.json ? process.stderr : process.stdout
  const core = terminalCore(inputFromFlags(flags, [...(flags['manifest-path'] ?? []), ...positionals]), log, flags['summary-file'])
  const { cancel, abortInFlight } = listenForCancellation((message) => core.info(message))
  // The rows are kept in a file as the run goes, so that a long sweep's memory stays flat.
  const resultsDir = await mkdtemp(path.join(os.tmpdir(), 'tfy-artifact-cleanup-'))
  try {
    const results = await run({
      core,
      env: process.env,
      workspace: path.resolve(flags.workspace ?? process.cwd()),
      cancel,
      abortInFlight,
      runContext: () =>
        Promise.resolve({
          repository: process.env.GITHUB_REPOSITORY || null,
          pullRequest: null,
          runUrl: null,
          serverUrl: process.env.GITHUB_SERVER_URL || 'https://github.com',
        }),
      dialect: COMMAND_LINE_DIALECT,
      formatTableLine: styleTableLine(log),
      resultsFile: path.join(resultsDir, 'results.json'),
      logBacklog: () => backlog(log),
    })
    if (flags.json) await printJson(results)
  } finally {
    await rm(resultsDir, { recursive: true, force: true })
  }
  return core.failed ? 1 : 0
}

/**
 * The rows as one JSON array, as `JSON.stringify(rows, null, 2)` prints it, written a row at a time,
 * with the controls JSON leaves as they are (DEL, C1, bidi) escaped too: stdout may be a terminal.
 */
async function printJson(rows: Rows): Promise<void> {
  const write = async (text: string) => {
    process.stdout.write(text)
    await backlog(process.stdout)
  }
  let count = 0
  await write('[')
  for (const row of rows.rows())
    await write(`${count++ === 0 ? '' : ','}\n  ${printable(JSON.stringify(row, null, 2)).replaceAll('\n', '\n  ')}`)
  await write(count === 0 ? ']\n' : '\n]\n')
}

// @actions/glob logs ::debug:: lines through @actions/core's workflow commands; on a terminal they are noise.
hideDebugLines(process.stdout)
process.exitCode = await main(process.argv.slice(2))
