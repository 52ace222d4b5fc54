// The job summary for the runner: each piece appended to the file that
// GITHUB_STEP_SUMMARY names, as @actions/core's summary appends it, but in one
// synchronous write. Core's goes through Node's thread pool, a check and then
// an open, a write and a close for each piece: four round trips that a small
// run spends waiting, with nothing else left to do while its summary is written.
import { appendFileSync } from 'node:fs'
import type { Core } from './guarded-core.ts'

export function stepSummary(env: NodeJS.ProcessEnv): Core['summary'] {
  return {
    addRaw: (text) => ({
      write() {
        const file = env.GITHUB_STEP_SUMMARY
        if (!file) {
          return Promise.reject(new Error('GITHUB_STEP_SUMMARY is not set, so this runner takes no job summary'))
        }
        try {
          appendFileSync(file, text)
        } catch (error) {
          return Promise.reject(new Error(`${file} (GITHUB_STEP_SUMMARY) cannot be written: ${(error as Error).message}`))
        }
        return Promise.resolve()
      },
    }),
  }
}
