// What only a sweep runs: the listing of the repository's closed pull
// requests. batches.ts imports it when a sweep begins, and the bundler splits
// it off into a chunk beside the bundle; Octokit, which the listing loads in
// turn, is a bundle of its own (octokit.ts).
export { listClosedPullRequests } from './closed-pull-requests.ts'
