export const id = 251;
export const ids = [251];
export const modules = {

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

/***/ 1251:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  listClosedPullRequests: () => (/* reexport */ listClosedPullRequests)
});

// EXTERNAL MODULE: external "node:timers/promises"
var promises_ = __webpack_require__(8500);
// EXTERNAL MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/inputs/dialect.js
var dialect = __webpack_require__(1310);
// EXTERNAL MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/text/redact.js
var text_redact = __webpack_require__(8369);
;// CONCATENATED MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/targets/load-octokit.js
var __rewriteRelativeImportExtension = (undefined && undefined.__rewriteRelativeImportExtension) || function (path, preserveJsx) {
    if (typeof path === "string" && /^\.\.?\//.test(path)) {
        return path.replace(/\.(tsx)$|((?:\.d)?)((?:\.[^./]+?)?)\.([cm]?)ts$/i, function (m, tsx, d, ext, cm) {
            return tsx ? preserveJsx ? ".jsx" : ".js" : d && (!ext || !cm) ? m : (d + ext + "." + cm.toLowerCase() + "js");
        });
    }
    return path;
};
function loadOctokit() {
    const file = import.meta.url.endsWith('.ts') ? './octokit.ts' : './octokit.js';
    return import(__rewriteRelativeImportExtension(/* webpackIgnore: true */ new URL(file, import.meta.url).href, true));
}

;// CONCATENATED MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/targets/github-client.js

/** Answers plugin-retry leaves alone: errors no try changes, and rate limits, which plugin-throttling waits out. */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];
async function createGitHubClient(options) {
    const { attempts } = options;
    const { getOctokit, retry, throttling } = await loadOctokit();
    // The run's core redacts and escapes whatever it prints, Octokit's lines included.
    const write = (to) => (...parts) => to(parts.map((part) => (part instanceof Error ? part.message : String(part))).join(' '));
    // plugin-throttling awaits its handler and tries again when it resolves true; its type says void.
    const onRateLimit = (() => attempts.waitOutRateLimit());
    const log = { debug: write(options.log), info: write(options.log), warn: write(options.warn), error: write(options.warn) };
    return getOctokit(options.token, {
        baseUrl: options.api.href.replace(/\/$/, ''),
        userAgent: 'truefoundry-artifact-cleanup',
        log,
        // @octokit/request logs a deprecated API (headers and all) through request.log, else the console: never the console.
        request: { fetch: options.fetch, log },
        // The waits are the hooks' (judge, then pause): cancellable, bounded, and logged.
        retry: { retries: options.maxAttempts - 1, retryAfterBaseValue: 0, doNotRetry: DO_NOT_RETRY },
        throttle: { onRateLimit, onSecondaryRateLimit: onRateLimit, retryAfterBaseValue: 0 },
    }, 
    // First, so inside the other two: it sees every attempt.
    (kit) => kit.hook.wrap('request', async (request, requestOptions) => {
        attempts.begin();
        let response;
        try {
            response = await request(requestOptions);
        }
        catch (error) {
            throw await attempts.failed(error);
        }
        return attempts.checked(response);
    }), retry, throttling);
}

// EXTERNAL MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/http/proxy.js
var http_proxy = __webpack_require__(5509);
// EXTERNAL MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/text/format.js
var format = __webpack_require__(1379);
// EXTERNAL MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/text/user-info.js
var user_info = __webpack_require__(944);
// EXTERNAL MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/http/certificates.js
var certificates = __webpack_require__(2825);
;// CONCATENATED MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/targets/fetch-failure.js
// Every failure of a request to GitHub says whose it is: the network's (worth
// another try), the answer's (refused, not retried) or the action's own (the
// request could not be made).

class FetchFailure extends Error {
    name = 'FetchFailure';
    kind;
    constructor(kind, message) {
        super(message);
        this.kind = kind;
    }
}
/** What undici's fetch failed with, as the network's failure or the action's. */
function describeFetchError(error, url, proxy) {
    const cause = error.cause;
    const code = typeof cause?.code === 'string' ? cause.code : null;
    if (cause && code !== null && (0,certificates/* isCertificateError */.Y)({ code })) {
        return new FetchFailure('local', `the certificate of ${url.host} is not trusted (${code}: ${cause.message}). If GitHub Enterprise Server uses a private CA, trust it with NODE_EXTRA_CA_CERTS=/path/to/ca.pem in the step's env`);
    }
    if (cause && code !== null) {
        const via = proxy ? ` through the proxy ${proxy}` : '';
        return new FetchFailure('network', `no answer${via}: ${cause.message}${cause.message.includes(code) ? '' : ` (${code})`}`);
    }
    if (cause?.message === 'bad port') {
        return new FetchFailure('local', `fetch never connects to port ${url.port} (a "bad port" of the Fetch standard, kept for other protocols): GITHUB_API_URL must name another port`);
    }
    return new FetchFailure('local', cause?.message ? `${error.message}: ${cause.message}` : error.message);
}

;// CONCATENATED MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/targets/link-header.js
// Where GitHub says to go next: a Link header's targets (the next page) and
// a Location (a redirect), resolved against the URL they came with.
/**
 * The targets of a Link header whose relation types include `rel`, as RFC
 * 8288 writes them: several links, `rel` quoted or not, several relation types
 * in one (`rel="next last"`), any case, any whitespace, parameters in any
 * order; a second `rel` of a link is ignored, as the RFC says.
 */
function linkTargets(header, rel) {
    const wanted = rel.toLowerCase();
    const targets = [];
    let at = 0;
    while (at < header.length) {
        const open = header.indexOf('<', at);
        if (open < 0)
            break;
        const close = header.indexOf('>', open);
        if (close < 0)
            break;
        let end = close + 1;
        for (let quoted = false; end < header.length; end++) {
            const char = header[end];
            if (quoted && char === '\\')
                end++;
            else if (char === '"')
                quoted = !quoted;
            else if (!quoted && char === ',')
                break;
        }
        const relation = readParams(header.slice(close + 1, end)).get('rel');
        if (relation?.toLowerCase().split(/\s+/).includes(wanted))
            targets.push(header.slice(open + 1, close).trim());
        at = end + 1;
    }
    return targets;
}
/** `; name=value` parameters, names lowercased, values unquoted; the first of a name wins. */
function readParams(text) {
    const params = new Map();
    for (const [, name, quoted, token] of text.matchAll(/;\s*([^\s;=,"]+)\s*(?:=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;,"]*)))?/g)) {
        const key = name.toLowerCase();
        if (!params.has(key))
            params.set(key, quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (token ?? ''));
    }
    return params;
}
/** A Link target or a Location, relative to `base` (RFC 8288, 3.2; RFC 9110, 10.2.2); null when it cannot be read. */
function resolveTarget(text, base) {
    try {
        return new URL(text, base);
    }
    catch {
        return null;
    }
}

;// CONCATENATED MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/targets/github-fetch.js
// GitHub's REST API over HTTP, as Octokit's `request.fetch`: undici's fetch
// through the run's proxy, where every request stays under GITHUB_API_URL
// (redirects included: the token goes with them), each attempt is bounded in
// time (connecting, the answer, and a body that trickles in) and in the
// decoded size of its body (a huge page or a gzip bomb is cut short, not held),
// and every failure is a FetchFailure that says whose it is.





/** Redirects within GITHUB_API_URL followed for one request (GitHub's for a renamed repository is one). */
const MAX_REDIRECTS = 5;
/** The fetch, through the proxy the environment names for GITHUB_API_URL; `close` ends its connections. */
async function createGitHubFetch(options) {
    const { api, signal: cancel } = options;
    const proxy = (0,http_proxy/* proxyFor */.iJ)(api);
    const { fetch, Response: UndiciResponse } = await Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 6752, 19));
    const dispatcher = await (0,http_proxy/* createDispatcher */.SM)(proxy, { connectTimeoutMs: options.timeoutMs });
    /** The body read whole, up to the cap of decoded bytes: the answer Octokit parses can no longer fail half-read. */
    async function buffered(response) {
        const declared = Number(response.headers.get('content-length'));
        if (!response.headers.has('content-encoding') && declared > options.maxBodyBytes) {
            await response.body?.cancel().catch(() => undefined);
            throw tooLarge(`${(0,format/* formatBytes */.z3)(declared)} (content-length)`);
        }
        const chunks = [];
        let received = 0;
        if (response.body) {
            const reader = response.body.getReader();
            for (;;) {
                const { done, value } = await reader.read();
                if (done)
                    break;
                received += value.byteLength;
                if (received > options.maxBodyBytes) {
                    await reader.cancel().catch(() => undefined);
                    throw tooLarge(`more than ${(0,format/* formatBytes */.z3)(options.maxBodyBytes)}${response.headers.has('content-encoding') ? ' decoded' : ''}`);
                }
                chunks.push(value);
            }
        }
        const nullBody = response.status === 204 || response.status === 205 || response.status === 304;
        const copy = new UndiciResponse(nullBody ? null : Buffer.concat(chunks), {
            status: response.status,
            statusText: response.statusText,
            headers: response.headers,
        });
        // The URL it came from, which a copy loses: a relative Link target is resolved against it.
        Object.defineProperty(copy, 'url', { value: response.url });
        return copy;
    }
    function tooLarge(size) {
        return new FetchFailure('refused', `the answer's body is ${size}, past the ${(0,format/* formatBytes */.z3)(options.maxBodyBytes)} the sweep reads of one page (GitHub's pages of 100 pull requests come to a few MB)`);
    }
    const githubFetch = async (input, init = {}) => {
        const timeout = AbortSignal.timeout(options.timeoutMs);
        const signal = AbortSignal.any([cancel, timeout, ...(init.signal ? [init.signal] : [])]);
        let url = new URL(String(input));
        try {
            for (let redirects = 0;; redirects++) {
                if (!underApiRoot(url, api)) {
                    throw new FetchFailure('refused', `the request for ${(0,user_info/* shownUrl */.z)(url)} is outside GITHUB_API_URL (${api.href}), so it is not sent: ${options.tokenNamed} goes only there`);
                }
                const response = await fetch(url, { ...init, redirect: 'manual', signal, dispatcher });
                if (response.status < 300 || response.status >= 400 || response.status === 304)
                    return await buffered(response);
                await response.body?.cancel().catch(() => undefined);
                const location = response.headers.get('location');
                const target = location === null ? null : resolveTarget(location, url);
                if (target === null || !underApiRoot(target, api)) {
                    const where = location === null ? 'without a Location' : target === null ? 'to an address that cannot be read' : `to ${(0,user_info/* shownUrl */.z)(target)}`;
                    throw new FetchFailure('refused', `GitHub answered with a redirect (HTTP ${response.status}) ${where}, outside GITHUB_API_URL (${api.href}); it is not followed, so ${options.tokenNamed} goes only to GITHUB_API_URL`);
                }
                if (redirects === MAX_REDIRECTS)
                    throw new FetchFailure('refused', `GitHub redirected ${MAX_REDIRECTS + 1} times in a row (last to ${(0,user_info/* shownUrl */.z)(target)}); the sweep stops following`);
                url = target;
            }
        }
        catch (error) {
            if (error instanceof FetchFailure)
                throw error;
            if (cancel.aborted)
                throw new FetchFailure('cancelled', 'cancelled while the request was in flight');
            if (timeout.aborted)
                throw new FetchFailure('network', `no complete answer within ${(0,format/* formatSeconds */.Xo)(options.timeoutMs)} (request-timeout)`);
            throw describeFetchError(error, url, proxy?.shown ?? null);
        }
    };
    return { fetch: githubFetch, close: () => dispatcher.destroy().catch(() => undefined) };
}
/** Whether `url` is GITHUB_API_URL or below it: its origin, and a path under the API's (`api`'s path ends in `/`). */
function underApiRoot(url, api) {
    return url.origin === api.origin && !url.username && !url.password && `${url.pathname}/`.startsWith(api.pathname);
}

// EXTERNAL MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/runner/step-failure.js
var step_failure = __webpack_require__(8462);
;// CONCATENATED MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/targets/listing-error.js

/** Why listing pull requests stopped: a message for the user, printed (and redacted) by the run's core. */
class GitHubListingError extends step_failure/* StepFailure */.p {
    name = 'GitHubListingError';
}
/**
 * Ends the listing through Octokit's plugins, neither of which tries again:
 * it has no HTTP status, and plugin-retry reads from `request.request` that
 * it allows no retries.
 */
class Stop extends Error {
    failure;
    request = { request: {} };
    constructor(failure) {
        super(failure.message);
        this.failure = failure;
    }
}

;// CONCATENATED MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/targets/pull-request-items.js
function isPullRequestItem(value) {
    const item = value;
    return (typeof item === 'object' &&
        item !== null &&
        'number' in item &&
        typeof item.updated_at === 'string' &&
        (item.closed_at === null || typeof item.closed_at === 'string') &&
        (item.merged_at === null || typeof item.merged_at === 'string') &&
        typeof item.html_url === 'string' &&
        typeof item.head?.ref === 'string' &&
        typeof item.head?.sha === 'string');
}
/**
 * What one item of a page is, in the order that decides it: dates that can
 * be read, then whether it ends the pass (it was updated before `floor`),
 * then a number and a close before `startedAt`, when the listing began.
 */
function checkItem(item, floor, startedAt, redact) {
    const unreadable = !isDate(item.updated_at) ? 'updated_at' : item.closed_at !== null && !isDate(item.closed_at) ? 'closed_at' : null;
    if (unreadable)
        return { kind: 'refused', reason: `its ${unreadable}, ${shown(item[unreadable], redact)}, is not a date` };
    if (Date.parse(item.updated_at) < floor)
        return { kind: 'older' };
    const { number, closed_at: closedAt } = item;
    if (!isPullRequestNumber(number)) {
        return { kind: 'refused', reason: `its number, ${shown(number, redact)}, is not a whole number from 1 to ${Number.MAX_SAFE_INTEGER}` };
    }
    if (closedAt !== null && Date.parse(closedAt) > startedAt) {
        return {
            kind: 'refused',
            reason: `its closed_at, ${shown(closedAt, redact)}, is later than ${new Date(startedAt).toISOString()}, when the listing began (one closed during the sweep is swept by the next)`,
        };
    }
    return { kind: 'read', number, closedAt };
}
/** The warning for a refused pull request, and the key it is warned of once by. */
function refusal(item, reason, repository, redact) {
    const name = isPullRequestNumber(item.number) ? `#${item.number} (${shown(item.html_url, redact)})` : shown(item.html_url, redact);
    return {
        key: `${shown(item.number, redact)} ${item.html_url}`,
        warning: `GitHub listed a pull request of ${repository} that is not swept, and nothing is deleted for it: ${name}: ${reason}.`,
    };
}
function closedPullRequest(item, number, closedAt) {
    return {
        number,
        head_ref: item.head.ref,
        head_sha: item.head.sha,
        closed_at: closedAt,
        merged: item.merged_at !== null,
        html_url: item.html_url,
    };
}
/** A value from GitHub for a message: quoted, control characters escaped, cut short, and so redacted first. */
function shown(value, redact) {
    const text = redact(typeof value === 'bigint' ? String(value) : (JSON.stringify(value) ?? String(value)));
    return text.length > 100 ? `${text.slice(0, 100)}\u2026` : text;
}
function isDate(value) {
    return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}
/** What GitHub's numbers are: 1, 2, 3\u2026 A number JSON holds but an integer cannot (1e21, 1.5) is not one. */
function isPullRequestNumber(value) {
    return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

;// CONCATENATED MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/targets/listing-pass.js


const PER_PAGE = 100;
async function* readPass(pages, floor, passes) {
    const { progress, words, attempts, signal, maxPages } = passes;
    const seen = new Set();
    for (let page = 1;; page++) {
        if (signal.aborted)
            throw new GitHubListingError(words.cancelled('before asking GitHub', page));
        if (++progress.pagesRead > maxPages)
            throw new GitHubListingError(words.tooManyPages(maxPages, PER_PAGE));
        progress.startPage(page);
        let next;
        try {
            next = await pages.next();
        }
        catch (error) {
            throw attempts.stoppedBy(error);
        }
        if (next.done)
            return;
        const items = next.value.data;
        // Only these few fields live on while the caller works through them: GitHub's list items come to megabytes a page.
        const inWindow = [];
        let ended = false;
        let fresh = false;
        for (const item of items) {
            const verdict = checkItem(item, floor, passes.startedAt, passes.redact);
            if (verdict.kind === 'refused') {
                refuse(item, verdict.reason, passes);
                continue;
            }
            if (verdict.kind === 'older') {
                ended = true;
                break;
            }
            const { number, closedAt } = verdict;
            if (!seen.has(number))
                fresh = seen.add(number).size > 0;
            if (closedAt === null || Date.parse(closedAt) < passes.windowStart || progress.listed.has(number))
                continue;
            progress.listed.add(number);
            inWindow.push(closedPullRequest(item, number, closedAt));
        }
        yield inWindow;
        if (ended || next.value.headers.link === undefined)
            return;
        if (!fresh)
            throw new GitHubListingError(words.addsNothing(items.length === 0));
    }
}
function refuse(item, reason, passes) {
    const { key, warning } = refusal(item, reason, passes.repository, passes.redact);
    if (passes.progress.refused.has(key))
        return;
    passes.progress.refused.add(key);
    passes.warn(warning);
}

;// CONCATENATED MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/targets/listing-progress.js
/** Where the listing is and what it has listed: the state its passes, its hooks and its messages share. */
class ListingProgress {
    /** 1 for the pass that reads down to the window's start, then each pass again from the top. */
    pass = 1;
    page = 0;
    /** Attempts at this page, tries again after a failure or a rate limit included. */
    attempt = 0;
    /** Rate limits waited out for this page. */
    rateLimitWaits = 0;
    /** Rate limits without a time answered in a row for this page: each doubles the wait. */
    headerlessWaits = 0;
    /** Pages asked for, the passes together. */
    pagesRead = 0;
    /** Time spent waiting out rate limits, the passes together. */
    waitedMs = 0;
    // Numbers and short keys only, so these grow by a few bytes a pull request.
    /** Pull requests gone to the caller. */
    listed = new Set();
    /** Pull requests refused, so each is warned of once however many passes list it. */
    refused = new Set();
    startPage(page) {
        this.page = page;
        this.attempt = 0;
        this.rateLimitWaits = 0;
        this.headerlessWaits = 0;
    }
}

;// CONCATENATED MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/targets/listing-words.js

class ListingWords {
    /** `the pull requests of owner/repo`. */
    where;
    progress;
    api;
    dialect;
    constructor(progress, repository, api, dialect) {
        this.progress = progress;
        this.where = `the pull requests of ${repository}`;
        this.api = api;
        this.dialect = dialect;
    }
    /** The token as messages name what is sent. */
    get tokenNamed() {
        return this.dialect.githubToken.sent;
    }
    at(page = this.progress.page) {
        return this.progress.pass > 1 ? `page ${page} of the listing again from the top` : `page ${page}`;
    }
    /** How many pull requests went to the caller before the listing stopped: their versions are swept all the same. */
    listedSoFar() {
        const { size } = this.progress.listed;
        if (size === 0)
            return '';
        return ` ${size} closed ${size === 1 ? 'pull request was' : 'pull requests were'} listed and swept before this; the rest were not listed.`;
    }
    cancelled(when, page = this.progress.page) {
        return `Cancelled ${when} for ${this.at(page)} of ${this.where}; no more pull requests were listed.`;
    }
    tooManyPages(maxPages, perPage) {
        return `GitHub's answers for ${this.where} went on for more than ${maxPages} pages (${maxPages * perPage} pull requests) without leaving the window; the listing stops rather than read without end. Sweep fewer days with ${this.dialect.key('closed-within-days')}.`;
    }
    addsNothing(empty) {
        return `GitHub's ${this.at()} of ${this.where} ${empty ? 'is empty' : 'lists no pull request the pages before it did not'}, yet links to a next page; the listing stops rather than read pages without end.${this.listedSoFar()}`;
    }
    notAList(shown) {
        return `GitHub's answer for ${this.at()} of ${this.where} is not a list of pull requests: ${shown || 'an empty body'}. Is GITHUB_API_URL (${this.api.href}) GitHub's REST API?`;
    }
    nextOutside(shown) {
        return `GitHub's answer for ${this.at()} of ${this.where} points the next page outside GITHUB_API_URL (${this.api.href}): ${shown}. The listing stops rather than send ${this.tokenNamed} there.${this.listedSoFar()}`;
    }
    notSent(reason) {
        return `The request for ${this.at()} of ${this.where} could not be made: ${reason}. The fault is on the action's side (GITHUB_API_URL, ${this.dialect.key('github-token')} or the runner's settings), not GitHub's, so it was not tried again.`;
    }
    answerRefused(reason) {
        return `GitHub's answer for ${this.at()} of ${this.where} was refused: ${reason}.${this.listedSoFar()}`;
    }
    actionError(reason) {
        return `Listing ${this.where} stopped at ${this.at()} on an error of the action's own: ${reason}.${this.listedSoFar()}`;
    }
    failed(failure, detail) {
        const refusal = { detail, where: this.where, page: this.at(), host: this.api.host, listed: this.listedSoFar() };
        const later = this.progress.page > 1 || this.progress.pass > 1;
        const token = this.dialect.githubToken;
        switch (failure) {
            case 'token-rejected':
                return later ? token.noLongerAccepted(refusal) : token.rejected(refusal);
            case 'permission-missing':
                return later ? token.refusedLater(refusal) : token.mayNotRead(refusal);
            case 'unexpected-answer':
                return `GitHub answered ${detail} when listing ${this.where} (${this.at()}). Is GITHUB_API_URL (${this.api.href}) GitHub's REST API?${this.listedSoFar()}`;
        }
    }
    unavailable(attempts, detail) {
        return `GitHub's API at ${this.api.href} failed ${this.at()} of ${this.where} ${attempts} times (${detail}). Try again later; the sweep reads GITHUB_API_URL for the API's address.${this.listedSoFar()}`;
    }
    tryingAgain(detail, ms, attempts) {
        return `GitHub failed ${this.at()} of ${this.where} (${detail}): trying again in ${(0,format/* formatDuration */.a3)(ms)} (attempt ${this.progress.attempt + 1} of ${attempts}).`;
    }
    waiting(detail, ms) {
        return `GitHub's rate limit (${detail}): waiting ${(0,format/* formatDuration */.a3)(ms)} before ${this.at()} of ${this.where}.`;
    }
    rateLimitHeld(detail, waits) {
        return this.rateLimited(`${this.dialect.githubToken.rateLimit(detail)} held for ${waits} waits before ${this.at()} of ${this.where}.`);
    }
    rateLimitTooLong(detail, ms, maxWaitMs) {
        const left = maxWaitMs - this.progress.waitedMs;
        return this.rateLimited(`${this.dialect.githubToken.rateLimit(detail)} asks for a wait of ${(0,format/* formatDuration */.a3)(ms)} before ${this.at()} of ${this.where}, ` +
            `more than the ${(0,format/* formatDuration */.a3)(left)} left of the ${(0,format/* formatDuration */.a3)(maxWaitMs)} the sweep waits in all.`);
    }
    rateLimited(message) {
        return `${message} Run the sweep later, or when fewer workflows share the token.${this.listedSoFar()}`;
    }
}

// EXTERNAL MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/deletion/backoff.js
var backoff = __webpack_require__(4503);
// EXTERNAL MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/text/excerpt.js
var excerpt = __webpack_require__(8655);
;// CONCATENATED MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/targets/github-answers.js
// What GitHub's answers mean: an error judged as a rate limit to wait out, a
// failure to try again or one to stop at, following GitHub's "Best practices
// for using the REST API". Data in, data out.


/** x-ratelimit-reset as a decimal number of seconds, exponent allowed (1e20 says how long it asks for, not nothing). */
const EPOCH_SECONDS = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
/** GitHub's rule for a rate limit that names no time: at least a minute, longer on each repeat. */
const HEADERLESS_RATE_LIMIT_MS = 60_000;
/**
 * What to do after GitHub answered with an error, following GitHub's "Best
 * practices for using the REST API". A rate limit is a 429, or a 403
 * with retry-after, with x-ratelimit-remaining 0 (the primary limit) or with a
 * message that says it is one. It is waited out
 * for retry-after seconds when present; else until x-ratelimit-reset (epoch
 * seconds) when x-ratelimit-remaining is 0; else at least a minute, doubling on repeats.
 */
function judgeGitHubAnswer(answer, context) {
    const { status, headers, message } = answer;
    const detail = status === null ? message : `HTTP ${status}${message ? `: ${message}` : ''}`;
    if (status === null)
        return { kind: 'retry', detail };
    const exhausted = headers['x-ratelimit-remaining']?.trim() === '0';
    const retryAfterMs = (0,backoff/* parseRetryAfter */.mu)(headers['retry-after'], context.now);
    // GitHub answers a rate limit with 429, or with 403 and one of its signs; a 403 without them is a permission.
    if (status === 429 || (status === 403 && (retryAfterMs !== null || exhausted || /\brate limit\b/i.test(message)))) {
        if (retryAfterMs !== null)
            return { kind: 'wait', ms: retryAfterMs, headerless: false, detail: `${detail}; retry-after ${headers['retry-after']?.trim()}` };
        const resetText = headers['x-ratelimit-reset']?.trim() ?? '';
        // A decimal number only: Number() reads '' and blank space as 0 (a reset in 1970) and '0x10' as 16, times GitHub never named.
        const reset = EPOCH_SECONDS.test(resetText) ? Number(resetText) : Number.NaN;
        if (exhausted && Number.isFinite(reset)) {
            // A second past the reset: GitHub says to wait until after it, and clocks differ.
            const ms = Math.max(0, reset * 1000 - context.now) + 1000;
            const when = new Date(reset * 1000);
            return {
                kind: 'wait',
                ms,
                headerless: false,
                detail: `${detail}; resets at ${Number.isNaN(when.getTime()) ? `epoch second ${resetText}` : when.toISOString()}`,
            };
        }
        return { kind: 'wait', ms: HEADERLESS_RATE_LIMIT_MS * 2 ** context.headerlessWaits, headerless: true, detail };
    }
    if (status === 401)
        return { kind: 'fail', failure: 'token-rejected', detail };
    if (status === 403 || status === 404)
        return { kind: 'fail', failure: 'permission-missing', detail };
    if (status >= 500)
        return { kind: 'retry', detail };
    return { kind: 'fail', failure: 'unexpected-answer', detail };
}
/**
 * The error marked as plugin-throttling recognises a rate limit, so that it
 * calls waitOutRateLimit and tries again: it reads only x-ratelimit-remaining
 * 0 and a secondary limit's message, not GitHub's other signs (a 429 alone, a
 * 403 with retry-after), which would otherwise end the listing unexplained.
 */
function asRateLimit(error) {
    const headers = error?.response?.headers;
    if (headers)
        headers['x-ratelimit-remaining'] = '0';
    return error;
}
/** An Octokit RequestError (status, response headers and data) as data. */
function readFailure(error, redact) {
    const failure = error;
    const response = failure?.response;
    if (response && typeof response.status === 'number')
        return { status: response.status, headers: response.headers ?? {}, message: bodyExcerpt(response.data, redact) };
    return { status: null, headers: {}, message: `no answer: ${typeof failure?.message === 'string' ? failure.message : String(error)}` };
}
/**
 * A body for a message, redacted here because it is cut here: cut first, a
 * token's escaped form would lose the end that makes it recognisable.
 */
function bodyExcerpt(data, redact) {
    return (0,excerpt/* excerpt */.K)(redact(textOf(data)));
}
/** Octokit parses JSON with big integers as BigInt, which JSON.stringify refuses. */
function textOf(data) {
    if (typeof data === 'string')
        return data;
    return JSON.stringify(data, (_key, value) => (typeof value === 'bigint' ? String(value) : value)) ?? '';
}

;// CONCATENATED MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/targets/page-check.js






/** The page, its Link header reduced to the one next link the iterator reads; a Stop for a page the listing refuses. */
function checkedPage(response, api, words, redact) {
    const { data } = response;
    if (!Array.isArray(data) || !data.every(isPullRequestItem)) {
        throw new Stop(new GitHubListingError(words.notAList(bodyExcerpt(data, redact))));
    }
    const target = linkTargets(response.headers.link ?? '', 'next')[0];
    delete response.headers.link;
    if (target === undefined)
        return response;
    // A relative target is relative to the page it came with (RFC 8288, 3.2), not to GITHUB_API_URL.
    const url = resolveTarget(target, resolveTarget(response.url, api) ?? api);
    if (url === null || !underApiRoot(url, api)) {
        throw new Stop(new GitHubListingError(words.nextOutside(url === null ? 'an unreadable URL' : (0,user_info/* shownUrl */.z)(url))));
    }
    response.headers.link = `<${url.href}>; rel="next"`;
    return response;
}

;// CONCATENATED MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/targets/page-attempts.js
// What each attempt at a page comes to, as Octokit's hook and plugins see it:
// the page checked, or the failure judged and then tried again (plugin-retry),
// waited out (plugin-throttling) or made the listing's error (a Stop, which
// neither plugin tries again). The waits are here, cancellable, bounded and logged.





/** Longest time the listing spends waiting out rate limits in all; a wait beyond it fails at once. */
const MAX_WAIT_MS = 15 * 60_000;
/** Rate limits answered for one page before giving up, however short they are (a retry-after of 0 would loop). */
const MAX_RATE_LIMIT_WAITS = 10;
class PageAttempts {
    options;
    /** The rate limit the last attempt was answered with, for plugin-throttling's hook to wait out. */
    rateLimit = null;
    /** Why plugin-throttling was told not to try again: the listing's error. */
    held = null;
    constructor(options) {
        this.options = options;
    }
    begin() {
        this.options.progress.attempt++;
    }
    checked(response) {
        const { api, words, redact } = this.options;
        return checkedPage(response, api, words, redact);
    }
    /** What to throw for a failed attempt: a Stop, or the error itself for a plugin to try again (after the wait, done here). */
    async failed(error) {
        const { progress, words, signal, maxAttempts } = this.options;
        const cause = error?.cause;
        const failure = cause instanceof FetchFailure ? cause : null;
        if (signal.aborted || failure?.kind === 'cancelled')
            return stop(words.cancelled('while a request was in flight'));
        if (failure?.kind === 'local')
            return stop(words.notSent(failure.message));
        if (failure?.kind === 'refused')
            return stop(words.answerRefused(failure.message));
        const answer = failure ? { status: null, headers: {}, message: failure.message } : readFailure(error, this.options.redact);
        const verdict = judgeGitHubAnswer(answer, { now: this.options.clock(), headerlessWaits: progress.headerlessWaits });
        if (verdict.kind === 'fail')
            return stop(words.failed(verdict.failure, verdict.detail));
        if (verdict.kind === 'wait') {
            this.rateLimit = { ms: verdict.ms, headerless: verdict.headerless, detail: verdict.detail };
            return asRateLimit(error);
        }
        if (progress.attempt >= maxAttempts)
            return stop(words.unavailable(maxAttempts, verdict.detail));
        const ms = (0,backoff/* retryDelay */.a2)(progress.attempt, null, this.options.random, backoff/* DEFAULT_BACKOFF */.VU);
        this.options.log(words.tryingAgain(verdict.detail, ms, maxAttempts));
        try {
            await this.pause(ms, 'while waiting to try again');
        }
        catch (stopped) {
            return stopped;
        }
        return error;
    }
    /** plugin-throttling's hook for both kinds of rate limit: its own wait would truncate x-ratelimit-reset to 32 bits, and could not be cancelled. */
    async waitOutRateLimit() {
        const { progress, words } = this.options;
        const limit = this.rateLimit;
        this.rateLimit = null;
        if (limit === null)
            return false;
        if (++progress.rateLimitWaits > MAX_RATE_LIMIT_WAITS) {
            this.held = new GitHubListingError(words.rateLimitHeld(limit.detail, MAX_RATE_LIMIT_WAITS));
            return false;
        }
        if (progress.waitedMs + limit.ms > MAX_WAIT_MS) {
            this.held = new GitHubListingError(words.rateLimitTooLong(limit.detail, limit.ms, MAX_WAIT_MS));
            return false;
        }
        if (limit.headerless)
            progress.headerlessWaits++;
        progress.waitedMs += limit.ms;
        this.options.log(words.waiting(limit.detail, limit.ms));
        try {
            await this.pause(limit.ms, "while waiting out GitHub's rate limit");
        }
        catch (stopped) {
            if (!(stopped instanceof Stop))
                throw stopped;
            this.held = stopped.failure;
            return false;
        }
        progress.attempt = 0;
        return true;
    }
    /** The listing's error for what the page iterator threw. */
    stoppedBy(error) {
        const held = this.held;
        this.held = null;
        if (held)
            return held;
        if (error instanceof Stop)
            return error.failure;
        if (error instanceof GitHubListingError)
            return error;
        return new GitHubListingError(this.options.words.actionError(error instanceof Error ? error.message : String(error)));
    }
    async pause(ms, when) {
        const { signal } = this.options;
        try {
            await this.options.sleep(ms, signal);
        }
        catch (error) {
            if (signal.aborted)
                throw stop(this.options.words.cancelled(when));
            throw error;
        }
    }
}
function stop(message) {
    return new Stop(new GitHubListingError(message));
}

;// CONCATENATED MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/targets/closed-pull-requests.js
// The sweep's source of pull requests: those of a repository closed within a
// window, read from GitHub's REST API through Octokit (github-client.ts), page
// by page, as an async generator so memory stays flat however many there are.









const DAY_MS = 24 * 60 * 60 * 1000;
/** A page of 100 pull requests, with their two repository objects, comes to about 2 MB. */
const DEFAULT_MAX_PAGE_BYTES = 32 * 1024 * 1024;
/** 100,000 pull requests. */
const DEFAULT_MAX_PAGES = 1000;
/** How far GitHub's clock may be behind the runner's: a pass reads back this far before the one before began. */
const CLOCK_SKEW_MS = 5 * 60_000;
/**
 * The pull requests closed within `closedWithinDays` before `now`. Pages are
 * asked for sorted by `updated` descending, and a pull request's closed_at is
 * never after its updated_at, so the first one updated before the window ends
 * the first pass: no later page can hold one closed within it. A pull request
 * updated while the pages are read moves to the top, onto a page already
 * read, so the listing then reads again from the top, down to where the pass
 * before began, until a pass finds none it had not listed.
 */
async function* listClosedPullRequests(options) {
    const { owner, repo, signal } = options;
    const repository = `${owner}/${repo}`;
    const startedAt = options.now.getTime();
    const windowStart = startedAt - options.closedWithinDays * DAY_MS;
    const api = apiRoot(options.baseUrl);
    // Only for the texts the listing cuts short (an excerpt of a body, a value of GitHub's): the run's core redacts whatever it prints.
    const redact = (0,text_redact/* createRedactor */.l)([options.token]);
    const clock = options.clock ?? Date.now;
    const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
    const progress = new ListingProgress();
    const words = new ListingWords(progress, repository, api, options.dialect ?? dialect/* WORKFLOW_DIALECT */.Xn);
    // The proxy settings are checked before @actions/github loads: it builds its own agent from them as it loads.
    const github = await createGitHubFetch({
        api,
        signal,
        timeoutMs: options.requestTimeoutMs,
        maxBodyBytes: options.maxPageBytes ?? DEFAULT_MAX_PAGE_BYTES,
        tokenNamed: words.tokenNamed,
    });
    try {
        const attempts = new PageAttempts({
            progress,
            words,
            api,
            redact,
            signal,
            maxAttempts: options.maxAttempts,
            log: options.log,
            sleep: options.sleep ?? ((ms, abort) => (0,promises_.setTimeout)(ms, undefined, { signal: abort })),
            clock,
            random: options.random ?? Math.random,
        });
        const octokit = await createGitHubClient({ ...options, api, fetch: github.fetch, attempts });
        const passes = { progress, words, attempts, signal, startedAt, windowStart, maxPages, redact, warn: options.warn, repository };
        for (let floor = windowStart;; progress.pass++) {
            const passStartedAt = clock();
            let found = 0;
            const pages = octokit.paginate.iterator('GET /repos/{owner}/{repo}/pulls', {
                owner,
                repo,
                state: 'closed',
                sort: 'updated',
                direction: 'desc',
                per_page: PER_PAGE,
            });
            for await (const inWindow of readPass(pages[Symbol.asyncIterator](), floor, passes)) {
                found += inWindow.length;
                yield* inWindow;
            }
            if (progress.pass > 1 && found === 0)
                return;
            floor = passStartedAt - CLOCK_SKEW_MS;
        }
    }
    finally {
        await github.close();
    }
}
/** GITHUB_API_URL as a URL whose path ends in `/`, so a prefix test on paths is exact. */
function apiRoot(baseUrl) {
    const url = new URL(baseUrl);
    if (!url.pathname.endsWith('/'))
        url.pathname += '/';
    return url;
}

;// CONCATENATED MODULE: ./node_modules/.cache/truefoundry-cleanup-build/src/targets/sweep-listing.js
// What only a sweep runs: the listing of the repository's closed pull
// requests. batches.ts imports it when a sweep begins, and the bundler splits
// it off into a chunk beside the bundle; Octokit, which the listing loads in
// turn, is a bundle of its own (octokit.ts).



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
