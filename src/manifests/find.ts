import { realpath } from 'node:fs/promises'
import path from 'node:path'
import { create as createGlobber } from '@actions/glob'
import type { Core } from '../runner/guarded-core.ts'

export interface ManifestFile {
  /** Absolute path as matched. */
  absolute: string
  /** Relative to the workspace, with `/` separators: the name users see. */
  relative: string
  /** Why the file must not be read, e.g. a link that leads out of the workspace. */
  refusal: string | null
}

/** The files stage: the files the patterns match, listed in the log. */
export async function findFiles(patterns: string[], workspace: string, core: Pick<Core, 'info'>): Promise<ManifestFile[]> {
  const files = await findManifestFiles(patterns, workspace)
  if (files.length > 0) {
    core.info(`${files.length} ${files.length === 1 ? 'file matches' : 'files match'} ${patterns.join(', ')}:`)
    for (const file of files) core.info(`  ${file.relative}`)
  }
  return files
}

/**
 * Expands the patterns (relative to the workspace; `!` excludes) into a sorted
 * list of files, each once. Files that resolve outside the workspace are
 * returned with a refusal rather than silently dropped, so the report shows them.
 */
async function findManifestFiles(patterns: string[], workspace: string): Promise<ManifestFile[]> {
  const root = path.resolve(workspace)
  const rooted = patterns.map((pattern) => rootPattern(pattern, root))
  // The workspace's real path is looked up while the patterns are compiled, not after.
  const [globber, realRoot] = await Promise.all([
    createGlobber(rooted.join('\n'), { matchDirectories: false, implicitDescendants: false }),
    realpath(root),
  ])
  const unique = [...new Set(await globber.glob())]
  const files = await Promise.all(unique.map((absolute) => describe(absolute, root, realRoot)))
  return files.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0))
}

async function describe(absolute: string, root: string, realRoot: string): Promise<ManifestFile> {
  const relative = path.relative(root, absolute).split(path.sep).join('/')
  if (isOutside(relative)) {
    return { absolute, relative, refusal: 'is outside the workspace; manifests must be in the repository' }
  }
  const real = await realpath(absolute)
  const realRelative = path.relative(realRoot, real)
  if (isOutside(realRelative)) {
    return { absolute, relative, refusal: `is a link to ${real}, outside the workspace; manifests must be in the repository` }
  }
  return { absolute, relative, refusal: null }
}

function isOutside(relative: string): boolean {
  return relative === '..' || relative.startsWith('../') || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)
}

function rootPattern(pattern: string, root: string): string {
  const negated = pattern.startsWith('!')
  const body = negated ? pattern.slice(1) : pattern
  // join() resolves ./ and ../, which @actions/glob refuses inside a pattern; files that end up outside are refused later.
  const absolute = path.isAbsolute(body) ? body : path.join(escapeGlob(root), body)
  return negated ? `!${absolute}` : absolute
}

/** The workspace path is literal text; brackets make glob characters in it match themselves (a `]` is literal once `[` is escaped). */
function escapeGlob(text: string): string {
  return text.replace(/[*?[]/g, '[$&]')
}
