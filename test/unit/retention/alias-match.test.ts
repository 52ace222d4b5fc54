// What a rule's `aliases` admit: an alias a glob matches as a whole, read the
// same on every runner.
import { describe, expect, it } from 'vitest'
import { aliasMatcher } from '../../../src/retention/alias-match.ts'

describe('aliasMatcher', () => {
  it.each([
    ['v0-pr*', 'v0-pr123-try2', true],
    ['v0-pr*', 'v0-pr', true],
    ['v0-pr*', 'v0-main', false],
    ['v0-pr*', 'xv0-pr1', false], // the whole alias, not a part of it
    ['v0-pr*', 'V0-PR1', false], // case counts, as it does on the control plane
    ['*', 'v1.2.3-rc1', true],
    ['*', '.hidden', true],
    ['*', 'a/b/c', true], // an alias is not a path: `*` spans a `/`
    ['a/*', 'a/b/c', true],
    ['v?', 'v7', true],
    ['v?', 'v77', false],
    ['v[0-9]-pr*', 'v3-pr1', true],
    ['v[0-9]-pr*', 'vx-pr1', false],
    ['v[!0-9]', 'v3', false],
    ['v0-pr12', 'v0-pr12', true], // a literal alias matches only itself
    ['v0-pr12', 'v0-pr123', false],
    ['v1.0', 'v1x0', false], // `.` is no wildcard
    ['v\\*', 'v*', true],
    ['v\\*', 'v1', false],
  ])('%s against %s: %s', (glob, alias, matches) => {
    expect(aliasMatcher([glob])(alias)).toBe(matches)
  })

  it.each([
    ['{a,b}', 'a', '{a,b}'], // no brace expansion: `{1..99999}` would be that many patterns
    ['!v1', 'v2', '!v1'], // no negation: a rule admits what it names
    ['#v1', '', '#v1'], // no comments
    ['+(a|b)', 'a', '+(a|b)'], // no extglobs
  ])('reads %s literally', (glob, notMatched, matched) => {
    const matches = aliasMatcher([glob])
    expect(matches(notMatched)).toBe(false)
    expect(matches(matched)).toBe(true)
  })

  it('admits an alias any of the globs matches', () => {
    const matches = aliasMatcher(['v0-pr*', 'v0-main-*'])
    expect(['v0-pr1', 'v0-main-3', 'v0-dev-1'].map(matches)).toEqual([true, true, false])
  })
})
