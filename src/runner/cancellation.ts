/** Requests in flight may finish for this long after the runner's SIGINT; its SIGTERM follows 7.5 s after. */
export const CANCEL_GRACE_MS = 4000

export interface Cancellation {
  /** Nothing new is sent once this aborts (SIGINT or SIGTERM). */
  cancel: AbortSignal
  /** Requests in flight are cut once this aborts (SIGINT + grace, or SIGTERM). */
  abortInFlight: AbortSignal
}

/** Turns the runner's (or a terminal's) SIGINT and SIGTERM into the two signals a run obeys. */
export function listenForCancellation(onCancel: (message: string) => void): Cancellation {
  const cancel = new AbortController()
  const abortInFlight = new AbortController()
  process.once('SIGINT', () => {
    onCancel('Cancelled: no new requests start; those in flight get a few seconds to finish.')
    cancel.abort()
    setTimeout(() => abortInFlight.abort(), CANCEL_GRACE_MS).unref()
  })
  process.once('SIGTERM', () => {
    cancel.abort()
    abortInFlight.abort()
  })
  return { cancel: cancel.signal, abortInFlight: abortInFlight.signal }
}
