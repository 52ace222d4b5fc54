import { hash } from 'node:crypto'

/**
 * The versions a run has sent, each with the pull request and the manifest
 * that named it first. A sweep of thousands of pull requests holds one entry
 * per version, so an entry is 20 bytes of typed arrays: a 64-bit fingerprint
 * of its key (SHA-1's first bytes; the chance of any false match among a
 * million versions is about 3 in 10^8), not the key itself.
 */
export class SentVersions {
  private size = 0
  private high = new Uint32Array(1024)
  private low = new Uint32Array(1024)
  private pullRequests = new Float64Array(1024)
  private where = new Uint32Array(1024)
  /** Manifest locations (`file:line`), each once: a run has few, and many versions share each. */
  private readonly locations: string[] = []
  private readonly locationIndex = new Map<string, number>()

  add(key: string, pullRequest: number | null, location: string): void {
    if ((this.size + 1) * 4 > this.high.length * 3) this.grow()
    const [high, low] = fingerprint(key)
    const slot = this.find(high, low)
    if (this.high[slot] !== 0) return
    let where = this.locationIndex.get(location)
    if (where === undefined) {
      where = this.locations.push(location) - 1
      this.locationIndex.set(location, where)
    }
    this.high[slot] = high
    this.low[slot] = low
    this.pullRequests[slot] = pullRequest ?? Number.NaN
    this.where[slot] = where
    this.size++
  }

  first(key: string): { pullRequest: number | null; location: string } | null {
    const [high, low] = fingerprint(key)
    const slot = this.find(high, low)
    if (this.high[slot] === 0) return null
    const pullRequest = this.pullRequests[slot]!
    return { pullRequest: Number.isNaN(pullRequest) ? null : pullRequest, location: this.locations[this.where[slot]!]! }
  }

  /** The slot that holds this fingerprint, or the empty one where it would go (open addressing, linear probing). */
  private find(high: number, low: number): number {
    const mask = this.high.length - 1
    for (let slot = low & mask; ; slot = (slot + 1) & mask) {
      if (this.high[slot] === 0 || (this.high[slot] === high && this.low[slot] === low)) return slot
    }
  }

  private grow(): void {
    const [high, low, pullRequests, where] = [this.high, this.low, this.pullRequests, this.where]
    const capacity = high.length * 2
    this.high = new Uint32Array(capacity)
    this.low = new Uint32Array(capacity)
    this.pullRequests = new Float64Array(capacity)
    this.where = new Uint32Array(capacity)
    for (let old = 0; old < high.length; old++) {
      if (high[old] === 0) continue
      const slot = this.find(high[old]!, low[old]!)
      this.high[slot] = high[old]!
      this.low[slot] = low[old]!
      this.pullRequests[slot] = pullRequests[old]!
      this.where[slot] = where[old]!
    }
  }
}

/** Two 32-bit words of the key's SHA-1; the first is never 0, which marks an empty slot. */
function fingerprint(key: string): [number, number] {
  const digest = hash('sha1', key, 'buffer')
  return [digest.readUInt32BE(0) || 1, digest.readUInt32BE(4)]
}
