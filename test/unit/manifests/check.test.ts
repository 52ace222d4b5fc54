// The validation stage: the messages of files that cannot be read, and the
// turns it gives the event loop (this file runs alone: see vitest.config.ts).
import { describe, expect, it } from 'vitest'
import { validateFiles } from '../../../src/manifests/check.ts'
import { parseManifestFile } from '../../../src/manifests/parse.ts'
import { timeSlice } from '../../../src/runner/time-slice.ts'
import { bigManifest } from '../../../fakes/big-manifest.ts'
import { messageOf, PULL_REQUEST, silentCore, validateText } from '../../support/validate-text.ts'

describe('a file that cannot be read', () => {
  it('is named in its message, which says where and what', async () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
      ...Array.from({ length: 6 }, (_, i) => `${'bcdefg'[i]}: &${'bcdefg'[i]} [${Array(10).fill(`*${'abcdef'[i]}`).join(',')}]`),
    ].join('\n')
    const [row] = await validateText(`name: ok\n---\n${bomb}\n`, { namedByNumber: false, name: 'previews/bomb.yaml' })
    expect(messageOf(row)).toMatch(
      /^the file previews\/bomb\.yaml holds a document at line 3 that cannot be expanded: its aliases stand for more than 100,000 values/,
    )
    const [broken] = await validateText('name: [\n', { namedByNumber: false, name: 'previews/broken.yaml' })
    expect(messageOf(broken)).toMatch(/^the file previews\/broken\.yaml is not valid YAML: /)
  })
})

describe('checking gives way to the event loop', () => {
  /** The longest a timer waited past its time while `work` ran: how long the event loop was blocked, at most. */
  async function longestBlock(work: () => Promise<unknown>): Promise<number> {
    let longest = 0
    let expected = performance.now() + 2
    const probe = setInterval(() => {
      const now = performance.now()
      longest = Math.max(longest, now - expected)
      expected = now + 2
    }, 2)
    try {
      await work()
    } finally {
      clearInterval(probe)
    }
    // A stretch that ran to the end of the work is one the probe did not see end.
    return Math.max(longest, performance.now() - expected)
  }

  // The pauses come every 20 ms, and the bench holds the longest block to 50 ms on a quiet machine. Here the bound
  // leaves room for a machine busy with other work, and the work is long enough to break it many times over without pauses.
  const BOUND_MS = 100
  it.each([
    ['one 150 KB document', 300, bigManifest(150 * 1024)],
    [
      'a 1 MiB file of 3,000 documents',
      30,
      Array.from(
        { length: 3000 },
        (_, i) =>
          `name: m-${i}\nml_repo: previews\nversion_alias: v0-pr\${PR_NUMBER}\nmetadata: {i: ${i}, text: "${'x'.repeat(250)}"}\nsource: {type: truefoundry}\n`,
      ).join('---\n'),
    ],
  ])('parses %s once, and checks it for %i pull requests without blocking the loop for long', async (_what, pullRequests, text) => {
    const slice = timeSlice()
    const parsed = await parseManifestFile(new TextEncoder().encode(text), 'big.yaml', { substituteEnv: true }, slice)
    const sources = [{ file: { absolute: '', relative: 'big.yaml', refusal: null }, parsed }]
    // What each pull request's check gave, in short: a sweep holds a batch's rows, not every one of the run's.
    const checked: { valid: boolean; alias: string | null }[] = []
    const block = await longestBlock(async () => {
      for (let number = 1; number <= pullRequests; number++) {
        const manifests = await validateFiles(
          sources,
          { env: { ...PULL_REQUEST, PR_NUMBER: String(number) }, namedByNumber: true },
          silentCore(),
          slice,
        )
        checked.push({ valid: manifests.every((manifest) => manifest.valid), alias: manifests.at(-1)!.version_alias })
      }
    })
    expect(checked.map(({ valid }) => valid)).toEqual(Array(pullRequests).fill(true))
    expect(checked.at(-1)!.alias).toBe(`v0-pr${pullRequests}`)
    expect(block).toBeLessThan(BOUND_MS)
  })
})
