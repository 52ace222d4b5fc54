import { describe, expect, it } from 'vitest'
import { ANNOTATIONS_SHOWN_PER_KIND, capAnnotations, type AnnotationKind } from '../../../src/runner/annotations.ts'

function recorder() {
  const emitted: { kind: AnnotationKind; message: string; title: string | undefined }[] = []
  const cap = capAnnotations(
    (kind, message, properties) => void emitted.push({ kind, message, title: properties?.title }),
    ANNOTATIONS_SHOWN_PER_KIND,
  )
  return { emitted, ...cap }
}

describe('capAnnotations', () => {
  it('passes up to 10 of a kind on unchanged', () => {
    const { emitted, annotate, finish } = recorder()
    for (let i = 0; i < 10; i++) annotate('error', `e${i}`, { title: 'Invalid' })
    finish()
    expect(emitted.map((annotation) => annotation.message)).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`))
  })

  it('past 10, shows 9 and one that counts the rest, per kind', () => {
    const { emitted, annotate, finish } = recorder()
    for (let i = 0; i < 140_000; i++) annotate('error', `e${i}`)
    for (let i = 0; i < 11; i++) annotate('warning', `w${i}`)
    annotate('notice', 'n0')
    finish()
    const errors = emitted.filter((annotation) => annotation.kind === 'error')
    expect(errors).toHaveLength(10)
    expect(errors.slice(0, 9).map((annotation) => annotation.message)).toEqual(Array.from({ length: 9 }, (_, i) => `e${i}`))
    expect(errors[9]).toEqual({
      kind: 'error',
      title: 'More errors',
      message:
        '139,991 more errors like the ones above are not shown as annotations (a step shows 10 of each kind); the table in the log lists every manifest.',
    })
    expect(emitted.filter((annotation) => annotation.kind === 'warning').at(-1)!.message).toMatch(/^2 more warnings like/)
    expect(emitted.filter((annotation) => annotation.kind === 'notice')).toEqual([{ kind: 'notice', message: 'n0', title: undefined }])
  })

  it('shows the tenth itself when no eleventh comes, and counts two when one does', () => {
    const { emitted, annotate, finish } = recorder()
    for (let i = 0; i < 11; i++) annotate('warning', `w${i}`)
    finish()
    expect(emitted.at(-1)!.message).toMatch(/^2 more warnings/)
    const single = recorder()
    for (let i = 0; i < 10; i++) single.annotate('warning', `w${i}`)
    single.finish()
    expect(single.emitted.at(-1)!.message).toBe('w9')
  })
})
