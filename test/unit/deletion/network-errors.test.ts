import { describe, expect, test } from 'vitest'
import { describeNetworkError } from '../../../src/deletion/network-errors.ts'

describe('describeNetworkError: each network error says what happened and what to check', () => {
  const error = (code: string | undefined, message = `connect ${code ?? 'failed'}`) =>
    Object.assign(new Error(message), code ? { code } : {})
  test.each([
    ['ECONNRESET', null, 'the connection was reset (ECONNRESET)'],
    ['ECONNRESET', 'http://proxy:3128', 'the connection was reset (to the proxy http://proxy:3128) (ECONNRESET)'],
    ['UND_ERR_SOCKET', null, 'the connection closed before the response was complete (UND_ERR_SOCKET)'],
    ['ECONNREFUSED', null, 'the connection was refused (ECONNREFUSED): is control-plane-url right?'],
    [
      'ECONNREFUSED',
      'http://proxy:3128',
      'the connection was refused (to the proxy http://proxy:3128) (ECONNREFUSED): is HTTPS_PROXY / HTTP_PROXY right?',
    ],
    ['ENOTFOUND', null, 'the host name did not resolve (ENOTFOUND): is control-plane-url right?'],
    [
      'EAI_AGAIN',
      'http://proxy:3128',
      'the host name did not resolve (of the proxy http://proxy:3128) (EAI_AGAIN): is HTTPS_PROXY / HTTP_PROXY right?',
    ],
    ['UND_ERR_CONNECT_TIMEOUT', null, 'no connection in time (UND_ERR_CONNECT_TIMEOUT): is control-plane-url right?'],
    ['EHOSTUNREACH', null, 'network error: connect EHOSTUNREACH'],
    ['EPIPE', null, 'network error: write failed (EPIPE)'],
  ] as const)('%s (proxy %s)', (code, proxy, expected) => {
    const message = code === 'EPIPE' ? 'write failed' : undefined
    expect(describeNetworkError(error(code, message), proxy)).toBe(expected)
  })

  test('a proxy that refuses the tunnel', () => {
    expect(describeNetworkError(new Error('Proxy response (407) !== 200 when HTTP Tunneling'), 'http://proxy:3128')).toBe(
      'the proxy http://proxy:3128 refused to open a tunnel to the control plane (HTTP 407): check HTTPS_PROXY / HTTP_PROXY (and the user:password in it), or list the host in NO_PROXY',
    )
  })
})
