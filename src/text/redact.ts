// Secrets out of text that came from elsewhere (a server's body, a header, a
// manifest value), in every form a server or a URL may give them: as they
// are, JSON-escaped and percent- or form-encoded, in any mix and any case of hex.

export const REDACTED = '***'

/**
 * Returns `text` with every form of every secret replaced by `***`. With
 * `truncated`, `text` was cut short, so a tail that could be the start of a
 * form of a secret is dropped too: nothing of a secret shows, however the cut fell.
 */
export type Redact = (text: string, options?: { truncated?: boolean }) => string

export function createRedactor(secrets: readonly string[]): Redact {
  const distinct = [...new Set(secrets.filter((secret) => secret.length > 0))].sort((a, b) => b.length - a.length)
  if (distinct.length === 0) return (text) => text
  const units = distinct.map((secret) => [...secret].map(formsOf))
  const wholeSource = units.map((forms) => forms.map(alternation).join('')).join('|')
  const whole = new RegExp(wholeSource, 'g')
  // In text cut short, each place is read as a whole form if it is one, else, if the text ends there,
  // as the beginning of one, which is dropped. One pass, left to right, so a secret's raw form never
  // matches inside the half-written escape of its own first character (\u00 of \u0075, for "u").
  const wholeOrStart = new RegExp(`${wholeSource}|((?:${units.map(prefixPattern).join('|')}))$`, 'g')

  return (text, options = {}) =>
    options.truncated
      ? text.replace(wholeOrStart, (_match, start?: string) => (start === undefined ? REDACTED : ''))
      : text.replace(whole, REDACTED)
}

/** Every way one character of a secret may be written, longest first so a match never stops inside an escape. */
function formsOf(char: string): string[] {
  const forms = new Set<string>()
  const json = JSON.stringify(char).slice(1, -1)
  forms.add(hexInsensitive(Array.from({ length: char.length }, (_, i) => unicodeEscape(char.charCodeAt(i))).join('')))
  forms.add(hexInsensitive(percentEncoded(char)))
  if (json !== char) forms.add(escapeRegExp(json))
  if (char === '/') forms.add(escapeRegExp('\\/'))
  if (char === ' ') forms.add(escapeRegExp('+'))
  forms.add(escapeRegExp(char))
  return [...forms]
}

function unicodeEscape(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`
}

function percentEncoded(char: string): string {
  return [...Buffer.from(char, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('')
}

/** A regex source for `text` where each hex digit letter matches in either case. */
function hexInsensitive(text: string): string {
  return [...text].map((char) => (/[a-f]/i.test(char) ? `[${char.toLowerCase()}${char.toUpperCase()}]` : escapeRegExp(char))).join('')
}

function alternation(forms: string[]): string {
  return `(?:${forms.join('|')})`
}

/**
 * A regex source matching a proper beginning of a form of the secret (empty
 * too: callers want a non-empty match): whole characters, then possibly the
 * start of one more character's form.
 */
function prefixPattern(forms: string[][]): string {
  let pattern = alternation([...forms.at(-1)!.flatMap(beginnings), ''])
  for (let i = forms.length - 2; i >= 0; i--) {
    pattern = alternation([`${alternation(forms[i]!)}${pattern}`, ...forms[i]!.flatMap(beginnings), ''])
  }
  return pattern
}

/** The proper, non-empty beginnings of one form, as regex sources (a form is a sequence of atoms, each matching one UTF-16 unit, so a cut inside a surrogate pair counts). */
function beginnings(form: string): string[] {
  const atoms = form.match(/\[[^\]]+\]|\\.|./gs) ?? []
  return atoms.slice(1).map((_, end) => atoms.slice(0, end + 1).join(''))
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')
}
