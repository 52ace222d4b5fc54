// A private certificate authority made with openssl, as a company's would be,
// and server certificates it signs, for https stand-ins on loopback.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface PrivateCa {
  dir: string
  /** The CA's certificate file: what NODE_EXTRA_CA_CERTS names. */
  caFile: string
  /** A server key and certificate signed by the CA, for the names given (IP:… or DNS:…). */
  serverCertificate(names: string[], validity?: { days?: number; expired?: boolean }): Promise<{ key: string; cert: string }>
  /** A self-signed server key and certificate, signed by no CA. */
  selfSigned(names: string[]): Promise<{ key: string; cert: string }>
  remove(): Promise<void>
}

export async function createPrivateCa(): Promise<PrivateCa> {
  const dir = await mkdtemp(path.join(tmpdir(), 'private-ca-'))
  const file = (name: string) => path.join(dir, name)
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=Test Private CA',
  ])
  let serial = 0

  async function serverCertificate(names: string[], validity: { days?: number; expired?: boolean } = {}) {
    const name = `server-${++serial}`
    await writeFile(file(`${name}.ext`), `subjectAltName=${names.join(',')}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`)
    await run('openssl', [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
      '-subj',
      `/CN=${names[0]}`,
    ])
    if (validity.expired) {
      // openssl ca takes explicit dates; x509 -req does not (before 3.4).
      await writeFile(file('index.txt'), '')
      await writeFile(
        file('ca.cnf'),
        `[ca]\ndefault_ca=test\n[test]\ndatabase=${file('index.txt')}\nnew_certs_dir=${dir}\ncertificate=${file('ca.pem')}\nprivate_key=${file('ca.key')}\ndefault_md=sha256\npolicy=any\nrand_serial=yes\nunique_subject=no\n[any]\ncommonName=supplied\n`,
      )
      await run('openssl', [
        'ca',
        '-batch',
        '-config',
        file('ca.cnf'),
        '-in',
        file(`${name}.csr`),
        '-out',
        file(`${name}.pem`),
        '-extfile',
        file(`${name}.ext`),
        '-startdate',
        '20200101000000Z',
        '-enddate',
        '20200102000000Z',
        '-notext',
      ])
    } else {
      await run('openssl', [
        'x509',
        '-req',
        '-in',
        file(`${name}.csr`),
        '-CA',
        file('ca.pem'),
        '-CAkey',
        file('ca.key'),
        '-CAcreateserial',
        '-out',
        file(`${name}.pem`),
        '-days',
        String(validity.days ?? 2),
        '-extfile',
        file(`${name}.ext`),
      ])
    }
    return { key: await readFile(file(`${name}.key`), 'utf8'), cert: await readFile(file(`${name}.pem`), 'utf8') }
  }

  async function selfSigned(names: string[]) {
    const name = `self-${++serial}`
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.pem`),
      '-days',
      '2',
      '-subj',
      `/CN=${names[0]}`,
      '-addext',
      `subjectAltName=${names.join(',')}`,
    ])
    return { key: await readFile(file(`${name}.key`), 'utf8'), cert: await readFile(file(`${name}.pem`), 'utf8') }
  }

  return { dir, caFile: file('ca.pem'), serverCertificate, selfSigned, remove: () => rm(dir, { recursive: true, force: true }) }
}
