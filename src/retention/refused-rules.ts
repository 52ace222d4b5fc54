import type { Plan } from '../results/plan.ts'
import type { Outcome } from '../results/result.ts'
import type { CheckedRule } from './rule-file.ts'

/**
 * The rows of a run whose rules are not all valid: each invalid rule with why,
 * each valid one skipped, since one invalid rule means none is listed. A plan
 * a rule, in the order the rules were read.
 */
export function refusedRules(checked: CheckedRule[]): Plan[] {
  const invalid = checked.filter((rule) => !rule.valid).length
  const notListed = `not listed: ${invalid === 1 ? '1 rule is invalid' : `${invalid} rules are invalid`}`
  return checked.map((checkedRule) => {
    const about = checkedRule.valid ? checkedRule.rule : checkedRule
    const { file, document, line, type, ml_repo, name } = about
    const outcome: Outcome = checkedRule.valid
      ? { status: 'skipped', attempts: 0, http_status: null, message: notListed }
      : { status: 'invalid', attempts: 0, http_status: null, message: checkedRule.message }
    const row = { file, document, line, type, ml_repo, name, version: null, version_alias: null, id: null }
    return { pullRequest: null, rule: `${file}:${line}`, decisions: [{ row, outcome }] }
  })
}
