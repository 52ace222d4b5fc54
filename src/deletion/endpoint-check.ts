// Before the first delete to an endpoint: does control-plane-url serve it? A
// POST of `{}` deletes nothing, and the endpoint refuses it for want of a manifest.
import type { ApiGeneration } from '../manifests/kinds.ts'
import type { Attempt } from './post.ts'
import { gaveUpAfter, retrying, type RetryPolicy } from './backoff.ts'
import { detailSuffix, httpErrorMessage, judgeAttempt, redirectTarget } from './judgement.ts'

/** What the answer to a probe of an endpoint says about control-plane-url. */
export type EndpointJudgement =
  | { kind: 'served' }
  | { kind: 'retryable'; message: string; retryAfterMs: number | null }
  /** No such route here (404 or 405): with api auto, the other generation may serve it. `answer` is what came, for a message. */
  | { kind: 'not-served'; message: string; answer: string }
  /** Nothing may be sent: the URL answered as no endpoint does, the token was rejected, or the server is not trusted. */
  | { kind: 'refused'; message: string }

export interface EndpointContext {
  /** The endpoint URL the probe went to, without user-info. */
  url: string
  /** The endpoint's path below control-plane-url, e.g. api/ml/v1/artifact-versions. */
  path: string
  /** Which API generation the endpoint is of: what a served one answers differs. */
  generation: ApiGeneration
  now: number
}

/** Answers that say no route is there, whatever the body says (a missing route and a missing version may both read {"detail":"Not Found"}). */
const NOT_SERVED_STATUS = new Set([404, 405])

/** What a served endpoint answers a POST without a manifest, for messages. */
const SERVED_ANSWER: Record<ApiGeneration, string> = { 'ml-v1': '422', 'svc-v1': '400 or 422' }

/**
 * Judges the answer to a POST of `{}`. A per-kind endpoint (FastAPI) answers
 * 422. No source shows what the generic one answers: 422, or 400 with the svc
 * server's HttpError body (`{statusCode, message}`), as its reference presumes
 * and its Prism mock answers; a 400 with another body (a proxy's page) is not
 * taken for it. Anything else but an answer that asks for a retry means the
 * URL does not serve the endpoint.
 */
export function judgeEndpoint(attempt: Attempt, context: EndpointContext): EndpointJudgement {
  const judgement = judgeAttempt(attempt, {
    missingOk: true,
    afterRetryableFailure: false,
    now: context.now,
    generation: context.generation,
  })
  if (attempt.kind === 'error') {
    return judgement.kind === 'retryable'
      ? { kind: 'retryable', message: attempt.reason, retryAfterMs: null }
      : { kind: 'refused', message: `${attempt.reason} (checking ${context.url})` }
  }
  if (attempt.status === 422) return { kind: 'served' }
  if (attempt.status === 400 && context.generation === 'svc-v1' && httpErrorMessage(attempt.body) !== null) return { kind: 'served' }
  if (judgement.kind === 'retryable') return { kind: 'retryable', message: judgement.message, retryAfterMs: judgement.retryAfterMs }
  if (judgement.kind === 'token-rejected') {
    return {
      kind: 'refused',
      message: `the token was rejected by ${context.url} (HTTP ${attempt.status}${detailSuffix(attempt.body)}); nothing was deleted. Check the token input or TFY_API_KEY`,
    }
  }
  const { status, headers, body } = attempt
  const answer =
    status >= 300 && status < 400
      ? `was redirected (HTTP ${status}) ${redirectTarget(headers)}, which is not followed`
      : `was answered HTTP ${status}${detailSuffix(body)}`
  const message =
    `${context.url} does not serve the ${endpointName(context.path)} endpoint: a POST without a manifest ${answer}, where the endpoint answers ${SERVED_ANSWER[context.generation]}; nothing was deleted. ` +
    checkTheUrl(context)
  return NOT_SERVED_STATUS.has(status) ? { kind: 'not-served', message, answer } : { kind: 'refused', message }
}

/** An endpoint that was asked and is not served, as the check found it. */
export interface Unserved {
  url: string
  path: string
  answer: string
}

/** Why nothing is sent when neither generation serves a kind's endpoint (api auto asks both). */
export function neitherServed([perKind, generic]: [Unserved, Unserved]): string {
  return (
    `${perKind.url} does not serve the ${endpointName(perKind.path)} endpoint: a POST without a manifest ${perKind.answer}; ` +
    `nor does ${generic.url} serve the generic ${endpointName(generic.path)} endpoint (it ${generic.answer}); nothing was deleted. ` +
    `${checkTheUrl(perKind)}. The api setting is auto, which asks both generations (ml-v1 or svc-v1 asks only one)`
  )
}

function endpointName(path: string): string {
  return path.split('/').filter(Boolean).at(-1) ?? path
}

/** What to check when control-plane-url answers as no control plane does, with the base it likely meant. */
export function checkTheUrl(endpoint: { url: string; path: string }): string {
  return `Check control-plane-url (or TFY_HOST): it is the control plane's base URL, such as https://your-org.truefoundry.cloud${baseUrlHint(endpoint)}`
}

/** When control-plane-url holds an API path (the whole endpoint URL, say), the base it likely meant. */
function baseUrlHint({ url, path }: { url: string; path: string }): string {
  const base = new URL(url.slice(0, url.length - path.length))
  const api = base.pathname.indexOf('/api/')
  if (api < 0) return ''
  return `, not a URL of the API: here likely ${base.origin}${base.pathname.slice(0, api) || ''}`
}

export type EndpointCheck =
  | { kind: 'served' }
  | { kind: 'cancelled' }
  | { kind: 'not-served'; message: string; answer: string }
  | { kind: 'refused'; message: string }

/**
 * Establishes that control-plane-url serves the endpoint: `probe` sends the
 * request that deletes nothing, retried as deletes are when nothing came back
 * or the server asked for a retry. `policy.signal` is the run's cancel.
 */
export function checkEndpoint(
  probe: (signal: AbortSignal) => Promise<Attempt>,
  endpoint: Omit<EndpointContext, 'now'>,
  policy: RetryPolicy & { abortInFlight: AbortSignal; now: () => number },
): Promise<EndpointCheck> {
  const cancelled = () => policy.signal.aborted
  return retrying<EndpointCheck, string>(
    async () => {
      if (cancelled()) return { done: { kind: 'cancelled' } }
      const judgement = judgeEndpoint(await probe(policy.abortInFlight), { ...endpoint, now: policy.now() })
      if (judgement.kind === 'served') return { done: { kind: 'served' } }
      if (cancelled()) return { done: { kind: 'cancelled' } }
      if (judgement.kind === 'refused' || judgement.kind === 'not-served') return { done: judgement }
      return { again: judgement.message, retryAfterMs: judgement.retryAfterMs }
    },
    policy,
    (message, attempts) => ({
      kind: 'refused',
      message: `${endpoint.url} could not be reached: ${message} ${gaveUpAfter(attempts)}; nothing was deleted`,
    }),
  )
}
