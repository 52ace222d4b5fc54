// Text the action did not write (a server's body, a file name, a manifest
// value, a field of GitHub's answer) may hold characters a terminal or a log
// viewer obeys instead of showing: ESC starts a sequence that clears the
// screen or retitles the window, BEL rings, a backspace or a carriage return
// overwrites what came before, a bidi override shows text in another order
// than it is read. Printed, each is written out as a JSON-style escape.

/**
 * The characters written out: every control (Cc: C0, DEL and C1) but tab and
 * line feed, and a carriage return only when no line feed follows it, since
 * CRLF ends a line like LF; the bidi embeddings, overrides, isolates and marks
 * (Bidi_Control); and the line and paragraph separators.
 */
const UNPRINTABLE = /(?![\t\n]|\r\n)[\p{Cc}\p{Bidi_Control}\u2028\u2029]/gu
const HAS_UNPRINTABLE = new RegExp(UNPRINTABLE.source, 'u')

/**
 * `text` with each unprintable character written as `\u` and four lowercase
 * hex digits, as JSON.stringify writes a control (`\u001b` for ESC): JSON
 * stays valid JSON with the same value, and text already made printable is
 * left as it is.
 */
export function printable(text: string): string {
  // Most text has none; looking is far cheaper than a replace that finds none.
  return HAS_UNPRINTABLE.test(text) ? text.replace(UNPRINTABLE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`) : text
}
