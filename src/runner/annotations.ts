import type { AnnotationProperties } from '@actions/core'

export type AnnotationKind = 'error' | 'warning' | 'notice'
export type Annotate = (kind: AnnotationKind, message: string, properties?: AnnotationProperties) => void

/** The runner shows this many annotations of each kind per step and drops the rest. */
export const ANNOTATIONS_SHOWN_PER_KIND = 10

/**
 * Passes annotations on to `emit`, at most `limit` of each kind. Past the
 * limit, the last slot goes to one annotation that counts the rest, so 140,000
 * broken documents print ten lines, not 140,000. The limit-th annotation is held
 * back until it is known whether the count must take its place; `finish`
 * emits whatever is held.
 */
export function capAnnotations(emit: Annotate, limit: number): { annotate: Annotate; finish: () => void } {
  const kinds: AnnotationKind[] = ['error', 'warning', 'notice']
  const state = new Map(kinds.map((kind) => [kind, { emitted: 0, held: null as Parameters<Annotate> | null, rest: 0 }]))
  return {
    annotate(kind, message, properties) {
      const counts = state.get(kind)!
      if (counts.emitted < limit - 1) {
        counts.emitted++
        emit(kind, message, properties)
      } else if (counts.held === null && counts.rest === 0) {
        counts.held = [kind, message, properties]
      } else {
        counts.rest += counts.held === null ? 1 : 2
        counts.held = null
      }
    },
    finish() {
      for (const [kind, counts] of state) {
        if (counts.held) emit(...counts.held)
        else if (counts.rest > 0) emit(kind, describeRest(kind, counts.rest), { title: `More ${kind}s` })
        state.set(kind, { emitted: 0, held: null, rest: 0 })
      }
    },
  }
}

function describeRest(kind: AnnotationKind, rest: number): string {
  // Never fewer than 2: one more would have taken the held slot.
  return `${rest.toLocaleString('en-US')} more ${kind}s like the ones above are not shown as annotations (a step shows ${ANNOTATIONS_SHOWN_PER_KIND} of each kind); the table in the log lists every manifest.`
}
