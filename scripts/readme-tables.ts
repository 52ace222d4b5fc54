// Renders the README's inputs and outputs tables from action.yml, so the two
// cannot drift: `npm run readme` rewrites them, test/unit/readme.test.ts checks them.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

interface ActionMetadata {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>
  outputs: Record<string, { description: string }>
}

const cell = (text: string) =>
  text
    .trim()
    .replace(/\s*\n\s*/g, ' ')
    .replaceAll('|', '\\|')

export function renderTables(actionYml: string): { inputs: string; outputs: string } {
  const action = parse(actionYml) as ActionMetadata
  const inputs = [
    '| input | required | default | description |',
    '| --- | --- | --- | --- |',
    ...Object.entries(action.inputs).map(
      ([name, input]) =>
        `| \`${name}\` | ${input.required ? 'yes' : 'no'} | ${input.default === undefined ? '' : input.default === '' ? "`''`" : `\`${input.default}\``} | ${cell(input.description)} |`,
    ),
  ].join('\n')
  const outputs = [
    '| output | description |',
    '| --- | --- |',
    ...Object.entries(action.outputs).map(([name, output]) => `| \`${name}\` | ${cell(output.description)} |`),
  ].join('\n')
  return { inputs, outputs }
}

export function replaceBetween(text: string, marker: string, content: string): string {
  const start = `<!-- ${marker}:start -->`
  const end = `<!-- ${marker}:end -->`
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from === -1 || to === -1) throw new Error(`README.md has no ${start} … ${end} markers`)
  return `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`
}

if (import.meta.main) {
  const root = new URL('../', import.meta.url)
  const tables = renderTables(readFileSync(new URL('action.yml', root), 'utf8'))
  const readmePath = fileURLToPath(new URL('README.md', root))
  let readme = readFileSync(readmePath, 'utf8')
  readme = replaceBetween(readme, 'inputs', tables.inputs)
  readme = replaceBetween(readme, 'outputs', tables.outputs)
  writeFileSync(readmePath, readme)
  console.log('README.md tables rewritten from action.yml')
}
