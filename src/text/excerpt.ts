const EXCERPT_CHARS = 200

/** A short, one-line piece of a response body for a message: a JSON `detail` or `message` when there is one. */
export function excerpt(body: string): string {
  const json = jsonObject(body)
  const chosen = typeof json?.detail === 'string' ? json.detail : typeof json?.message === 'string' ? json.message : body
  const line = chosen.replace(/\s+/g, ' ').trim()
  return line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS)}…` : line
}

/** The body read as a JSON object; null when it is not one. */
export function jsonObject(body: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(body)
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null
  } catch {
    return null
  }
}
