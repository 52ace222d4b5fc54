// The floor of validation scale: read and parse the same files with `yaml`, nothing else.
//   node bench/yaml-floor.ts <directory>
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { parseAllDocuments } from 'yaml'

const directory = process.argv[2]!
let documents = 0
for (const name of (await readdir(directory)).sort()) {
  const parsed = parseAllDocuments(await readFile(path.join(directory, name), 'utf8'))
  for (const document of Array.isArray(parsed) ? parsed : []) {
    document.toJS()
    documents++
  }
}
process.stdout.write(`${documents}\n`)
