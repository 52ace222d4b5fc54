// The retention stage: each rule's versions listed and selected, then, when
// the selection is within the limit, every selected version deleted by its id.
// Nothing is deleted until every rule is listed: the limit is on the run.
import type { ControlPlane } from '../deletion/control-plane.ts'
import type { Decision, DeleteRequest, Job, Plan } from '../results/plan.ts'
import { listRuleVersions, versionPath, type ListingPolicy } from './listing.ts'
import { discoverListing } from './listing-generation.ts'
import type { Rule } from './rule-file.ts'
import { aliasMatcher } from './alias-match.ts'
import { Selection, type Selected } from './selection.ts'
import type { RuleSummary } from '../results/rule-summary.ts'

type ApiGeneration = Extract<DeleteRequest, { byId: unknown }>['byId']['generation']

export interface RetentionOptions {
  api: 'auto' | ApiGeneration
  dryRun: boolean
  maxDeletions: number
  /** Rules listed at a time; each rule's pages one after the other. */
  concurrency: number
  /** When the run started, in ms since the epoch: `older_than_days` counts back from it. */
  startedAt: number
}

export interface RetentionDeps {
  client: ControlPlane
  policy: ListingPolicy
  info(line: string): void
  /** The ledger: a rule's rows recorded, its requests returned as jobs. */
  planned(plan: Plan): Job[]
  cancel: AbortSignal
}

/** One rule's listing as it ended: the versions it selected (none held once the run is past its limit), or why it failed. */
interface Listed {
  rule: Rule
  generation: ApiGeneration | null
  selected: Selected[]
  count: number
  summary: RuleSummary
}

/** What the rules came to: why the step fails, if it does; what each rule did; and the deletes to send, none past the limit. */
export interface Applied {
  failure: string | null
  summaries: RuleSummary[]
  jobs: Job[]
}

/** Lists and selects for every rule, and records each rule's rows; returns the deletes to send. */
export async function applyRules(rules: Rule[], options: RetentionOptions, deps: RetentionDeps): Promise<Applied> {
  const discovered = await discoverListing(deps.client, options.api, rules[0]!, deps.policy)
  if ('refused' in discovered) return { failure: discovered.refused, summaries: [], jobs: [] }
  const { generation } = discovered
  deps.info(`Listing versions at ${deps.client.endpointUrl(`api/${generation === 'ml-v1' ? 'ml' : 'svc'}/v1/`)}.`)

  let selectedInAll = 0
  /** In a live run past the limit nothing is deleted: the selection is only counted from then on. */
  const holding = () => options.dryRun || selectedInAll <= options.maxDeletions
  const listOne = async (rule: Rule): Promise<Listed> => {
    const selection = new Selection(rule, options.startedAt, aliasMatcher(rule.aliases))
    const selected: Selected[] = []
    const take = (decided: Selected[]) => {
      selectedInAll += decided.length
      if (holding()) selected.push(...decided)
      else selected.length = 0
    }
    const listing = await listRuleVersions(deps.client, generation, rule, (version) => take(selection.offer(version)), deps.policy)
    const base = { rule: `${rule.file}:${rule.line}`, type: rule.type, ml_repo: rule.ml_repo, name: rule.name }
    if (listing.kind === 'failed') {
      selectedInAll -= selection.count
      return {
        rule,
        generation: null,
        selected: [],
        count: 0,
        summary: { ...base, listed: null, selected: 0, kept: null, failure: listing.message },
      }
    }
    take(selection.finish())
    const count = selection.count
    deps.info(`${base.rule}: ${listing.count} ${rule.type} listed for ${rule.ml_repo}/${rule.name}, ${count} selected.`)
    return {
      rule,
      generation,
      selected,
      count,
      summary: { ...base, listed: listing.count, selected: count, kept: selection.kept(), failure: null },
    }
  }

  const listed = await inTurn(rules, options.concurrency, listOne, deps.cancel)
  const overLimit = !options.dryRun && selectedInAll > options.maxDeletions
  const jobs: Job[] = []
  for (const one of listed)
    jobs.push(...deps.planned(planOf(one, { dryRun: options.dryRun, overLimitBy: overLimit ? selectedInAll : null })))
  const summaries = listed.map((one) => one.summary)
  if (overLimit) return { failure: limitMessage(listed, selectedInAll, options.maxDeletions), summaries, jobs: [] }
  return { failure: null, summaries, jobs }
}

/** A rule's rows: a failed one for a listing that failed; else a row a version selected, or, past the limit, one for the rule. */
function planOf(one: Listed, { dryRun, overLimitBy }: { dryRun: boolean; overLimitBy: number | null }): Plan {
  const { rule, summary } = one
  const place = { file: rule.file, document: rule.document, line: rule.line }
  const ruleRow = { ...place, type: rule.type, ml_repo: rule.ml_repo, name: rule.name, version: null, version_alias: null, id: null }
  const decisions: Decision[] = []
  if (summary.failure !== null) {
    decisions.push({ row: ruleRow, outcome: { status: 'failed', attempts: 0, http_status: null, message: summary.failure } })
  } else if (overLimitBy !== null) {
    if (one.count > 0) {
      const message = `selects ${one.count} ${one.count === 1 ? 'version' : 'versions'}; not deleted: the rules select ${overLimitBy} in all, more than max-deletions`
      decisions.push({ row: ruleRow, outcome: { status: 'skipped', attempts: 0, http_status: null, message } })
    }
  } else {
    const generation = one.generation!
    for (const { version, reason } of one.selected) {
      const row = { ...ruleRow, version: version.version, version_alias: version.alias, id: version.id }
      const byId = { path: versionPath(generation, rule.type, version.id), generation }
      decisions.push(
        dryRun
          ? { row, outcome: { status: 'dry-run', attempts: 0, http_status: null, message: `would be deleted: ${reason}` } }
          : { row, send: { type: rule.type, byId }, why: reason },
      )
    }
  }
  return { pullRequest: null, rule: summary.rule, decisions }
}

function limitMessage(listed: Listed[], selected: number, limit: number): string {
  const byRule = listed
    .filter((one) => one.count > 0)
    .map((one) => `${one.summary.rule} (${one.rule.ml_repo}/${one.rule.name}): ${one.count}`)
    .join(', ')
  return `The retention rules select ${selected} versions, more than max-deletions (${limit}): nothing was deleted. By rule: ${byRule}. Check the selection with a dry run, then raise max-deletions if it is what you mean to delete.`
}

/** Runs `work` on each item, `concurrency` at a time, and gives the results in the items' order; once cancelled, no new item starts. */
async function inTurn<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>, cancel: AbortSignal): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length && !cancel.aborted) {
      const index = next++
      results[index] = await work(items[index]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
  return results.filter((result) => result !== undefined)
}
