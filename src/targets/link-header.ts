// Where GitHub says to go next: a Link header's targets (the next page) and
// a Location (a redirect), resolved against the URL they came with.

/**
 * The targets of a Link header whose relation types include `rel`, as RFC
 * 8288 writes them: several links, `rel` quoted or not, several relation types
 * in one (`rel="next last"`), any case, any whitespace, parameters in any
 * order; a second `rel` of a link is ignored, as the RFC says.
 */
export function linkTargets(header: string, rel: string): string[] {
  const wanted = rel.toLowerCase()
  const targets: string[] = []
  let at = 0
  while (at < header.length) {
    const open = header.indexOf('<', at)
    if (open < 0) break
    const close = header.indexOf('>', open)
    if (close < 0) break
    let end = close + 1
    for (let quoted = false; end < header.length; end++) {
      const char = header[end]
      if (quoted && char === '\\') end++
      else if (char === '"') quoted = !quoted
      else if (!quoted && char === ',') break
    }
    const relation = readParams(header.slice(close + 1, end)).get('rel')
    if (relation?.toLowerCase().split(/\s+/).includes(wanted)) targets.push(header.slice(open + 1, close).trim())
    at = end + 1
  }
  return targets
}

/** `; name=value` parameters, names lowercased, values unquoted; the first of a name wins. */
function readParams(text: string): Map<string, string> {
  const params = new Map<string, string>()
  for (const [, name, quoted, token] of text.matchAll(/;\s*([^\s;=,"]+)\s*(?:=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;,"]*)))?/g)) {
    const key = name!.toLowerCase()
    if (!params.has(key)) params.set(key, quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (token ?? ''))
  }
  return params
}

/** A Link target or a Location, relative to `base` (RFC 8288, 3.2; RFC 9110, 10.2.2); null when it cannot be read. */
export function resolveTarget(text: string, base: URL): URL | null {
  try {
    return new URL(text, base)
  } catch {
    return null
  }
}
