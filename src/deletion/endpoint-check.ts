// Before the first delete to an endpoint: does control-plane-url serve it? A
// POST of `{}` deletes nothing, and the endpoint refuses it with 422 (no manifest).
import type { Attempt } from './post.ts'
import { gaveUpAfter, retrying, type RetryPolicy } from './backoff.ts'
import { detailSuffix, judgeAttempt, redirectTarget } from './judgement.ts'

/** What the answer to a probe of an endpoint says about control-plane-url. */
export type EndpointJudgement =
  | { kind: 'served' }
  | { kind: 'retryable'; message: string; retryAfterMs: number | null }
  /** Nothing may be sent: the URL does not serve the endpoint, the token was rejected, or the server is not trusted. */
  | { kind: 'refused'; message: string }

export interface EndpointContext {
  /** The endpoint URL the probe went to, without user-info. */
  url: string
  /** The endpoint's path below control-plane-url, e.g. api/ml/v1/artifact-versions. */
  path: string
  now: number
}

/**
 * Judges the answer to a POST of `{}`. Anything but 422 or an answer that asks
 * for a retry means the URL does not serve the endpoint, whatever the body says
 * (a missing route and a missing version may both read {"detail":"Not Found"}).
 */
export function judgeEndpoint(attempt: Attempt, context: EndpointContext): EndpointJudgement {
  const judgement = judgeAttempt(attempt, { missingOk: true, afterRetryableFailure: false, now: context.now })
  if (attempt.kind === 'error') {
    return judgement.kind === 'retryable'
      ? { kind: 'retryable', message: attempt.reason, retryAfterMs: null }
      : { kind: 'refused', message: `${attempt.reason} (checking ${context.url})` }
  }
  if (attempt.status === 422) return { kind: 'served' }
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
  return {
    kind: 'refused',
    message:
      `${context.url} does not serve the ${endpointName(context.path)} endpoint: a POST without a manifest ${answer}, where the endpoint answers 422; nothing was deleted. ` +
      `Check control-plane-url (or TFY_HOST): it is the control plane's base URL, such as https://your-org.truefoundry.cloud${baseUrlHint(context)}`,
  }
}

function endpointName(path: string): string {
  return path.split('/').filter(Boolean).at(-1) ?? path
}

/** When control-plane-url holds an API path (the whole endpoint URL, say), the base it likely meant. */
function baseUrlHint({ url, path }: EndpointContext): string {
  const base = new URL(url.slice(0, url.length - path.length))
  const api = base.pathname.indexOf('/api/')
  if (api < 0) return ''
  return `, not a URL of the API: here likely ${base.origin}${base.pathname.slice(0, api) || ''}`
}

export type EndpointCheck = { kind: 'served' } | { kind: 'cancelled' } | { kind: 'refused'; message: string }

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
      if (judgement.kind === 'refused') return { done: { kind: 'refused', message: judgement.message } }
      return { again: judgement.message, retryAfterMs: judgement.retryAfterMs }
    },
    policy,
    (message, attempts) => ({
      kind: 'refused',
      message: `${endpoint.url} could not be reached: ${message} ${gaveUpAfter(attempts)}; nothing was deleted`,
    }),
  )
}
