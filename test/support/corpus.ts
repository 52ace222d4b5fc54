// Reads the contract corpus: test/contract/corpus/<kind>/*.yaml, each a list
// of cases judged against that kind's OpenAPI document.
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { KIND_NAMES, type ManifestKind } from '../../src/manifests/kinds.ts'

export interface CorpusCase {
  /** Unique across the corpus; names the test. */
  id: string
  /** The kind whose endpoint judges it: the folder it is in. */
  kind: ManifestKind
  /** Its kind and the file it comes from, without .yaml: `model-version/source`. */
  group: string
  /** The manifest document, or whatever stands in its place. */
  manifest: unknown
  /** Whether the manifest conforms to its kind's schema in src/schema/<kind>.openapi.yaml. */
  spec_valid: boolean
  /** Spec-valid, yet the action refuses it on purpose: it names neither version nor version_alias. */
  action_stricter: boolean
  note?: string
}

const CORPUS_DIR = fileURLToPath(new URL('../contract/corpus/', import.meta.url))
const KEYS = new Set(['id', 'manifest', 'spec_valid', 'action_stricter', 'note'])

export function loadCorpus(root = CORPUS_DIR): CorpusCase[] {
  const cases: CorpusCase[] = []
  const folders = readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
  const strays = folders.filter((folder) => !(KIND_NAMES as string[]).includes(folder))
  if (strays.length > 0) throw new Error(`${root}: ${strays.join(', ')} is not a manifest kind; the folders are ${KIND_NAMES.join(', ')}`)
  for (const kind of KIND_NAMES) {
    const dir = `${root}${kind}/`
    const files = readdirSync(dir)
      .filter((file) => file.endsWith('.yaml'))
      .sort()
    for (const file of files) {
      const entries: unknown = parse(readFileSync(`${dir}${file}`, 'utf8'))
      if (!Array.isArray(entries)) throw new Error(`${dir}${file}: expected a list of cases`)
      entries.forEach((entry, index) =>
        cases.push(toCase(entry, kind, `${kind}/${file.slice(0, -'.yaml'.length)}`, `${dir}${file}[${index}]`)),
      )
    }
  }
  const dir = root
  const ids = new Set<string>()
  for (const { id } of cases) {
    if (ids.has(id)) throw new Error(`${dir}: the case id "${id}" is used twice`)
    ids.add(id)
  }
  return cases
}

function toCase(entry: unknown, kind: ManifestKind, group: string, where: string): CorpusCase {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new Error(`${where}: expected a mapping`)
  const fields = entry as Record<string, unknown>
  const unknown = Object.keys(fields).filter((key) => !KEYS.has(key))
  if (unknown.length > 0) throw new Error(`${where}: unknown keys ${unknown.join(', ')}; a case has ${[...KEYS].join(', ')}`)
  const { id, manifest, spec_valid, action_stricter = false, note } = fields
  if (typeof id !== 'string' || id === '') throw new Error(`${where}: "id" must be a non-empty string`)
  if (!('manifest' in fields)) throw new Error(`${where} (${id}): "manifest" is missing`)
  if (typeof spec_valid !== 'boolean') throw new Error(`${where} (${id}): "spec_valid" must be true or false`)
  if (typeof action_stricter !== 'boolean') throw new Error(`${where} (${id}): "action_stricter" must be true or false`)
  if (note !== undefined && typeof note !== 'string') throw new Error(`${where} (${id}): "note" must be a string`)
  return { id, kind, group, manifest, spec_valid, action_stricter, ...(note === undefined ? {} : { note }) }
}
