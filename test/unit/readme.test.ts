// The README is a promise to users: its tables, workflow and troubleshooting
// messages must say what the action really does.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parseWorkflow, NoOperationTraceWriter } from '@actions/workflow-parser'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { renderTables, replaceBetween } from '../../scripts/readme-tables.ts'

const root = path.resolve(import.meta.dirname, '../..')
const readme = readFileSync(path.join(root, 'README.md'), 'utf8')
const actionYml = readFileSync(path.join(root, 'action.yml'), 'utf8')

function codeBlocks(language: string): string[] {
  return [...readme.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((match) => match[1]!)
}

describe('README.md', () => {
  it('has the inputs and outputs tables of action.yml (npm run readme rewrites them)', () => {
    const tables = renderTables(actionYml)
    let expected = replaceBetween(readme, 'inputs', tables.inputs)
    expected = replaceBetween(expected, 'outputs', tables.outputs)
    expect(readme).toBe(expected)
  })

  it('shows a workflow that GitHub accepts and that gives this action only inputs it declares', () => {
    const workflows = codeBlocks('yaml').filter((block) => /^on:/m.test(block))
    expect(workflows.length).toBeGreaterThan(0)
    const declared = Object.keys((parse(actionYml) as { inputs: Record<string, unknown> }).inputs)
    for (const content of workflows) {
      const result = parseWorkflow({ name: 'README.md', content }, new NoOperationTraceWriter())
      expect(result.context.errors.getErrors().map((error) => error.message)).toEqual([])
      const withKeys = [...content.matchAll(/uses: [\w-]+\/truefoundry-artifact-cleanup@v1[\s\S]*?with:\n((?: {10}.*\n)+)/g)].flatMap(
        (match) => [...match[1]!.matchAll(/^ {10}([\w-]+):/gm)].map((key) => key[1]!),
      )
      expect(withKeys.length).toBeGreaterThan(0)
      for (const key of withKeys) expect(declared).toContain(key)
    }
  })

  it('explains only messages the action can print', () => {
    const source = readdirSync(path.join(root, 'src'), { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.ts'))
      .map((name) => readFileSync(path.join(root, 'src', name), 'utf8'))
      .join('\n')
    const section = readme.slice(readme.indexOf('## Troubleshooting'), readme.indexOf('## Development'))
    const messages = [...section.matchAll(/^\| `([^`]+)`/gm)].map((match) => match[1]!)
    expect(messages.length).toBeGreaterThan(20)
    for (const message of messages) {
      // Literal runs between placeholders (…, N, <field>, 3xx) must stand in the source.
      const fragments = message
        .split(/^the file |^manifest: |…|<[^>]+>|\$\{NAME\}|\bN\b|\b[345]xx\b|"[^"]*"/)
        .map((part) => part.replace(/^[\s,.:;]+|[\s,.:;]+$/g, ''))
        .filter((part) => part.length >= 6)
      const missing = fragments.filter((fragment) => !source.includes(fragment))
      expect(missing, `README message "${message}" has text that src/ never prints`).toEqual([])
    }
  })
})

describe('README.md, Performance', () => {
  it('quotes only figures of the full run that bench/README.md records', () => {
    const performance = readme.slice(readme.indexOf('## Performance'), readme.indexOf('\n## ', readme.indexOf('## Performance') + 1))
    const bench = readFileSync(path.join(root, 'bench/README.md'), 'utf8')
    const table = bench.slice(bench.indexOf('## Figures'), bench.indexOf('## How each figure is computed'))
    const cells = new Set([...table.matchAll(/\|\s*([^|\n]*?)\s*(?=\|)/g)].flatMap((match) => match[1]!.split(/[\s()]+/)))
    const quoted = [...performance.matchAll(/\d+\.\d+×/g)].map((match) => match[0])
    expect(quoted.length).toBeGreaterThanOrEqual(4)
    for (const figure of quoted) expect(cells, figure).toContain(figure)
    const costPerRequest = /a request costs (\d+\.\d+) ms/.exec(performance)?.[1]
    expect(table).toMatch(new RegExp(`cost per request[^|]*\\|\\s*${costPerRequest}\\d* ms`))
  })
})
