// Renders docs/job-summary.png: the job summary of a real `npm run demo` run,
// in headless Chromium (Debian's `chromium` package), styled like GitHub's page.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
execFileSync(process.execPath, [path.join(root, 'scripts/demo.ts')], { stdio: 'ignore' })
const summary = readFileSync(path.join(root, 'demo-summary.html'), 'utf8')

const page = `<!doctype html><meta charset="utf-8"><style>
  body { font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif, "Noto Color Emoji"; color: #1f2328; margin: 0; background: #f6f8fa; }
  .card { margin: 16px; padding: 8px 24px 16px; background: #fff; border: 1px solid #d1d9e0; border-radius: 6px; }
  h2 { font-size: 1.5em; border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; }
  a { color: #0969da; text-decoration: none; }
  table { border-collapse: collapse; } th, td { border: 1px solid #d1d9e0; padding: 6px 13px; text-align: left; white-space: nowrap; } td:last-child { white-space: normal; }
  tr:nth-child(2n) { background: #f6f8fa; } th { font-weight: 600; }
  code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; background: #eff1f3; padding: .2em .4em; border-radius: 6px; }
</style><div class="card">${summary}</div>`

const dir = mkdtempSync(path.join(tmpdir(), 'summary-picture-'))
writeFileSync(path.join(dir, 'summary.html'), page)
const output = path.join(root, 'docs/job-summary.png')
execFileSync(
  'chromium',
  [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--hide-scrollbars',
    `--user-data-dir=${path.join(dir, 'profile')}`,
    '--window-size=1400,540',
    `--screenshot=${output}`,
    `file://${path.join(dir, 'summary.html')}`,
  ],
  { stdio: 'ignore' },
)
console.log(`wrote ${path.relative(root, output)}`)
