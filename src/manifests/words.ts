// How messages about a manifest show the values in it.

const MAX_QUOTED = 80

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function describeType(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'string') return `the string ${quote(value)}`
  if (typeof value === 'number') return Number.isInteger(value) ? `the integer ${value}` : `the number ${value}`
  if (typeof value === 'boolean') return `boolean ${value}`
  return typeof value
}

/** A string in quotes, anything else as its JSON (so 1 and "1" read differently); long values cut. */
export function quote(value: unknown): string {
  let text: string
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))
  } catch {
    // A value that contains itself (a YAML alias inside its own anchor) or is nested too deep to print.
    return describeType(value)
  }
  const cut = text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text
  return typeof value === 'string' ? JSON.stringify(cut) : cut
}

export function listWords(values: unknown, conjunction: 'or' | 'and' = 'or'): string {
  const words = (Array.isArray(values) ? values : []).map((value) => JSON.stringify(value))
  if (words.length <= 1) return words.join('')
  return `${words.slice(0, -1).join(', ')} ${conjunction} ${words.at(-1)}`
}
