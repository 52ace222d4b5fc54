// What the retention path of the pipeline calls, bundled apart as
// dist/retention.js and loaded only when retention-rules is given
// (load-retention.ts): a run that deletes what manifests name never compiles
// the rule validator, minimatch or the listing.
export { applyRules, unconfirmedDeletes } from './apply-rules.ts'
export { refusedRules } from './refused-rules.ts'
export { checkRuleFiles } from './rule-file.ts'
