// The retention stage: each rule's versions listed and selected, a rule's
// rows recorded once its listing is whole, and, when the selection is within
// the limit, the selected versions handed back to be deleted by id. Nothing is
// deleted until every rule is listed: the limit is on the run.
import type { Decision, Job, Plan } from '../results/plan.ts'
import type { Outcome } from '../results/result.ts'
import type { RuleSummary } from '../results/rule-summary.ts'
import { aliasMatcher } from './alias-match.ts'
import { discoverListing } from './generation-discovery.ts'
import { listRuleVersions, mlReposPath, versionPath, type Generation, type ListingClient, type ListingPolicy } from './listing.ts'
import type { Rule } from './rule-file.ts'
import { Selection, type Selected } from './selection.ts'

export interface RetentionOptions {
  api: 'auto' | Generation
  dryRun: boolean
  maxDeletions: number
  /** How messages name max-deletions: the workflow's input or the command line's flag. */
  maxDeletionsName: string
  /** Rules listed at a time; each rule's pages one after the other. */
  concurrency: number
  /** When the run started, in ms since the epoch: `older_than_days` counts back from it. */
  startedAt: number
}

export interface RetentionDeps {
  client: ListingClient
  policy: ListingPolicy
  info(line: string): void
  /** The ledger: a rule's rows recorded, its requests returned as jobs. */
  planned(plan: Plan): Job[]
}

/** What the rules came to: why the step fails, if it does; what each rule did; and the deletes to send, none past the limit. */
export interface Applied {
  failure: string | null
  summaries: RuleSummary[]
  jobs: Job[]
}

/** One rule's listing as it ended: what it selected (none held once a live run is past its limit), or why it failed. */
interface Listed {
  rule: Rule
  selected: Selected[]
  summary: RuleSummary
  /** `skipped`: the rule was not listed, as the run was stopped or cancelled first; `failed`: its listing failed. */
  ended?: 'failed' | 'skipped'
}

/** Lists and selects for every rule, in turn `concurrency` at a time, and records each rule's rows; returns the deletes to send. */
export async function applyRules(rules: Rule[], options: RetentionOptions, deps: RetentionDeps): Promise<Applied> {
  const { client, policy } = deps
  const discovered = await discoverListing(client, options.api, rules[0]!.ml_repo, policy)
  if ('refused' in discovered) return { failure: discovered.refused, summaries: [], jobs: [] }
  if ('cancelled' in discovered) return { failure: null, summaries: [], jobs: [] }
  const { generation } = discovered
  const atOnce = Math.min(options.concurrency, rules.length)
  deps.info(
    `Listing at ${client.endpointUrl(mlReposPath(generation)).replace(/ml-repos$/, '')}, ${atOnce === 1 ? 'one rule' : `${atOnce} rules`} at a time.`,
  )

  let selectedInAll = 0
  /** Set when the token is rejected: the next request would carry it too. */
  let stoppedBy: string | null = null
  /** Past the limit a live run deletes nothing: from then on the selection is only counted. */
  const holding = () => options.dryRun || selectedInAll <= options.maxDeletions

  const listOne = async (rule: Rule): Promise<Listed> => {
    const where = { rule: `${rule.file}:${rule.line}`, type: rule.type, ml_repo: rule.ml_repo, name: rule.name }
    const failed = (failure: string, ended: Listed['ended'] = 'failed'): Listed => ({
      rule,
      selected: [],
      summary: { ...where, listed: null, selected: 0, kept: null, failure },
      ended,
    })
    if (stoppedBy !== null) return failed(`not listed: ${stoppedBy}`, 'skipped')
    const selection = new Selection(rule, options.startedAt, rule.aliases ? aliasMatcher(rule.aliases) : () => true)
    let selected: Selected[] = []
    let count = 0
    const listing = await listRuleVersions(
      client,
      generation,
      rule,
      (version) => {
        const decided = selection.offer(version)
        count += decided.length
        selectedInAll += decided.length
        if (holding()) selected.push(...decided)
        else selected = []
      },
      policy,
    )
    if (listing.kind !== 'listed') {
      // What a listing that failed told cannot be acted on: none of it is selected.
      selectedInAll -= count
      if (listing.kind === 'cancelled') return failed('not listed: the run was cancelled', 'skipped')
      if (listing.tokenRejected) stoppedBy = 'the token was rejected (see the rule before)'
      return failed(listing.message)
    }
    selection.finish()
    const kept = selection.kept()
    deps.info(
      `${where.rule}: ${listing.count} ${listing.count === 1 ? 'version' : 'versions'} of ${rule.ml_repo}/${rule.name} listed, ${count} selected.`,
    )
    for (const example of kept.unjudgeable.examples) deps.info(`  kept, as it cannot be judged: ${example}`)
    return { rule, selected, summary: { ...where, listed: listing.count, selected: count, kept, failure: null } }
  }

  const listed = await inTurn(rules, options.concurrency, listOne, policy.signal)
  const summaries = listed.map((one) => one.summary)
  const overLimit = !options.dryRun && selectedInAll > options.maxDeletions
  const jobs: Job[] = []
  for (const one of listed) jobs.push(...deps.planned(planOf(one, generation, options.dryRun, overLimit ? selectedInAll : null)))
  if (overLimit) return { failure: limitMessage(listed, selectedInAll, options), summaries, jobs: [] }
  return { failure: null, summaries, jobs }
}

/** A rule's rows: a failed one for a listing that failed; else a row a version selected, or, past the limit, one for the rule. */
function planOf(one: Listed, generation: Generation, dryRun: boolean, overLimitBy: number | null): Plan {
  const { rule, summary } = one
  const ruleRow = { file: rule.file, document: rule.document, line: rule.line, type: rule.type, ml_repo: rule.ml_repo, name: rule.name }
  const unnamed = { ...ruleRow, version: null, version_alias: null, id: null }
  const decisions: Decision[] = []
  if (summary.failure !== null) {
    const outcome: Outcome =
      one.ended === 'skipped'
        ? { status: 'skipped', attempts: 0, http_status: null, message: summary.failure }
        : { status: 'failed', attempts: 0, http_status: null, message: summary.failure }
    decisions.push({ row: unnamed, outcome })
  } else if (overLimitBy !== null) {
    if (summary.selected > 0) {
      const message = `selects ${summary.selected} ${summary.selected === 1 ? 'version' : 'versions'}; not deleted: the rules select ${overLimitBy} in all, more than the limit`
      decisions.push({ row: unnamed, outcome: { status: 'skipped', attempts: 0, http_status: null, message } })
    }
  } else {
    for (const { version, reason } of one.selected) {
      const row = { ...ruleRow, version: version.version, version_alias: version.alias, id: version.id }
      decisions.push(
        dryRun
          ? { row, outcome: { status: 'dry-run', attempts: 0, http_status: null, message: `would be deleted: ${reason}` } }
          : { row, send: { type: rule.type, byId: { path: versionPath(generation, rule.type, version.id), generation } }, why: reason },
      )
    }
  }
  return { pullRequest: null, rule: summary.rule, decisions }
}

/**
 * Why a run whose every delete by id was answered 404 does not pass: each
 * version was listed moments before, so the likelier reason is a control plane
 * that serves the list but not the DELETE on that generation. Null when any
 * delete was answered as done, or none was answered 404.
 */
export function unconfirmedDeletes(answered: { deleted: number; notFound: number }, endpointUrls: string[]): string | null {
  if (answered.deleted > 0 || answered.notFound === 0) return null
  return (
    `Every delete by id (${answered.notFound}) was answered 404, for versions listed moments before: ${endpointUrls.join(' and ')} likely does not delete them here, ` +
    'though the list is served. Nothing is known to be deleted; check the control plane, or pin the api input to the other generation'
  )
}

function limitMessage(listed: Listed[], selected: number, options: RetentionOptions): string {
  const byRule = listed
    .filter((one) => one.summary.selected > 0)
    .map(({ summary }) => `${summary.rule} (${summary.ml_repo}/${summary.name}): ${summary.selected}`)
    .join(', ')
  return (
    `The retention rules select ${selected} versions, more than ${options.maxDeletionsName} (${options.maxDeletions}): nothing was deleted. ` +
    `By rule: ${byRule}. Check the selection with a dry run, then raise ${options.maxDeletionsName} if it is what the rules mean to delete`
  )
}

/** Runs `work` on each item, `concurrency` at a time, giving the results in the items' order; once cancelled, no new item starts. */
async function inTurn<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>, cancel: AbortSignal): Promise<R[]> {
  const results: R[] = []
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
