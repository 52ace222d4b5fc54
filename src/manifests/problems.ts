/** A path into a manifest: object keys and array indexes. */
export type FieldPath = (string | number)[]

export interface Problem {
  /** Where the offending value is; `[]` is the whole manifest. */
  path: FieldPath
  message: string
}

/** Problems kept for one document; the rest are counted in one more. */
export const MAX_PROBLEMS_KEPT = 20
/** Problems a message lists; a document can have thousands, and one message must stay readable. */
const MAX_PROBLEMS_LISTED = 10

/** Every problem with its line, `; `-separated; past MAX_PROBLEMS_LISTED, a count of the rest. */
export function describeProblems(problems: Problem[], lineOf: (path: FieldPath) => number): string {
  const listed = problems.slice(0, MAX_PROBLEMS_LISTED).map((problem) => `${describeProblem(problem)} (line ${lineOf(problem.path)})`)
  const rest = problems.length - listed.length
  return rest > 0 ? `${listed.join('; ')}; and ${rest} more ${rest === 1 ? 'problem' : 'problems'}` : listed.join('; ')
}

/** `source.uri: message`, or the bare message when it is about the whole manifest. */
function describeProblem(problem: Problem): string {
  return problem.path.length > 0 ? `${formatPath(problem.path)}: ${problem.message}` : `manifest: ${problem.message}`
}

export function formatPath(path: Readonly<FieldPath>): string {
  let out = ''
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part
  return out || '(manifest)'
}

/** Problems with each repeated one dropped: the schema and the action's own rule can find the same. */
export function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>()
  return problems.filter((problem) => {
    const key = `${formatPath(problem.path)}\0${problem.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
