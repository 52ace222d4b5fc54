// What only a sweep needs: @actions/github's Octokit and the two plugins the
// listing adds. The bundle keeps this module in a file of its own
// (dist/octokit.js), which load-octokit.ts reads only when a sweep begins.
export { getOctokit } from '@actions/github'
export { retry } from '@octokit/plugin-retry'
export { throttling } from '@octokit/plugin-throttling'
