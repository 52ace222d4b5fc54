const DAY_MS = 24 * 60 * 60 * 1000

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`
}

/**
 * A size and the limit it passes, as a message shows them: rounded, unless
 * the rounded figures would read the same ("1.0 MiB, larger than the 1.0
 * MiB"), then in bytes.
 */
export function sizeOverLimit(
  size: number,
  limit: number,
  format: (bytes: number) => string = formatBytes,
): { size: string; limit: string } {
  const [shownSize, shownLimit] = [format(size), format(limit)]
  if (shownSize !== shownLimit) return { size: shownSize, limit: shownLimit }
  return { size: `${size.toLocaleString('en-US')} bytes`, limit: `${limit.toLocaleString('en-US')} bytes (${shownLimit})` }
}

export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`
}

/** A wait as long as GitHub may ask for, out of all reason included. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))} s`
  if (ms < 2 * 60 * 60_000) {
    const minutes = Math.floor(ms / 60_000)
    const seconds = Math.round((ms % 60_000) / 1000)
    return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`
  }
  if (ms < 2 * DAY_MS) return `${Number((ms / (60 * 60_000)).toFixed(1))} h`
  return `${Math.round(ms / DAY_MS).toLocaleString('en-US')} days`
}
