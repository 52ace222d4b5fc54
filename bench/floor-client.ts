// The floors of cost per request: the least a client on this Node can spend
// sending the action's requests. Run as its own process, like the action:
//   node bench/floor-client.ts <http|fetch> <url> <token> <requests> <concurrency>
// `http` is node:http with a keep-alive agent; `fetch` is Node's built-in fetch (undici).
import http from 'node:http'
import { MANIFEST_KINDS } from '../src/manifests/kinds.ts'
import { manifest } from './workspace.ts'

const [kind, url, token, requestsText, concurrencyText] = process.argv.slice(2)
const requests = Number(requestsText)
const concurrency = Number(concurrencyText)
const endpoint = new URL(MANIFEST_KINDS['artifact-version'].endpoints['ml-v1']!, `${url}/`)
const headers = {
  accept: 'application/json',
  authorization: `Bearer ${token}`,
  'content-type': 'application/json',
  'user-agent': 'bench-floor',
}
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })

function viaHttp(body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(endpoint, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } })
    request.on('error', reject)
    request.on('response', (response) => {
      response.on('data', () => {})
      response.on('end', () => resolve(response.statusCode ?? 0))
      response.on('error', reject)
    })
    request.end(body)
  })
}

async function viaFetch(body: string): Promise<number> {
  const response = await fetch(endpoint, { method: 'POST', headers, body })
  await response.text()
  return response.status
}

const send = kind === 'fetch' ? viaFetch : viaHttp
let next = 0
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < requests) {
      const status = await send(JSON.stringify({ manifest: manifest(next++) }))
      if (status !== 200) throw new Error(`HTTP ${status}`)
    }
  }),
)
agent.destroy()
