import { describe, expect, it } from 'vitest'
import { SentVersions } from '../../../src/results/sent-versions.ts'

describe('SentVersions', () => {
  it.each([1, 1000, 60_000])('tells %i versions apart, and knows each again, as the table grows', (count) => {
    const sent = new SentVersions()
    const keyOf = (index: number) => JSON.stringify(['artifact-version', 'previews', `m-${index % 7}`, { alias: `v0-pr${index}` }])
    // Collected, then compared once: an expect per version would cost more than the table itself.
    const knownBefore: number[] = []
    for (let index = 0; index < count; index++) {
      if (sent.first(keyOf(index)) !== null) knownBefore.push(index)
      sent.add(keyOf(index), index, `f${index % 3}.yaml:1`)
    }
    expect(knownBefore).toEqual([])
    const wrong = []
    for (let index = 0; index < count; index++) {
      const first = sent.first(keyOf(index))
      if (first?.pullRequest !== index || first.location !== `f${index % 3}.yaml:1` || Object.keys(first).length !== 2)
        wrong.push({ index, first })
    }
    expect(wrong).toEqual([])
    expect(sent.first(keyOf(count))).toBeNull()
  })
})
