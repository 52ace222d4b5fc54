// Checking gives way to the event loop: a sweep of thousands of pull requests
// over a big manifest is one long computation, and while it runs nothing else
// does — not the runner's SIGINT, not the answer to a delete in flight.
import { setImmediate as nextTurn } from 'node:timers/promises'

/** The longest stretch of checking between two turns of the event loop: well under the 50 ms a run may go unresponsive. */
export const SLICE_MS = 20

export interface TimeSlice {
  /** True once the slice is used up: the work pauses at its next step. */
  due(): boolean
  /** Lets the event loop run (I/O, signals, timers) and starts a new slice. */
  pause(): Promise<void>
}

export function timeSlice(ms = SLICE_MS, now: () => number = () => performance.now()): TimeSlice {
  let start = now()
  return {
    due: () => now() - start >= ms,
    async pause() {
      await nextTurn()
      start = now()
    },
  }
}

/** Runs `steps`, a generator that yields when its slice is due, pausing each time it does. */
export async function runSliced<T>(steps: Generator<void, T>, slice: TimeSlice): Promise<T> {
  for (;;) {
    const step = steps.next()
    if (step.done) return step.value
    await slice.pause()
  }
}
