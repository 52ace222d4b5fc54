// A stand-in for the TrueFoundry control plane on loopback, for the demo and
// the tests. By default it serves the per-kind endpoints the API reference
// describes (POST /api/ml/v1/artifact-versions, /api/ml/v1/model-versions);
// it can serve instead, or as well, the generic POST /api/svc/v1/delete that
// TrueFoundry's CLI and SDKs call, which takes a manifest of any kind by its
// `type` (and refuses, with 422, one without). It checks the bearer token and
// the manifest against its kind's own schema (so a model sent to the artifact
// endpoint, or the other way round, is refused with 422, as the real one
// refuses it), answers 404 to an endpoint it does not serve, and records every
// request.
// It lists ML repos and versions and deletes a version by id too, on the
// generations it serves (fakes/stand-in-listing.ts), from `versions`.
// A body of `{}` (the action's endpoint check, which deletes nothing) is answered
// as FastAPI answers a body without its field, 422, and recorded apart, in
// `probes`, so `requests` holds only the deletes.
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { isManifestKind, KIND_NAMES, MANIFEST_KINDS, type ApiGeneration, type ManifestKind } from '../src/manifests/kinds.ts'
import { answerListing, createListingStore, type ListingOptions, type ListingStore } from './stand-in-listing.ts'

export interface RecordedRequest {
  /** When the request line arrived, in ms since the epoch (monotonic within a run). */
  arrivedAt: number
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  body: string
  manifest: Record<string, unknown> | null
}

/** Overrides the default answer for one request; return undefined to answer as usual. */
export type Script = (
  request: RecordedRequest,
  response: http.ServerResponse,
  index: number,
) => void | 'handled' | Promise<void | 'handled'>

export interface StandInOptions extends ListingOptions {
  token: string
  /** Versions that exist, as keys from versionKey() (`repo/name@3`, `model-version:repo/name@3`); a delete of one not here answers 404. */
  existing?: Iterable<string>
  script?: Script
  /** Serve https with this key and certificate (e.g. from fakes/private-ca.ts). */
  tls?: { key: string; cert: string }
  /** The host name in `url`; the server listens on 127.0.0.1 whatever it is. */
  urlHost?: string
  /** Overrides the answer to an endpoint check (a body of `{}`); return undefined to answer as usual. */
  probe?: Script
  /** Which generations of the API it serves: the per-kind endpoints (`ml-v1`, the default), the generic delete (`svc-v1`), or both. */
  serves?: ApiGeneration | 'both'
}

export interface StandIn {
  url: string
  server: http.Server
  /** Every request but the endpoint checks. */
  requests: RecordedRequest[]
  /** The endpoint checks: bodies of `{}`. */
  probes: RecordedRequest[]
  existing: Set<string>
  /** The ML repos and versions it lists, and deletes by id. */
  listing: ListingStore
  close(): Promise<void>
}

/** A version's key: `ml_repo/name@version` for an artifact version; the kind first for another, as in `model-version:ml_repo/name@v2`; `data-dir:ml_repo/name` for a data directory, which has no version. */
export function versionKey(manifest: Record<string, unknown>, kind: ManifestKind = 'artifact-version'): string {
  const named = `${String(manifest.ml_repo)}/${String(manifest.name)}`
  const key = MANIFEST_KINDS[kind].versioned ? `${named}@${String(manifest.version ?? manifest.version_alias)}` : named
  return kind === 'artifact-version' ? key : `${kind}:${key}`
}

const GENERIC_PATH = `/${MANIFEST_KINDS['artifact-version'].endpoints['svc-v1']}`

/** The kind whose per-kind endpoint `path` is, or undefined. */
function kindAt(path: string): ManifestKind | undefined {
  return KIND_NAMES.find(
    (kind) => MANIFEST_KINDS[kind].endpoints['ml-v1'] !== null && path === `/${MANIFEST_KINDS[kind].endpoints['ml-v1']}`,
  )
}

function parseManifest(body: string): Record<string, unknown> | null {
  try {
    return (JSON.parse(body) as { manifest?: Record<string, unknown> }).manifest ?? null
  } catch {
    return null
  }
}

function isProbe(body: string): boolean {
  try {
    const value: unknown = JSON.parse(body)
    return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0
  } catch {
    return false
  }
}

export async function startStandIn(options: StandInOptions): Promise<StandIn> {
  const requests: RecordedRequest[] = []
  const probes: RecordedRequest[] = []
  const existing = new Set(options.existing ?? [])
  const listing = createListingStore(options)
  const pages = new Map<string, number>()
  const serves = options.serves ?? 'ml-v1'
  const served: ApiGeneration[] = serves === 'both' ? ['ml-v1', 'svc-v1'] : [serves]
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const arrivedAt = performance.timeOrigin + performance.now()
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    const manifest = parseManifest(body)
    const recorded: RecordedRequest = { arrivedAt, method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, manifest }
    if (isProbe(body)) {
      const index = probes.push(recorded) - 1
      if (options.probe && (await options.probe(recorded, res, index)) === 'handled') return
      return answer(recorded, res)
    }
    const index = requests.push(recorded) - 1
    if (options.script && (await options.script(recorded, res, index)) === 'handled') return
    if (recorded.method === 'GET' || recorded.method === 'DELETE') {
      const target = new URL(recorded.path, 'http://stand-in')
      const authorized = recorded.headers.authorization === `Bearer ${options.token}`
      if (await answerListing({ method: recorded.method, target, authorized }, served, listing, options, pages, res)) return
    }
    answer(recorded, res)
  }
  // https.Server has every member of http.Server the tests use.
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => void handle(req, res)
  const server = options.tls ? (https.createServer(options.tls, listener) as unknown as http.Server) : http.createServer(listener)

  function answer(request: RecordedRequest, res: http.ServerResponse) {
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(payload))
    }
    const generic = serves !== 'ml-v1' && request.path === GENERIC_PATH
    const perKind = serves !== 'svc-v1' ? kindAt(request.path) : undefined
    if (request.method !== 'POST' || !(generic || perKind)) return send(404, { detail: 'Not Found' })
    if (request.headers.authorization !== `Bearer ${options.token}`) return send(401, { detail: 'Invalid API key' })
    if (!request.manifest) return send(422, { detail: [{ loc: ['body', 'manifest'], msg: 'Field required', type: 'missing' }] })
    // The generic endpoint's union has no discriminator: without a known `type`, no member is chosen.
    const kind = perKind ?? (isManifestKind(request.manifest.type) ? request.manifest.type : undefined)
    if (!kind) {
      const msg = request.manifest.type === undefined ? 'Field required' : 'matches no manifest type'
      return send(422, { detail: [{ loc: ['body', 'manifest', 'type'], msg, type: 'value_error' }] })
    }
    const { validate, label } = MANIFEST_KINDS[kind]
    if (!validate(request.manifest)) {
      const detail = (validate.errors ?? []).map((error) => ({
        loc: ['body', 'manifest', ...error.instancePath.split('/').filter(Boolean)],
        msg: error.message,
        type: 'value_error',
      }))
      return send(422, { detail })
    }
    const key = versionKey(request.manifest, kind)
    if (!existing.delete(key)) return send(404, { detail: `${label[0]!.toUpperCase()}${label.slice(1)} ${key} not found` })
    send(200, {})
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `${options.tls ? 'https' : 'http'}://${options.urlHost ?? '127.0.0.1'}:${port}`,
    server,
    requests,
    probes,
    existing,
    listing,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
