// The rule files of a retention run checked, all of them, before any request:
// each document one rule, each with its verdict and what to tell its author.
// The caller writes the findings as annotations, and lists nothing when any
// rule is invalid.
import type { Finding } from '../manifests/check-file.ts'
import type { ManifestSource } from '../manifests/check.ts'
import { fillIn } from '../manifests/fill-in.ts'
import type { ManifestKind } from '../manifests/kinds.ts'
import type { UnreadableFile } from '../manifests/read.ts'
import { checkRule } from './rule-check.ts'

/** The kinds of version a rule keeps or deletes: every versioned kind of manifest. */
export type RuleKind = Exclude<ManifestKind, 'data-dir'>

export interface Rule {
  /** Where the rule's document is, as a manifest's row says. */
  file: string
  document: number
  line: number
  type: RuleKind
  ml_repo: string
  name: string
  /** Globs (aliasMatcher); null: every version. */
  aliases: string[] | null
  keep_latest: number | null
  older_than_days: number | null
}

export type CheckedRule =
  | { valid: true; rule: Rule; findings: Finding[] }
  | {
      valid: false
      file: string
      document: number
      line: number
      /** What the rule names, as far as it says. */
      type: RuleKind | null
      ml_repo: string | null
      name: string | null
      message: string
      findings: Finding[]
    }

/** Every document of every rule file checked; a second rule for the same versions is refused. Sources are parsed without substitution. */
export function checkRuleFiles(sources: readonly ManifestSource[]): CheckedRule[] {
  const checked: CheckedRule[] = []
  const firstAt = new Map<string, string>()
  for (const { file, parsed } of sources) {
    if (parsed.kind === 'unreadable') {
      checked.push(unreadableRuleFile(file.relative, parsed))
      continue
    }
    for (const written of parsed.documents) {
      const rule = checkRule(file.relative, fillIn(written, {}))
      checked.push(refuseSecond(rule, firstAt))
    }
  }
  return checked
}

/**
 * Two rules for the same versions would each delete what the other keeps: the
 * second is refused, naming the first. An invalid rule that names its
 * versions counts too, so fixing it does not reveal a second error.
 */
function refuseSecond(checked: CheckedRule, firstAt: Map<string, string>): CheckedRule {
  const named = checked.valid ? checked.rule : checked
  const { type, ml_repo, name } = named
  if (type === null || ml_repo === null || name === null) return checked
  const key = JSON.stringify([type, ml_repo, name])
  const first = firstAt.get(key)
  if (first === undefined) {
    firstAt.set(key, `${named.file}:${named.line}`)
    return checked
  }
  const message = `a second rule for ${type} ${JSON.stringify(name)} of ML repo ${JSON.stringify(ml_repo)}, whose first rule is at ${first}: one rule's keep would be the other's delete, so make them one rule (line ${named.line})`
  const finding: Finding = {
    level: 'error',
    message,
    properties: { file: named.file, startLine: named.line, startColumn: 1, title: 'Duplicate retention rule' },
  }
  return {
    valid: false,
    file: named.file,
    document: named.document,
    line: named.line,
    type,
    ml_repo,
    name,
    message: checked.valid ? message : `${checked.message}; ${message}`,
    findings: [...checked.findings, finding],
  }
}

/** parse.ts speaks of manifests; a file that holds nothing is a rule file without a rule. */
const HOLDS_NOTHING = /^holds no manifest\b/

function unreadableRuleFile(file: string, unreadable: UnreadableFile): CheckedRule {
  const message = `the rule file ${file} ${unreadable.reason.replace(HOLDS_NOTHING, 'holds no rule')}`
  return {
    valid: false,
    file,
    document: 0,
    line: unreadable.line,
    type: null,
    ml_repo: null,
    name: null,
    message,
    findings: [
      {
        level: 'error',
        message,
        properties: { file, startLine: unreadable.line, startColumn: unreadable.column, title: 'Unreadable retention rule file' },
      },
    ],
  }
}
