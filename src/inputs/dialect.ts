// How messages name the inputs and say how to give them, in the words of
// where the action runs: a workflow's `with:`, or the command line's flags.

/** The inputs of action.yml; test/unit/inputs/get-inputs.test.ts keeps the two in step. */
export const INPUT_NAMES = [
  'manifest-path',
  'control-plane-url',
  'token',
  'api',
  'dry-run',
  'fail-on-error',
  'if-no-files-found',
  'missing-ok',
  'max-attempts',
  'request-timeout',
  'concurrency',
  'substitute-env',
  'closed-within-days',
  'github-token',
  'retention-rules',
  'max-deletions',
] as const
export type InputName = (typeof INPUT_NAMES)[number]

export interface Dialect {
  /** `Input "token"` in a workflow, `--token` on the command line: the subject of a message. */
  input: (name: InputName) => string
  /** `"token"` in a workflow, `--token` on the command line: within a sentence. */
  inline: (name: InputName) => string
  /** `closed-within-days` in a workflow, `--closed-within-days` on the command line: the key alone, as it is written. */
  key: (name: InputName) => string
  example: { url: string; token: string; dryRun: string; githubToken: string }
  /** Why a token may be empty where this dialect runs, if there is a reason. */
  emptyTokenHint: string
  githubToken: GitHubTokenWords
}

/** What the sweep's listing says of the GitHub token when GitHub refuses it: the sentences that name the token and say how to give one. */
export interface GitHubTokenWords {
  /** The token as what is sent, within a sentence. */
  sent: string
  /** HTTP 401 for the first page. */
  rejected(refusal: TokenRefusal): string
  /** HTTP 401 for a later page: the token worked before. */
  noLongerAccepted(refusal: TokenRefusal): string
  /** HTTP 403 or 404 for the first page. */
  mayNotRead(refusal: TokenRefusal): string
  /** HTTP 403 or 404 for a later page. */
  refusedLater(refusal: TokenRefusal): string
  /** The start of the sentence on a rate limit the sweep gives up on. */
  rateLimit(detail: string): string
}

export interface TokenRefusal {
  /** GitHub's answer: `HTTP 401: Bad credentials`. */
  detail: string
  /** `the pull requests of owner/repo`. */
  where: string
  /** `page 2`, or `page 2 of the listing again from the top`. */
  page: string
  /** GitHub's host, for a token that must be valid there. */
  host: string
  /** How many pull requests were listed before, as a sentence with a space before it, or ''. */
  listed: string
}

const PERMISSION = '`permissions: pull-requests: read`'

export const WORKFLOW_DIALECT: Dialect = {
  input: (name) => `Input "${name}"`,
  inline: (name) => `"${name}"`,
  key: (name) => name,
  example: {
    url: 'control-plane-url: ${{ vars.TFY_HOST }}',
    token: 'token: ${{ secrets.TFY_API_KEY }}',
    dryRun: 'dry-run: true',
    githubToken: `Leave it at its default, \${{ github.token }}, with ${PERMISSION} in the workflow, or pass a token that can read them.`,
  },
  emptyTokenHint: ' Workflows run for pull requests from forks receive no secrets: skip this step for them, or set dry-run: true.',
  githubToken: {
    sent: 'the github-token',
    rejected: ({ detail, where, host }) =>
      `GitHub rejected the github-token input (${detail}) when listing ${where}. Pass a valid token for ${host} as github-token; the default, \${{ github.token }}, needs ${PERMISSION} in the workflow.`,
    noLongerAccepted: ({ detail, where, page, listed }) =>
      `GitHub stopped accepting the github-token input (${detail}) at ${page} of ${where}; it was accepted for the pages before, so it may have expired or been revoked while the sweep ran.${listed} Run the sweep again.`,
    mayNotRead: ({ detail, where }) =>
      `The github-token input may not read ${where} (${detail}). Grant it in the workflow with ${PERMISSION}, or pass as github-token a token that can read this repository's pull requests.`,
    refusedLater: ({ detail, where, page, listed }) =>
      `The github-token input was refused ${page} of ${where} (${detail}), having read the pages before.${listed} Check ${PERMISSION} in the workflow, and run the sweep again.`,
    rateLimit: (detail) => `GitHub's rate limit for the github-token input (${detail})`,
  },
}

export const COMMAND_LINE_DIALECT: Dialect = {
  // The command line takes the GitHub token from GITHUB_TOKEN too.
  input: (name) => (name === 'github-token' ? '--github-token (or GITHUB_TOKEN)' : `--${name}`),
  inline: (name) => `--${name}`,
  key: (name) => `--${name}`,
  example: {
    url: 'export TFY_HOST=https://acme.truefoundry.cloud',
    token: 'export TFY_API_KEY=<your API key>',
    dryRun: '--dry-run',
    githubToken: "Pass a token that can read the repository's pull requests.",
  },
  emptyTokenHint: '',
  githubToken: {
    sent: 'the GitHub token',
    rejected: ({ detail, where, host }) =>
      `GitHub rejected --github-token (${detail}) when listing ${where}. Pass a valid token for ${host} with --github-token or GITHUB_TOKEN.`,
    noLongerAccepted: ({ detail, where, page, listed }) =>
      `GitHub stopped accepting --github-token (${detail}) at ${page} of ${where}, having accepted it for the pages before: it may have expired or been revoked while the sweep ran.${listed} Run the sweep again.`,
    mayNotRead: ({ detail, where }) =>
      `--github-token may not read ${where} (${detail}). Pass a token that can read this repository's pull requests.`,
    refusedLater: ({ detail, where, page, listed }) =>
      `--github-token was refused ${page} of ${where} (${detail}), having read the pages before.${listed} Check that the token may still read this repository's pull requests, and run the sweep again.`,
    rateLimit: (detail) => `GitHub's rate limit for --github-token (${detail})`,
  },
}
