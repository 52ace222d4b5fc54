// Which versions a rule's `aliases` admit: a version whose alias matches one
// of the globs as a whole. Globs are minimatch's, read the same on every
// runner: `*`, `?`, `[...]` and `\` escapes, nothing a reader of `v0-pr*`
// would not expect (no braces, extglobs, `!` negation or `#` comments).
import { Minimatch, type MinimatchOptions } from 'minimatch'

const OPTIONS: MinimatchOptions = {
  platform: 'linux', // `\` escapes on a Windows runner too; `/` is the only separator
  dot: true, // `*` matches an alias that starts with a dot
  nobrace: true, // `{1..99999}` would expand into that many patterns
  noext: true,
  noglobstar: true,
  nonegate: true,
  nocomment: true,
}

/**
 * minimatch matches paths, and its `*` stops at `/`. An alias is not a path:
 * each `/` of the glob and of the alias becomes a character no alias holds
 * (version aliases are ASCII), so `*` spans it and a written `/` still
 * matches only a `/`.
 */
const SLASH = /\//g
const NOT_A_SEPARATOR = '\uE000'

/** A test of an alias against the globs: true when one matches it whole. */
export function aliasMatcher(globs: readonly string[]): (alias: string) => boolean {
  const matchers = globs.map((glob) => new Minimatch(glob.replace(SLASH, NOT_A_SEPARATOR), OPTIONS))
  return (alias) => {
    const text = alias.replace(SLASH, NOT_A_SEPARATOR)
    return matchers.some((matcher) => matcher.match(text))
  }
}
