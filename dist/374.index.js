export const id = 374;
export const ids = [374];
export const modules = {

/***/ 8374:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createControlPlane: () => (/* reexport */ createControlPlane),
  openDeletions: () => (/* reexport */ openDeletions),
  templateUrl: () => (/* reexport */ templateUrl)
});

// EXTERNAL MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/results/result.js
var result = __webpack_require__(8820);
// EXTERNAL MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/runner/step-failure.js
var step_failure = __webpack_require__(8462);
// EXTERNAL MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/deletion/backoff.js
var backoff = __webpack_require__(4503);
// EXTERNAL MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/http/proxy.js
var proxy = __webpack_require__(5509);
// EXTERNAL MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/text/redact.js
var redact = __webpack_require__(8369);
// EXTERNAL MODULE: external "node:string_decoder"
var external_node_string_decoder_ = __webpack_require__(6193);
// EXTERNAL MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/http/certificates.js
var certificates = __webpack_require__(2825);
// EXTERNAL MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/text/format.js
var format = __webpack_require__(1379);
;// CONCATENATED MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/deletion/network-errors.js
// What a failed exchange with the control plane means, in words that say what
// to check: a certificate that is not trusted, or the network in the way.
function describeCertificateError(error, url) {
    const host = url.host;
    const what = error.code === 'ERR_TLS_CERT_ALTNAME_INVALID' || error.code === 'HOSTNAME_MISMATCH'
        ? `the certificate of ${host} is not for that name (${error.code}): check the host in control-plane-url`
        : error.code === 'CERT_HAS_EXPIRED' || error.code === 'CERT_NOT_YET_VALID'
            ? `the certificate of ${host} is outside its validity dates (${error.code}): the server's certificate needs renewing`
            : `the certificate of ${host} is not trusted (${error.code}: ${error.message})`;
    return `${what}. If the control plane uses a private CA, trust it with NODE_EXTRA_CA_CERTS=/path/to/ca.pem in the step's env. Not retried: a retry gets the same certificate`;
}
/** `proxy`: the proxy the request went through, without user-info; null when it went direct. */
function describeNetworkError(error, proxy) {
    const tunnel = /^Proxy response \((\d+)\)/.exec(error.message);
    if (tunnel) {
        return `the proxy ${proxy} refused to open a tunnel to the control plane (HTTP ${tunnel[1]}): check HTTPS_PROXY / HTTP_PROXY (and the user:password in it), or list the host in NO_PROXY`;
    }
    const via = proxy ? ` (to the proxy ${proxy})` : '';
    const check = proxy ? 'is HTTPS_PROXY / HTTP_PROXY right?' : 'is control-plane-url right?';
    switch (error.code) {
        case 'ECONNRESET':
            return `the connection was reset${via} (ECONNRESET)`;
        case 'UND_ERR_SOCKET':
            return `the connection closed before the response was complete${via} (UND_ERR_SOCKET)`;
        case 'ECONNREFUSED':
            return `the connection was refused${via} (ECONNREFUSED): ${check}`;
        case 'ENOTFOUND':
        case 'EAI_AGAIN':
            return `the host name did not resolve${proxy ? ` (of the proxy ${proxy})` : ''} (${error.code}): ${check}`;
        case 'UND_ERR_CONNECT_TIMEOUT':
            return `no connection in time${via} (UND_ERR_CONNECT_TIMEOUT): ${check}`;
        default:
            return `network error: ${error.message}${error.code && !error.message.includes(error.code) ? ` (${error.code})` : ''}`;
    }
}

;// CONCATENATED MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/deletion/post.js
// One request to the control plane over undici, as an Attempt: bounded by a
// timeout that covers the whole exchange (connecting, and a body that trickles
// in), cut short by an abort, and reading no more of a body than its cap: what a
// message needs of a delete's answer, a page of a listing whole or not at all.




/** Enough of a response body for a message; the rest is not read. */
const MESSAGE_CAP = { bytes: 64 * 1024, over: 'cut' };
/** Sends one request. Never rejects: failures come back as an Attempt. */
function requestOnce(exchange, outgoing, signal) {
    const { proxy, timeoutMs } = exchange;
    const { method, url, body, cap } = outgoing;
    return new Promise((resolve) => {
        let settled = false;
        /** Set once the request is written to a connection: from then on it may reach the server. */
        let sent = false;
        let abortRequest = null;
        let status = 0;
        let responseHeaders = {};
        const chunks = [];
        let received = 0;
        const settle = (attempt) => {
            if (settled)
                return;
            settled = true;
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            resolve(attempt);
            abortRequest?.(new Error('settled'));
        };
        const fail = (cause, reason) => settle({ kind: 'error', cause, sent, reason });
        const tooLarge = () => fail('too-large', `the answer is larger than ${(0,format/* formatBytes */.z3)(cap.bytes)}, the most the action reads of one`);
        const finish = (truncated) => {
            // Whole characters only: a cut inside one would hide the start of a secret from redaction.
            const text = new external_node_string_decoder_.StringDecoder('utf8').write(Buffer.concat(chunks));
            settle({ kind: 'response', status, headers: responseHeaders, body: exchange.redact(text, { truncated }) });
        };
        const onAbort = () => fail('cancelled', !sent
            ? 'cancelled before the request was sent'
            : method === 'GET'
                ? 'cancelled while the request was in flight'
                : 'cancelled while the request was in flight; the version may or may not be deleted');
        // Failed a turn of the event loop later: after a long synchronous stretch, timers run before the I/O that came meanwhile, and an answer already here must win.
        const timer = setTimeout(() => setImmediate(() => fail('network', sent
            ? `no complete response within ${(0,format/* formatSeconds */.Xo)(timeoutMs)} (request-timeout)`
            : `no connection within ${(0,format/* formatSeconds */.Xo)(timeoutMs)} (request-timeout)${proxy ? ` through the proxy ${proxy}` : ''}: is control-plane-url right?`)), timeoutMs);
        if (signal?.aborted)
            return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        // A handler of our own rather than undici's request(): only its onBodySent tells a request written from one never sent.
        const handler = {
            onConnect(abort) {
                if (settled)
                    return abort(new Error('settled'));
                abortRequest = abort;
                // Without a body there is no onBodySent: a connected request goes out with its headers, so from here it may reach the server.
                if (body === null)
                    sent = true;
            },
            onBodySent() {
                sent = true;
            },
            onHeaders(statusCode, rawHeaders) {
                status = statusCode;
                responseHeaders = pickHeaders(rawHeaders);
                if (cap.over === 'whole' && announcedLength(rawHeaders) > cap.bytes) {
                    tooLarge();
                    return false;
                }
                return true;
            },
            onData(chunk) {
                if (cap.over === 'whole' && received + chunk.length > cap.bytes) {
                    tooLarge();
                    return false;
                }
                if (cap.over === 'cut' && received + chunk.length >= cap.bytes) {
                    chunks.push(chunk.subarray(0, cap.bytes - received));
                    received = cap.bytes;
                    finish(true);
                    return false;
                }
                chunks.push(chunk);
                received += chunk.length;
                return true;
            },
            onComplete() {
                finish(false);
            },
            onError(error) {
                if (settled)
                    return;
                if ((0,certificates/* isCertificateError */.Y)(error))
                    return fail('certificate', describeCertificateError(error, url));
                fail('network', describeNetworkError(error, proxy));
            },
        };
        exchange.dispatcher
            .then((ready) => {
            if (!settled)
                ready.dispatch({
                    origin: url.origin,
                    path: `${url.pathname}${url.search}`,
                    method,
                    headers: body === null ? exchange.headers : { ...exchange.headers, 'content-type': 'application/json' },
                    body,
                }, handler);
        })
            .catch((error) => fail('network', describeNetworkError(error, proxy)));
    });
}
/** Location and Retry-After, the headers a judgement reads. */
function pickHeaders(raw) {
    const picked = {};
    for (let i = 0; i + 1 < raw.length; i += 2) {
        const name = raw[i].toString('latin1').toLowerCase();
        if ((name === 'location' || name === 'retry-after') && picked[name] === undefined)
            picked[name] = raw[i + 1].toString('utf8');
    }
    return picked;
}
/** The Content-Length a response announces, so a body over a cap is refused before it is read; 0 when none. */
function announcedLength(raw) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
        if (raw[i].toString('latin1').toLowerCase() === 'content-length')
            return Number(raw[i + 1].toString('latin1')) || 0;
    }
    return 0;
}

;// CONCATENATED MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/deletion/control-plane.js



/** What the endpoint check sends: no manifest, so nothing can be deleted, and a served endpoint refuses it (judgeEndpoint). */
const PROBE_BODY = '{}';
/** A page of a listing is read whole or refused: a page cut short would hide versions. 100 items of the largest manifests fit. */
const LISTING_CAP = { bytes: 8 * 1024 * 1024, over: 'whole' };
/**
 * The control plane's HTTP client: undici with a keep-alive pool of
 * `concurrency` connections, through the proxy proxyFor chooses (throws
 * ProxySettingError, at once, for a proxy variable that is not a proxy URL).
 * One request per attempt (post.ts). Redirects are never followed, so the
 * token goes only to the control plane's origin. A body is cut short, so the
 * token is taken out of it here; every other text is redacted where it is
 * stored or printed.
 */
function createControlPlane(options) {
    const base = new URL(options.url.href.endsWith('/') ? options.url.href : `${options.url.href}/`);
    base.username = '';
    base.password = '';
    const route = (0,proxy/* proxyFor */.iJ)(base);
    const exchange = {
        proxy: route?.shown ?? null,
        // Connected at the first request: a dry run or a run that stops at validation never loads undici.
        dispatcher: (0,proxy/* createDispatcher */.SM)(route, { connections: options.concurrency, connectTimeoutMs: options.timeoutMs }),
        headers: {
            accept: 'application/json',
            authorization: `Bearer ${options.token}`,
            'user-agent': 'truefoundry-artifact-cleanup',
        },
        timeoutMs: options.timeoutMs,
        redact: (0,redact/* createRedactor */.l)(options.token ? [options.token] : []),
    };
    const endpoint = (path) => new URL(path, base);
    const post = (path, body, signal) => requestOnce(exchange, { method: 'POST', url: endpoint(path), body, cap: MESSAGE_CAP }, signal);
    return {
        deleteVersion: post,
        probeEndpoint: (path, signal) => post(path, PROBE_BODY, signal),
        list(path, query, signal) {
            const url = endpoint(path);
            url.search = query.toString();
            return requestOnce(exchange, { method: 'GET', url, body: null, cap: LISTING_CAP }, signal);
        },
        deleteById: (path, signal) => requestOnce(exchange, { method: 'DELETE', url: endpoint(path), body: null, cap: MESSAGE_CAP }, signal),
        endpointUrl: (path) => endpoint(path).href,
        proxy: exchange.proxy,
        close: () => void exchange.dispatcher.then((ready) => ready.destroy()).catch(() => undefined),
    };
}

// EXTERNAL MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/manifests/kinds.js + 6 modules
var kinds = __webpack_require__(2600);
// EXTERNAL MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/text/excerpt.js
var excerpt = __webpack_require__(8655);
;// CONCATENATED MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/deletion/judgement.js


const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
/** Answers that say the server did not act on the request: a 404 after them means the version was never there. */
const NOT_PROCESSED_STATUS = new Set([408, 429]);
function judgeAttempt(attempt, context) {
    if (attempt.kind === 'error') {
        if (attempt.cause !== 'network')
            return { kind: 'failed', http_status: null, message: attempt.reason };
        return { kind: 'retryable', http_status: null, message: attempt.reason, retryAfterMs: null, mayHaveTakenEffect: attempt.sent };
    }
    const { status, headers, body } = attempt;
    if (status >= 200 && status < 300)
        return { kind: 'deleted', http_status: status, message: 'deleted' };
    if (status === 404) {
        if (context.afterRetryableFailure) {
            return { kind: 'deleted', http_status: 404, message: 'deleted: an earlier attempt that failed took effect (HTTP 404 on retry)' };
        }
        if (context.missingOk)
            return { kind: 'not-found', message: 'not found (HTTP 404): already gone' };
        return { kind: 'failed', http_status: 404, message: 'not found (HTTP 404), and missing-ok is false' };
    }
    if (status === 401 || status === 403) {
        return {
            kind: 'token-rejected',
            http_status: status,
            message: `the token was rejected (HTTP ${status}${detailSuffix(body)}); check the token input or TFY_API_KEY, and that it may delete artifact versions in this ML repo`,
        };
    }
    if (status === 422) {
        return { kind: 'invalid', http_status: 422, message: `the server refused the manifest (HTTP 422): ${validationDetail(body)}` };
    }
    const refusal = status === 400 && context.generation === 'svc-v1' ? httpErrorMessage(body) : null;
    if (refusal !== null)
        return { kind: 'invalid', http_status: 400, message: `the server refused the manifest (HTTP 400): ${refusal}` };
    if (status >= 300 && status < 400) {
        return {
            kind: 'failed',
            http_status: status,
            message: `redirected (HTTP ${status}) ${redirectTarget(headers)}; redirects are not followed, so the token goes only to control-plane-url: check the URL`,
        };
    }
    const message = `HTTP ${status}${detailSuffix(body)}`;
    if (RETRYABLE_STATUS.has(status)) {
        return {
            kind: 'retryable',
            http_status: status,
            message,
            retryAfterMs: (0,backoff/* parseRetryAfter */.mu)(headers['retry-after'], context.now),
            mayHaveTakenEffect: !NOT_PROCESSED_STATUS.has(status),
        };
    }
    return { kind: 'failed', http_status: status, message };
}
/**
 * Whether a failed attempt may still have deleted the version: a server error
 * that may have come after the work was done, or no answer to a request that
 * was written. A 408 or 429 says the request was not processed; a connection
 * refused, a name that did not resolve, a certificate refused or a timeout
 * while connecting mean it never left.
 */
function mayHaveTakenEffect(judgement) {
    return judgement.kind === 'retryable' && judgement.mayHaveTakenEffect;
}
/** `to <Location>` of a redirect, or that it had none. */
function redirectTarget(headers) {
    return headers.location ? `to ${headers.location}` : 'without a Location';
}
/** `: <excerpt>` of a body that says something, else nothing. */
function detailSuffix(body) {
    const text = (0,excerpt/* excerpt */.K)(body);
    return text ? `: ${text}` : '';
}
/**
 * The `message` of the svc server's HttpError body (`{statusCode, message}`),
 * the shape the generic endpoint refuses a manifest with; null for any other
 * body (a proxy's page is not the server's verdict on the manifest).
 */
function httpErrorMessage(body) {
    const json = (0,excerpt/* jsonObject */.o)(body);
    if (typeof json?.statusCode !== 'number' || typeof json.message !== 'string')
        return null;
    return (0,excerpt/* excerpt */.K)(json.message) || 'no detail given';
}
/** `loc: msg` for each entry of a FastAPI-style 422 body, or an excerpt of whatever came. */
function validationDetail(body) {
    const detail = (0,excerpt/* jsonObject */.o)(body)?.detail;
    if (Array.isArray(detail) && detail.length > 0) {
        return detail
            .map((entry) => {
            const loc = Array.isArray(entry?.loc) ? entry.loc.join('.') : '?';
            return `${loc}: ${typeof entry?.msg === 'string' ? entry.msg : JSON.stringify(entry)}`;
        })
            .join('; ');
    }
    return (0,excerpt/* excerpt */.K)(body) || 'no detail given';
}

;// CONCATENATED MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/deletion/endpoint-check.js


/** Answers that say no route is there, whatever the body says (a missing route and a missing version may both read {"detail":"Not Found"}). */
const NOT_SERVED_STATUS = new Set([404, 405]);
/** What a served endpoint answers a POST without a manifest, for messages. */
const SERVED_ANSWER = { 'ml-v1': '422', 'svc-v1': '400 or 422' };
/**
 * Judges the answer to a POST of `{}`. A per-kind endpoint (FastAPI) answers
 * 422. No source shows what the generic one answers: 422, or 400 with the svc
 * server's HttpError body (`{statusCode, message}`), as its reference presumes
 * and its Prism mock answers; a 400 with another body (a proxy's page) is not
 * taken for it. Anything else but an answer that asks for a retry means the
 * URL does not serve the endpoint.
 */
function judgeEndpoint(attempt, context) {
    const judgement = judgeAttempt(attempt, {
        missingOk: true,
        afterRetryableFailure: false,
        now: context.now,
        generation: context.generation,
    });
    if (attempt.kind === 'error') {
        return judgement.kind === 'retryable'
            ? { kind: 'retryable', message: attempt.reason, retryAfterMs: null }
            : { kind: 'refused', message: `${attempt.reason} (checking ${context.url})` };
    }
    if (attempt.status === 422)
        return { kind: 'served' };
    if (attempt.status === 400 && context.generation === 'svc-v1' && httpErrorMessage(attempt.body) !== null)
        return { kind: 'served' };
    if (judgement.kind === 'retryable')
        return { kind: 'retryable', message: judgement.message, retryAfterMs: judgement.retryAfterMs };
    if (judgement.kind === 'token-rejected') {
        return {
            kind: 'refused',
            message: `the token was rejected by ${context.url} (HTTP ${attempt.status}${detailSuffix(attempt.body)}); nothing was deleted. Check the token input or TFY_API_KEY`,
        };
    }
    const { status, headers, body } = attempt;
    const answer = status >= 300 && status < 400
        ? `was redirected (HTTP ${status}) ${redirectTarget(headers)}, which is not followed`
        : `was answered HTTP ${status}${detailSuffix(body)}`;
    const message = `${context.url} does not serve the ${endpointName(context.path)} endpoint: a POST without a manifest ${answer}, where the endpoint answers ${SERVED_ANSWER[context.generation]}; nothing was deleted. ` +
        checkTheUrl(context);
    return NOT_SERVED_STATUS.has(status) ? { kind: 'not-served', message, answer } : { kind: 'refused', message };
}
/** Why nothing is sent when neither generation serves a kind's endpoint (api auto asks both). */
function neitherServed([perKind, generic]) {
    return (`${perKind.url} does not serve the ${endpointName(perKind.path)} endpoint: a POST without a manifest ${perKind.answer}; ` +
        `nor does ${generic.url} serve the generic ${endpointName(generic.path)} endpoint (it ${generic.answer}); nothing was deleted. ` +
        `${checkTheUrl(perKind)}. The api setting is auto, which asks both generations (ml-v1 or svc-v1 asks only one)`);
}
function endpointName(path) {
    return path.split('/').filter(Boolean).at(-1) ?? path;
}
/** What to check when control-plane-url answers as no control plane does, with the base it likely meant. */
function checkTheUrl(endpoint) {
    return `Check control-plane-url (or TFY_HOST): it is the control plane's base URL, such as https://your-org.truefoundry.cloud${baseUrlHint(endpoint)}`;
}
/** When control-plane-url holds an API path (the whole endpoint URL, say), the base it likely meant. */
function baseUrlHint({ url, path }) {
    const base = new URL(url.slice(0, url.length - path.length));
    const api = base.pathname.indexOf('/api/');
    if (api < 0)
        return '';
    return `, not a URL of the API: here likely ${base.origin}${base.pathname.slice(0, api) || ''}`;
}
/**
 * Establishes that control-plane-url serves the endpoint: `probe` sends the
 * request that deletes nothing, retried as deletes are when nothing came back
 * or the server asked for a retry. `policy.signal` is the run's cancel.
 */
function checkEndpoint(probe, endpoint, policy) {
    const cancelled = () => policy.signal.aborted;
    return (0,backoff/* retrying */.R$)(async () => {
        if (cancelled())
            return { done: { kind: 'cancelled' } };
        const judgement = judgeEndpoint(await probe(policy.abortInFlight), { ...endpoint, now: policy.now() });
        if (judgement.kind === 'served')
            return { done: { kind: 'served' } };
        if (cancelled())
            return { done: { kind: 'cancelled' } };
        if (judgement.kind === 'refused' || judgement.kind === 'not-served')
            return { done: judgement };
        return { again: judgement.message, retryAfterMs: judgement.retryAfterMs };
    }, policy, (message, attempts) => ({
        kind: 'refused',
        message: `${endpoint.url} could not be reached: ${message} ${(0,backoff/* gaveUpAfter */.dE)(attempts)}; nothing was deleted`,
    }));
}

;// CONCATENATED MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/deletion/discovery.js
// Which endpoint deletes each kind on this control plane. TrueFoundry's SDKs
// and CLI moved to the generic /api/svc/v1/delete and nothing says whether a
// control plane still serves the per-kind endpoints the docs show, so with
// api auto the per-kind one is asked first (what the action always sent), then
// the generic one; an explicit api asks only its own.


/** The endpoints to ask for a kind (`endpoints`, its row's), in order; or why there is none, for a kind the pinned generation does not delete. */
function candidatesFor(type, endpoints, api) {
    const generations = api === 'auto' ? ['ml-v1', 'svc-v1'] : [api];
    const candidates = generations.flatMap((generation) => {
        const path = endpoints[generation];
        return path === null ? [] : [{ path, generation }];
    });
    if (candidates.length > 0)
        return candidates;
    return {
        refused: `The api setting is ${api}, whose per-kind endpoints do not delete ${type} manifests: only the generic ${endpoints['svc-v1']} does, which api svc-v1 or auto uses; nothing was deleted`,
    };
}
/**
 * Finds the endpoints as deletes first need them. `check` asks one endpoint
 * with the request that deletes nothing (checkEndpoint); `urlOf` gives an
 * endpoint's URL for messages. A kind the pinned generation does not delete
 * is refused before anything is asked.
 */
function openDiscovery(api, check, urlOf) {
    const checks = new Map();
    const routes = new Map();
    let previous = Promise.resolve(null);
    async function find(type, candidates) {
        const unserved = [];
        for (const candidate of candidates) {
            let checked = checks.get(candidate.path);
            if (!checked)
                checks.set(candidate.path, (checked = check(candidate)));
            const answer = await checked;
            if (answer.kind === 'served') {
                return {
                    kind: 'routed',
                    type,
                    path: candidate.path,
                    generation: candidate.generation,
                    unserved: unserved.map((endpoint) => endpoint.url),
                };
            }
            if (answer.kind !== 'not-served')
                return answer;
            unserved.push({ url: urlOf(candidate.path), path: candidate.path, answer: answer.answer });
            if (candidates.length === 1) {
                // With auto, one candidate means the kind has no per-kind endpoint: the URL may well be right, the kind needs the generic one.
                const why = api === 'auto'
                    ? `. The api setting is auto, but ${type} manifests have no per-kind endpoint: only the generic one deletes them`
                    : `. The api setting is ${api}, which asks only this endpoint (auto asks both generations)`;
                return { kind: 'refused', message: `${answer.message}${why}` };
            }
        }
        return { kind: 'refused', message: neitherServed(unserved) };
    }
    return {
        route(types) {
            const fresh = [...new Set(types)].filter((type) => !routes.has(type));
            const planned = fresh.map((type) => ({ type, candidates: candidatesFor(type, kinds/* MANIFEST_KINDS */.ak[type].endpoints, api) }));
            for (const { candidates } of planned) {
                if ('refused' in candidates)
                    return Promise.resolve([{ kind: 'refused', message: candidates.refused }]);
            }
            for (const { type, candidates } of planned) {
                // One kind after another: a refusal of the first spares the others a request.
                const route = previous.then((before) => (before === null || before.kind === 'routed' ? find(type, candidates) : before));
                routes.set(type, route);
                previous = route;
            }
            return Promise.all(types.map((type) => routes.get(type)));
        },
    };
}

;// CONCATENATED MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/deletion/send.js


const UNEXPECTED_STOP = 'the run stopped on an unexpected error';
/**
 * Sends every job, at most the pool's `concurrency` at a time, and tells
 * onSettled each outcome. A request waiting out its backoff gives its slot to
 * another; a retry goes before requests not yet started. A rejected token
 * stops everything: the next request would carry it too.
 */
async function runDeletions(jobs, options, deps, pool) {
    const { slots } = pool;
    /** A stop that holds for every later request of the run, not only this call's. */
    const stopRun = (reason) => {
        deps.onStop(reason);
        pool.stop(reason);
    };
    const onCancel = () => pool.stop('cancelled');
    if (options.cancel.aborted)
        onCancel();
    else
        options.cancel.addEventListener('abort', onCancel, { once: true });
    const policy = { ...options, random: deps.random, signal: pool.signal };
    function deleteOne(job) {
        let lastRetryable = null;
        let earlierMayHaveWorked = false;
        return (0,backoff/* retrying */.R$)(async (attempts) => {
            if (!(await slots.acquire(attempts > 1)))
                return { done: stopped(attempts - 1, lastRetryable) };
            let judgement;
            try {
                deps.onSending(job);
                const attempt = await deps.send(job, options.abortInFlight);
                judgement = judgeAttempt(attempt, {
                    missingOk: options.missingOk,
                    afterRetryableFailure: earlierMayHaveWorked,
                    now: deps.now(),
                    generation: deps.generation(job),
                });
                // Before the slot is freed: freed first, it would go to the next request, which would carry the rejected token too.
                if (judgement.kind === 'token-rejected')
                    stopRun(`the token was rejected (HTTP ${judgement.http_status})`);
            }
            catch (error) {
                // A defect (send never rejects): stopped before the slot is freed, like a rejected token.
                stopRun(UNEXPECTED_STOP);
                throw error;
            }
            finally {
                slots.release();
            }
            if (judgement.kind !== 'retryable')
                return { done: settledBy(judgement, attempts, lastRetryable) };
            lastRetryable = judgement;
            earlierMayHaveWorked ||= mayHaveTakenEffect(judgement);
            return { again: judgement, retryAfterMs: judgement.retryAfterMs };
        }, policy, (last, attempts) => ({
            status: 'failed',
            attempts,
            http_status: last.http_status,
            message: `${last.message} ${(0,backoff/* gaveUpAfter */.dE)(attempts)}`,
        }));
    }
    function stopped(attempts, last) {
        if (attempts === 0 || !last)
            return { status: 'skipped', attempts: 0, http_status: null, message: `not sent: ${pool.reason}` };
        return { status: 'failed', attempts, http_status: last.http_status, message: `${last.message}; not retried: ${pool.reason}` };
    }
    // An error thrown for one version (a defect: send never rejects) stops every
    // other before it is passed on, so nothing is sent after the run has ended.
    const errors = [];
    try {
        await Promise.all(jobs.map(async (job) => {
            try {
                deps.onSettled(job, await deleteOne(job));
            }
            catch (error) {
                errors.push(error);
                stopRun(UNEXPECTED_STOP);
            }
        }));
        if (errors.length > 0)
            throw errors[0];
    }
    finally {
        options.cancel.removeEventListener('abort', onCancel);
    }
}
/** The outcome of an attempt whose judgement ends the request. */
function settledBy(judgement, attempts, lastRetryable) {
    switch (judgement.kind) {
        case 'deleted': {
            const retried = lastRetryable && judgement.http_status !== 404
                ? ` after ${attempts - 1} ${attempts === 2 ? 'retry' : 'retries'} (last: ${lastRetryable.message})`
                : '';
            return { status: 'deleted', attempts, http_status: judgement.http_status, message: `${judgement.message}${retried}` };
        }
        case 'not-found':
            return { status: 'not-found', attempts, http_status: 404, message: judgement.message };
        case 'invalid':
            return { status: 'invalid', attempts, http_status: judgement.http_status, message: judgement.message };
        case 'failed':
        case 'token-rejected':
            return { status: 'failed', attempts, http_status: judgement.http_status, message: judgement.message };
    }
}

;// CONCATENATED MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/deletion/slots.js
/**
 * What the runDeletions calls of one run share: `concurrency` slots, so that a
 * batch's requests take the slots the batch before frees as soon as it frees
 * them, and one stop, which holds for every call, running or to come.
 */
class DeletionPool {
    slots;
    stopped = new AbortController();
    /** Why nothing more may be sent; empty until something says so. */
    reason = '';
    constructor(concurrency) {
        this.slots = new Slots(concurrency);
    }
    /** Aborted at the stop: ends the waits between attempts. */
    get signal() {
        return this.stopped.signal;
    }
    stop(reason) {
        if (this.stopped.signal.aborted)
            return;
        this.reason = reason;
        this.stopped.abort();
        this.slots.close();
    }
}
/** A counting semaphore whose waiters with priority go first; closing it turns every waiter away. */
class Slots {
    free;
    closed = false;
    priorityWaiting = [];
    normalWaiting = [];
    normalHead = 0;
    constructor(size) {
        this.free = size;
    }
    acquire(priority) {
        if (this.closed)
            return Promise.resolve(false);
        if (this.free > 0) {
            this.free--;
            return Promise.resolve(true);
        }
        return new Promise((grant) => (priority ? this.priorityWaiting : this.normalWaiting).push(grant));
    }
    release() {
        const next = this.priorityWaiting.shift() ?? this.nextNormal();
        if (next && !this.closed)
            next(true);
        else
            this.free++;
    }
    close() {
        this.closed = true;
        for (const grant of this.priorityWaiting.splice(0))
            grant(false);
        for (const grant of this.normalWaiting.splice(this.normalHead))
            grant(false);
        this.normalHead = 0;
        this.normalWaiting.length = 0;
    }
    /** O(1) dequeue for the long queue of requests not yet started. */
    nextNormal() {
        if (this.normalHead >= this.normalWaiting.length)
            return undefined;
        const next = this.normalWaiting[this.normalHead];
        this.normalWaiting[this.normalHead++] = undefined;
        if (this.normalHead > 1024 && this.normalHead * 2 > this.normalWaiting.length) {
            this.normalWaiting.splice(0, this.normalHead);
            this.normalHead = 0;
        }
        return next;
    }
}

;// CONCATENATED MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/deletion/deleter.js








/**
 * Opens the deletion stage. Nothing is sent until the first jobs come; then
 * the endpoint of each kind they are of (and only those) is found before its
 * first delete, each endpoint checked once (discovery.ts). A stop that
 * concerns every request (a rejected token, a failed endpoint check) holds for
 * later batches too: they are skipped, never sent.
 */
function openDeletions(options, deps, events) {
    const { core } = deps;
    const now = deps.now ?? Date.now;
    const random = deps.random ?? Math.random;
    const deletion = { ...options, backoff: deps.backoff ?? backoff/* DEFAULT_BACKOFF */.VU, cancel: deps.cancel, abortInFlight: deps.abortInFlight };
    const progressEvery = deps.progressIntervalMs ?? 10_000;
    let controlPlane = null;
    let discovery = null;
    /** The routes deletes went to, in the order first used, and the endpoints the log has named. */
    const used = [];
    const announcedPaths = new Set();
    /** Deletes by id, by the endpoint they go to (`\u2026/model-versions/{id}`): the kinds sent there, in the order first used. */
    const byId = new Map();
    /** One pool of slots for every batch: a batch's requests take the slots the one before frees, and a stop holds for all. */
    const pool = new DeletionPool(options.concurrency);
    /** Why nothing more may be sent, once something says so. */
    let stoppedBy = null;
    const progress = { last: now(), settled: 0, deleted: 0, failed: 0, total: 0 };
    const connect = () => (controlPlane ??= (deps.connect ?? createControlPlane)({
        url: options.controlPlane.url,
        token: options.controlPlane.token,
        timeoutMs: options.requestTimeoutMs,
        concurrency: options.concurrency,
    }));
    /** Each kind's endpoint, found once for the run, however the batches overlap. */
    const discover = (client) => {
        const policy = { ...deletion, signal: deps.cancel, random, now };
        return (discovery ??= openDiscovery(options.api, ({ path, generation }) => checkEndpoint((signal) => client.probeEndpoint(path, signal), { url: client.endpointUrl(path), path, generation }, policy), (path) => client.endpointUrl(path)));
    };
    const skipAll = (jobs, reason) => {
        for (const job of jobs)
            events.settled(job, { status: 'skipped', attempts: 0, http_status: null, message: `not sent: ${reason}` });
    };
    /** Names in the log where each kind newly routed goes, then the endpoints not named before. */
    function announce(client, routes) {
        for (const route of routes) {
            if (used.includes(route))
                continue;
            used.push(route);
            const unserved = route.unserved.length > 0 ? `, as ${route.unserved.join(' and ')} is not served` : '';
            core.info(`${route.type} manifests go to ${client.endpointUrl(route.path)}${unserved}.`);
        }
        const paths = [...new Set(routes.map((route) => route.path))].filter((path) => !announcedPaths.has(path));
        if (paths.length === 0)
            return;
        const via = client.proxy ? ` through the proxy ${client.proxy}` : '';
        const verb = announcedPaths.size === 0 ? 'Sending to' : 'Also sending to';
        core.info(`${verb} ${paths.map((path) => client.endpointUrl(path)).join(' and ')}${via}, ${options.concurrency} at a time, up to ${options.maxAttempts} attempts each.`);
        for (const path of paths)
            announcedPaths.add(path);
    }
    function settled(job, outcome) {
        events.settled(job, outcome);
        progress.settled++;
        if (outcome.status === 'deleted' || outcome.status === 'not-found')
            progress.deleted++;
        if ((0,result/* isFailure */.N6)(outcome.status))
            progress.failed++;
        if (now() - progress.last >= progressEvery && progress.settled < progress.total) {
            progress.last = now();
            core.info(`deleted ${progress.deleted}/${progress.total}, ${progress.failed} failed`);
        }
    }
    /** Names in the log the endpoints of deletes by id not named before: the listing found their generation, so none is checked. */
    function announceById(client, jobs) {
        for (const job of jobs) {
            if (!('byId' in job))
                continue;
            const endpoint = `${job.byId.path.slice(0, job.byId.path.lastIndexOf('/'))}/{id}`;
            const types = byId.get(endpoint);
            if (types?.includes(job.type))
                continue;
            if (!types) {
                const via = client.proxy ? ` through the proxy ${client.proxy}` : '';
                core.info(`Deleting by id: DELETE ${templateUrl(client, endpoint)}${via}, ${options.concurrency} at a time, up to ${options.maxAttempts} attempts each.`);
            }
            byId.set(endpoint, [...(types ?? []), job.type]);
        }
    }
    async function deleteJobs(jobs) {
        if (jobs.length === 0)
            return;
        if (stoppedBy !== null)
            return skipAll(jobs, stoppedBy);
        const client = connect();
        // A delete by id goes where the listing that found it was served; a delete by manifest, where its kind is routed.
        const types = [...new Set(jobs.flatMap((job) => ('body' in job ? [job.type] : [])))];
        const routes = types.length === 0 ? [] : await discover(client).route(types);
        for (const route of routes) {
            if (route.kind === 'cancelled')
                return skipAll(jobs, 'cancelled');
            if (route.kind === 'refused') {
                // The first batch to hear it fails the step; a batch waiting on the same check is skipped.
                const first = stoppedBy === null;
                stoppedBy = 'the endpoint check failed (see the error above)';
                skipAll(jobs, stoppedBy);
                if (first)
                    throw new step_failure/* StepFailure */.p(route.message);
                return;
            }
        }
        const routed = routes;
        announce(client, routed);
        announceById(client, jobs);
        const routeOf = new Map(routed.map((route) => [route.type, route]));
        progress.total += jobs.length;
        const send = (job, signal) => 'byId' in job ? client.deleteById(job.byId.path, signal) : client.deleteVersion(routeOf.get(job.type).path, job.body, signal);
        const generation = (job) => ('byId' in job ? job.byId.generation : routeOf.get(job.type).generation);
        const onStop = (reason) => void (stoppedBy = reason);
        const sending = (job) => events.sending(job);
        await runDeletions(jobs, deletion, { send, generation, now, random, onStop, onSending: sending, onSettled: settled }, pool);
    }
    function endpoints() {
        const byPath = new Map();
        for (const route of used)
            byPath.set(route.path, [...(byPath.get(route.path) ?? []), route.type]);
        return [...byPath, ...byId].map(([path, types]) => ({ path, types }));
    }
    return { delete: deleteJobs, endpoints, close: () => controlPlane?.close() };
}
/** The URL of an endpoint path below control-plane-url, a by-id one's `{id}` shown as written, not percent-encoded. */
function templateUrl(client, path) {
    return client.endpointUrl(path).replace('%7Bid%7D', '{id}');
}

;// CONCATENATED MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/deletion/deletion-stage.js
// What only a run that sends deletes needs: the control plane client, the
// endpoint discovery and check, the retries and the slots. The pipeline
// imports it when a live run opens the deletion stage, or retention its client,
// and the bundler splits it off into a chunk beside the bundle: a dry run never
// compiles it.




/***/ }),

/***/ 2825:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Y: () => (/* binding */ isCertificateError)
/* harmony export */ });
/** OpenSSL's verification failures, and Node's for a certificate that does not name the host. */
const CERTIFICATE_ERRORS = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|ERR_TLS_CERT_ALTNAME_INVALID$|HOSTNAME_MISMATCH$|INVALID_CA$|PATH_LENGTH_EXCEEDED$|INVALID_PURPOSE$)/;
function isCertificateError(error) {
    return typeof error.code === 'string' && CERTIFICATE_ERRORS.test(error.code);
}


/***/ }),

/***/ 5509:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   SM: () => (/* binding */ createDispatcher),
/* harmony export */   iJ: () => (/* binding */ proxyFor)
/* harmony export */ });
/* unused harmony export ProxySettingError */
/* harmony import */ var _actions_http_client_lib_proxy__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9783);
/* harmony import */ var _runner_step_failure_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8462);
// The proxy a request goes through, by one rule for every client of the run
// (the control plane's and GitHub's): the Actions toolkit's. An https:// URL
// uses https_proxy, else HTTPS_PROXY; an http:// one http_proxy, else
// HTTP_PROXY; no_proxy / NO_PROXY and loopback bypass it (@actions/http-client
// decides). A value that is not an http(s) URL is the user's mistake, named as such.
//
// Hand-written rather than undici's EnvHttpProxyAgent (undici 6), which differs
// from that rule where the tests pin it: it sends an https:// request through
// HTTP_PROXY when no HTTPS_PROXY is set; it reads `http_proxy ?? HTTP_PROXY`,
// so an empty lower-case variable hides the upper-case one; it matches no_proxy
// by its own rules, not checkBypass's, and proxies loopback; its ProxyAgent
// sends Proxy-Authorization only for a user *and* a password, not a user name
// alone; a bad value fails as Node's bare "Invalid URL", naming neither the
// variable nor what it must be (and the value, user-info included, rides on the
// error); it does not say which proxy a request took, which the log and the
// messages show; and it warns on stderr that it is experimental (UNDICI-EHPA).


/** A proxy variable that is not a proxy URL; the message names it and never shows its user-info. */
class ProxySettingError extends _runner_step_failure_js__WEBPACK_IMPORTED_MODULE_1__/* .StepFailure */ .p {
    name = 'ProxySettingError';
}
const SHAPE = 'an http:// or https:// URL such as http://proxy.example:3128, or http://user:password@proxy.example:3128';
/** The proxy for requests to `target`, or null when they go direct. Throws ProxySettingError for a value that is not a proxy URL. */
function proxyFor(target, env = process.env) {
    if ((0,_actions_http_client_lib_proxy__WEBPACK_IMPORTED_MODULE_0__/* .checkBypass */ .H)(target))
        return null;
    const names = target.protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy', 'HTTP_PROXY'];
    // An empty value counts as unset, as the toolkit reads it.
    const variable = names.find((name) => env[name]);
    if (variable === undefined)
        return null;
    const value = env[variable];
    const wrong = (what) => new ProxySettingError(`${variable} ${what}; it must be ${SHAPE}. Fix ${variable} in the step's env.`);
    if (value.trim() === '')
        throw wrong('is set to blank space');
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1];
    if (scheme === undefined)
        throw wrong('has no scheme (http:// or https://)');
    let url;
    try {
        url = new URL(value);
    }
    catch {
        throw wrong('is not a URL that can be read');
    }
    const origin = `${url.protocol}//${url.host}`;
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw wrong(`names a ${url.protocol.slice(0, -1)}:// proxy (${origin}), which is not supported`);
    if (!url.hostname)
        throw wrong('names no host');
    let user;
    let password;
    try {
        user = decodeURIComponent(url.username);
        password = decodeURIComponent(url.password);
    }
    catch {
        throw wrong(`(${origin}) has a user name or password whose %-escapes cannot be read`);
    }
    return {
        variable,
        shown: origin,
        uri: `${origin}/`,
        authorization: user || password ? `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` : null,
    };
}
/**
 * A dispatcher for requests through `route`, or direct without one. undici is
 * loaded here, not at start-up: a run that sends nothing never needs it.
 */
async function createDispatcher(route, pool) {
    const { Agent, ProxyAgent } = await Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 6752, 19));
    const options = { ...(pool.connections ? { connections: pool.connections } : {}), connect: { timeout: pool.connectTimeoutMs } };
    // The credentials go as a header of the proxy's own: undici reads a URL's user-info only when it has both a user and a password.
    return route
        ? new ProxyAgent({ ...options, uri: route.uri, ...(route.authorization ? { token: route.authorization } : {}) })
        : new Agent(options);
}


/***/ }),

/***/ 8655:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   K: () => (/* binding */ excerpt),
/* harmony export */   o: () => (/* binding */ jsonObject)
/* harmony export */ });
const EXCERPT_CHARS = 200;
/** A short, one-line piece of a response body for a message: a JSON `detail` or `message` when there is one. */
function excerpt(body) {
    const json = jsonObject(body);
    const chosen = typeof json?.detail === 'string' ? json.detail : typeof json?.message === 'string' ? json.message : body;
    const line = chosen.replace(/\s+/g, ' ').trim();
    return line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS)}\u2026` : line;
}
/** The body read as a JSON object; null when it is not one. */
function jsonObject(body) {
    try {
        const value = JSON.parse(body);
        return typeof value === 'object' && value !== null ? value : null;
    }
    catch {
        return null;
    }
}


/***/ })

};
