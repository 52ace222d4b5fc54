export interface UnknownField {
  field: string
  suggestion: string | null
}

/** The manifest's fields its kind does not know, each with the known field it most likely meant. */
export function findUnknownFields(value: Record<string, unknown>, known: readonly string[]): UnknownField[] {
  return Object.keys(value)
    .filter((field) => !known.includes(field))
    .map((field) => ({ field, suggestion: closestField(field, known) }))
}

/** The known field a typo most likely meant, by edit distance, or null when none is close. */
export function closestField(field: string, knownFields: readonly string[]): string | null {
  let best: string | null = null
  let bestDistance = Infinity
  const lowered = field.toLowerCase().replaceAll('-', '_')
  const tolerance = Math.max(1, Math.floor(field.length / 3))
  for (const known of knownFields) {
    // The distance is at least the difference in length: no need to compute it for a long key.
    if (Math.abs(lowered.length - known.length) > tolerance) continue
    const distance = editDistance(lowered, known)
    if (distance < bestDistance) [best, bestDistance] = [known, distance]
  }
  return bestDistance <= tolerance ? best : null
}

/** Damerau-Levenshtein (optimal string alignment): a swap of two letters counts as one edit. Three rolling rows: it runs once per unknown field and known field. */
function editDistance(a: string, b: string): number {
  let before = new Int32Array(b.length + 1)
  let previous = Int32Array.from({ length: b.length + 1 }, (_, j) => j)
  let current = new Int32Array(b.length + 1)
  for (let i = 1; i <= a.length; i++) {
    current[0] = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1)
      current[j] = d
    }
    ;[before, previous, current] = [previous, current, before]
  }
  return previous[b.length]!
}
