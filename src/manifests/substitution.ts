// substitute-env's ${NAME}: which variables a text names, and the text filled in from an environment.

const ENV_REFERENCE = /\$(\$?)\{([^}\n]*)\}/g
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * substitute-env: ${NAME} in a value is replaced with the variable's value;
 * $${NAME} stays a literal ${NAME}. A variable that is not set, or set to the
 * empty string, is not replaced and makes the file invalid.
 */
export class Substitution {
  /** Names not filled in, in the order met, and whether each was set but empty. */
  readonly missing = new Map<string, { empty: boolean }>()
  /** Where the first value with a name not filled in stands. */
  firstMissing: { line: number; col: number } | null = null

  private readonly env: NodeJS.ProcessEnv

  constructor(env: NodeJS.ProcessEnv) {
    this.env = env
  }

  /** The text filled in; null, with the names noted in `missing`, when one of them has no value. */
  fill(text: string): string | null {
    let complete = true
    const filled = text.replace(ENV_REFERENCE, (match, escape: string, name: string) => {
      if (escape) return match.slice(1)
      const value = ENV_NAME.test(name) ? this.env[name] : undefined
      if (value) return value
      complete = false
      if (!this.missing.has(name)) this.missing.set(name, { empty: value === '' })
      return match
    })
    return complete ? filled : null
  }

  describeMissing(): string {
    const unset = [...this.missing].filter(([, { empty }]) => !empty).map(([name]) => `\${${name}}`)
    const empty = [...this.missing].filter(([, { empty }]) => empty).map(([name]) => `\${${name}}`)
    const parts: string[] = []
    if (unset.length > 0) parts.push(`${unset.join(', ')}, ${unset.length === 1 ? 'which is not set' : 'which are not set'}`)
    if (empty.length > 0) parts.push(`${empty.join(', ')}, ${empty.length === 1 ? 'which is set but empty' : 'which are set but empty'}`)
    const why = empty.length > 0 ? '; an empty value counts as not set, since pasting nothing in would name another version' : ''
    const them = this.missing.size === 1 ? 'it' : 'them'
    return `refers to ${parts.join(', and ')} (substitute-env is on${why}): give ${them} a value in the step's env, or write $\${NAME} for a literal \${NAME}`
  }
}

/** The names a text refers to for substitution, in order: not those written $${NAME}, which stay as text. */
export function variablesIn(text: string): string[] {
  return referencesIn(text).map((reference) => reference.name)
}

/** Each ${NAME} a text refers to for substitution, where it starts and where it ends; not those written $${NAME}. */
export function referencesIn(text: string): { name: string; start: number; end: number }[] {
  const references: { name: string; start: number; end: number }[] = []
  for (const match of text.matchAll(ENV_REFERENCE)) {
    if (!match[1]) references.push({ name: match[2]!, start: match.index, end: match.index + match[0].length })
  }
  return references
}

/** A text with each $${NAME} made the literal ${NAME} it stands for. */
export function unescapeReferences(text: string): string {
  return text.replace(ENV_REFERENCE, (match, escape: string) => (escape ? match.slice(1) : match))
}
