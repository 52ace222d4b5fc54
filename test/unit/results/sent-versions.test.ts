import { describe, expect, it } from 'vitest'
import { SentVersions } from '../../../src/results/sent-versions.ts'

describe('SentVersions', () => {
  it.each([1, 1000, 60_000])('tells %i versions apart, and knows each again, as the table grows', (count) => {
    const sent = new SentVersions()
    const keyOf = (index: number) => JSON.stringify(['artifact-version', 'previews', `m-${index % 7}`, { alias: `v0-pr${index}` }])
    for (let index = 0; index < count; index++) {
      expect(sent.first(keyOf(index))).toBeNull()
      sent.add(keyOf(index), index, `f${index % 3}.yaml:1`)
    }
    for (let index = 0; index < count; index++)
      expect(sent.first(keyOf(index))).toEqual({ pullRequest: index, location: `f${index % 3}.yaml:1` })
    expect(sent.first(keyOf(count))).toBeNull()
  })
})
