// The floor of validation scale and of the worst hostile file: read and parse the same files with
// `yaml`, nothing else.
//   node bench/yaml-floor.ts <directory>
// A document yaml refuses to convert (too many aliases, for one) still counts: its parse is the work
// measured, and the action refuses it too. The floor must finish on every file the bench can write.
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { parseAllDocuments } from 'yaml'

const directory = process.argv[2]!
let documents = 0
for (const name of (await readdir(directory)).sort()) {
  const parsed = parseAllDocuments(await readFile(path.join(directory, name), 'utf8'))
  for (const document of Array.isArray(parsed) ? parsed : []) {
    try {
      document.toJS()
    } catch (error) {
      if (!(error instanceof Error)) throw error
    }
    documents++
  }
}
process.stdout.write(`${documents}\n`)
