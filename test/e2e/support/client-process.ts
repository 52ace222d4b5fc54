// The control plane client in a process of its own, so NODE_EXTRA_CA_CERTS and
// the proxy variables are read as the action reads them, at start-up:
//   node test/e2e/support/client-process.ts <control-plane-url> <token> <body>
// prints {"proxy", "check", "attempt"} as JSON: the endpoint check's attempt, then the delete's.
import { createControlPlane } from '../../../src/deletion/control-plane.ts'
import { ARTIFACT_PATH } from '../../support/sample-manifests.ts'

const [url, token, body] = process.argv.slice(2)
const controlPlane = createControlPlane({ url: new URL(url!), token: token!, timeoutMs: 5000, concurrency: 2 })
const check = await controlPlane.probeEndpoint(ARTIFACT_PATH)
const attempt = await controlPlane.deleteVersion(ARTIFACT_PATH, body!)
console.log(JSON.stringify({ proxy: controlPlane.proxy, check, attempt }))
controlPlane.close()
