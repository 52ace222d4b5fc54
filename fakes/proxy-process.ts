// A real CONNECT proxy (the npm `proxy` package) as its own process, for the
// proxy tests. Like a proxy with its own DNS, it resolves the names in
// PROXY_HOSTS (JSON: name → address), so a client that cannot resolve a name
// reaches it only through the proxy. It prints its port, then one JSON line
// per CONNECT it receives; every byte clients send it is appended to
// PROXY_CAPTURE. PROXY_REFUSE=1 makes it refuse every tunnel (407).
import { appendFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createProxy } from 'proxy'

const hosts = JSON.parse(process.env.PROXY_HOSTS ?? '{}') as Record<string, string>
const capture = process.env.PROXY_CAPTURE
const server = http.createServer()
server.on('connection', (socket) => {
  if (capture) socket.on('data', (chunk: Buffer) => appendFileSync(capture, chunk))
})
server.prependListener('connect', (request: http.IncomingMessage) => {
  console.log(JSON.stringify({ connect: request.url, headers: request.headers }))
  const [host, port] = [request.url!.slice(0, request.url!.lastIndexOf(':')), request.url!.slice(request.url!.lastIndexOf(':') + 1)]
  if (hosts[host]) request.url = `${hosts[host]}:${port}`
})
const proxy = createProxy(server)
if (process.env.PROXY_REFUSE === '1') proxy.authenticate = () => false
proxy.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (proxy.address() as AddressInfo).port })))
