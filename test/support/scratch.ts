// Temporary folders for a test file, removed when the file's tests have run,
// whatever they left in them (a run's workspace, results file, runner temp).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll } from 'vitest'

const made: string[] = []

// Imported while vitest collects a test file, so this hook belongs to that file.
afterAll(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

/** A new empty folder under the system's temporary folder, its name starting with `prefix`. */
export async function scratchDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix))
  made.push(dir)
  return dir
}
