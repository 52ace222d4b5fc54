// The stand-in GitHub API for the sweep row, in its own process, so that
// building and serialising its pages (a few MiB each) does not hold up the
// stand-in control plane's answers in the benchmark's process:
//   node bench/github-process.ts <token> <owner> <repo> <pull requests> <latency ms> <padding bytes>
// Prints its API root (GITHUB_API_URL) as one line; each line read on stdin
// is answered with the number of pages served so far; it exits when stdin ends.
import { createInterface } from 'node:readline'
import { closedPullRequest, startStandInGitHub } from '../fakes/stand-in-github.ts'

const [token, owner, repo, countText, latencyText, paddingText] = process.argv.slice(2)
const count = Number(countText)
const now = new Date()
// Newest first, all closed within the last 6 days: the sweep's window of 7 holds every one.
const pullRequests = Array.from({ length: count }, (_, i) => {
  const number = count - i
  return closedPullRequest(number, now, (6 * i) / count, { body: padding(Number(paddingText), number) })
})
const gitHub = await startStandInGitHub({ token: token!, owner: owner!, repo: repo!, pullRequests, latencyMs: Number(latencyText) })
process.stdout.write(`${gitHub.url}\n`)
const lines = createInterface({ input: process.stdin })
lines.on('line', () => process.stdout.write(`${gitHub.pagesServed}\n`))
lines.on('close', () => void gitHub.close().then(() => process.exit(0)))

/**
 * A pull request's description, standing in for the size of GitHub's list
 * items (their head and base repository objects, links and text). Built
 * flat, from a Buffer: a string of `repeat` is a rope until something
 * flattens it, which would put the cost and memory of flattening in odd places.
 */
function padding(bytes: number, number: number): string {
  return Buffer.alloc(bytes, `Preview of change ${number}. `).toString('latin1')
}
