/**
 * What the runDeletions calls of one run share: `concurrency` slots, so that a
 * batch's requests take the slots the batch before frees as soon as it frees
 * them, and one stop, which holds for every call, running or to come.
 */
export class DeletionPool {
  readonly slots: Slots
  private readonly stopped = new AbortController()
  /** Why nothing more may be sent; empty until something says so. */
  reason = ''

  constructor(concurrency: number) {
    this.slots = new Slots(concurrency)
  }

  /** Aborted at the stop: ends the waits between attempts. */
  get signal(): AbortSignal {
    return this.stopped.signal
  }

  stop(reason: string): void {
    if (this.stopped.signal.aborted) return
    this.reason = reason
    this.stopped.abort()
    this.slots.close()
  }
}

/** A counting semaphore whose waiters with priority go first; closing it turns every waiter away. */
class Slots {
  private free: number
  private closed = false
  private readonly priorityWaiting: ((ok: boolean) => void)[] = []
  private readonly normalWaiting: ((ok: boolean) => void)[] = []
  private normalHead = 0

  constructor(size: number) {
    this.free = size
  }

  acquire(priority: boolean): Promise<boolean> {
    if (this.closed) return Promise.resolve(false)
    if (this.free > 0) {
      this.free--
      return Promise.resolve(true)
    }
    return new Promise((grant) => (priority ? this.priorityWaiting : this.normalWaiting).push(grant))
  }

  release(): void {
    const next = this.priorityWaiting.shift() ?? this.nextNormal()
    if (next && !this.closed) next(true)
    else this.free++
  }

  close(): void {
    this.closed = true
    for (const grant of this.priorityWaiting.splice(0)) grant(false)
    for (const grant of this.normalWaiting.splice(this.normalHead)) grant(false)
    this.normalHead = 0
    this.normalWaiting.length = 0
  }

  /** O(1) dequeue for the long queue of requests not yet started. */
  private nextNormal(): ((ok: boolean) => void) | undefined {
    if (this.normalHead >= this.normalWaiting.length) return undefined
    const next = this.normalWaiting[this.normalHead]
    this.normalWaiting[this.normalHead++] = undefined as never
    if (this.normalHead > 1024 && this.normalHead * 2 > this.normalWaiting.length) {
      this.normalWaiting.splice(0, this.normalHead)
      this.normalHead = 0
    }
    return next
  }
}
