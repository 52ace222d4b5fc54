import type { Problem } from './problems.ts'
import { referencesIn } from './substitution.ts'
import type { WrittenField } from './fill-in.ts'

/** What a sweep sets for each pull request; its head's branch and commit are the author's choice, and only the number is the pull request's own. */
const CHOSEN_BY_AUTHOR: Record<string, string> = {
  PR_HEAD_REF:
    'the head branch is named by whoever opens the pull request (a fork can name it main or release), and later pull requests use the same names again, open ones included',
  PR_HEAD_SHA: 'the head commit is whatever the author pushed, which can be any commit that already exists',
}

/**
 * A sweep's rule, on a manifest as written: the version it names (by
 * `ml_repo`, `name`, and `version` or, without it, `version_alias`; a data
 * directory, not `versioned`, by `ml_repo` and `name`) is its pull request's
 * own, so it names ${PR_NUMBER}, and nothing the author of the pull request
 * chooses. Otherwise every pull request swept would delete the same version,
 * or one another pull request named.
 */
export function sweepProblems(written: (field: string) => WrittenField | null, versioned: boolean): Problem[] {
  const problems: Problem[] = []
  for (const field of versioned ? ['ml_repo', 'name', 'version', 'version_alias'] : ['ml_repo', 'name']) {
    for (const name of new Set(written(field)?.variables ?? [])) {
      const why = CHOSEN_BY_AUTHOR[name]
      if (!why) continue
      problems.push({
        path: [field],
        message: `names \${${name}}, which a sweep may not use to name a version: ${why}, so it could name another pull request's version; only \${PR_NUMBER} is unique and not chosen by the author. Name the version with \${PR_NUMBER}; \${PR_HEAD_REF} and \${PR_HEAD_SHA} may stay in the other fields (description, metadata)`,
      })
    }
  }
  // The number picks the version when there is one: an alias beside it only names it again.
  const picking = versioned ? (written('version') ? 'version' : 'version_alias') : null
  const naming = picking ? ['ml_repo', 'name', picking] : ['ml_repo', 'name']
  for (const field of naming) {
    if (!numberTouches(written(field)?.text ?? '')) continue
    problems.push({
      path: [field],
      message:
        'puts a digit or another variable right beside ${PR_NUMBER}, so one pull request could name the version of another: v0-pr1${PR_NUMBER} for pull request #1 is v0-pr11, which v0-pr${PR_NUMBER} names for #11. ' +
        'Put a character that is not a digit between ${PR_NUMBER} and the rest, e.g. v0-pr${PR_NUMBER}-try1',
    })
  }
  if (naming.some((field) => written(field)?.variables.includes('PR_NUMBER'))) return problems
  const braces = naming.some((field) => /\$PR_NUMBER(?![A-Za-z0-9_])/.test(written(field)?.text ?? ''))
    ? ' ($PR_NUMBER without braces is not filled in)'
    : ''
  const where =
    picking === 'version'
      ? 'its version is a number written out, the same for every pull request (a version_alias beside it only names that version again), and neither ml_repo nor name holds ${PR_NUMBER}'
      : picking
        ? 'none of ml_repo, name and version_alias holds ${PR_NUMBER}'
        : 'neither ml_repo nor name holds ${PR_NUMBER}'
  const what = picking ? 'version' : 'data directory'
  const example = picking
    ? `version_alias: v0-pr\${PR_NUMBER}${picking === 'version' ? ' in place of version' : ''}`
    : 'name: preview-pr${PR_NUMBER}'
  problems.push({
    path: picking && written(picking) ? [picking] : [],
    message: `names nothing that belongs to a pull request: ${where}${braces}, so the sweep would delete the same ${what} for every pull request it sweeps. Name a ${what} per pull request, e.g. ${example}`,
  })
  return problems
}

/** Whether a ${PR_NUMBER} of the text has a digit or another ${NAME} right beside it, where the number's own digits would run into others. */
function numberTouches(text: string): boolean {
  const references = referencesIn(text)
  return references.some(
    (reference, index) =>
      reference.name === 'PR_NUMBER' &&
      (/\d/.test(text[reference.start - 1] ?? '') ||
        /\d/.test(text[reference.end] ?? '') ||
        references[index - 1]?.end === reference.start ||
        references[index + 1]?.start === reference.end),
  )
}
