// The OpenAPI documents are the one source of the manifest schemas: the
// generated validators and the kinds table must agree with them.
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { generate, readDocuments } from '../../../scripts/generate-validator.ts'
import { KIND_NAMES, MANIFEST_KINDS } from '../../../src/manifests/kinds.ts'

const schemaFile = (name: string) => readFileSync(new URL(`../../../src/schema/${name}`, import.meta.url), 'utf8')

const documents = readDocuments()

describe('the generated files', () => {
  const generated = generate(documents)

  it.each(Object.keys(generated))(
    '%s is what scripts/generate-validator.ts makes of the documents (run npm run generate if not)',
    (name) => {
      expect(generated[name]).toBe(schemaFile(name))
    },
  )

  it('come from one document per kind of the table, and nothing else', () => {
    expect(Object.keys(documents).sort()).toEqual([...KIND_NAMES].sort())
  })

  it.each(KIND_NAMES)("name %s's endpoint as the table does", (kind) => {
    const paths = Object.keys((parse(documents[kind]!) as { paths: Record<string, unknown> }).paths)
    const { endpoints } = MANIFEST_KINDS[kind]
    expect(paths).toEqual([`/${endpoints['ml-v1'] ?? endpoints['svc-v1']}`])
  })
})
