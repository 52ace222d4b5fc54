import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { COMMAND_LINE_DIALECT, INPUT_NAMES, type InputName } from '../../../src/inputs/dialect.ts'
import { getInputs, type ControlPlaneInputs, type Inputs } from '../../../src/inputs/get-inputs.ts'
import { InputError } from '../../../src/inputs/input-error.ts'

const TOKEN = 'tfy-secret-4f9a1c'

interface Given {
  inputs?: Partial<Record<InputName, string>>
  env?: NodeJS.ProcessEnv
}

/** getInputs as the runner calls it: '' for every input not given. */
function read({ inputs = {}, env = {} }: Given = {}) {
  const secrets: string[] = []
  const source = {
    read: (name: InputName) => inputs[name] ?? '',
    env,
    registerSecret: (secret: string) => void secrets.push(secret),
  }
  return { secrets, get: () => getInputs(source) }
}

/** Enough to delete: everything else left to its default. */
const minimal = { 'manifest-path': '.truefoundry/*.yaml', 'control-plane-url': 'https://acme.truefoundry.cloud', token: TOKEN }

function inputsWith(overrides: Partial<Record<InputName, string>>, env: NodeJS.ProcessEnv = {}): Inputs {
  return read({ inputs: { ...minimal, ...overrides }, env }).get()
}

function live(inputs: Inputs): ControlPlaneInputs {
  if (inputs.dryRun) throw new Error('expected a live run')
  return inputs.controlPlane
}

function errorFor(overrides: Partial<Record<InputName, string>>, env: NodeJS.ProcessEnv = {}): InputError {
  try {
    inputsWith(overrides, env)
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return error as InputError
  }
  throw new Error(`expected ${JSON.stringify(overrides)} to be refused`)
}

describe('getInputs', () => {
  it('applies the defaults to inputs left empty', () => {
    expect(inputsWith({})).toEqual({
      manifestPatterns: ['.truefoundry/*.yaml'],
      controlPlane: { url: new URL('https://acme.truefoundry.cloud'), token: TOKEN },
      dryRun: false,
      failOnError: true,
      ifNoFilesFound: 'warn',
      api: 'auto',
      missingOk: true,
      maxAttempts: 5,
      requestTimeoutMs: 30_000,
      concurrency: 4,
      substituteEnv: false,
      sweep: null,
      retention: null,
    })
  })

  describe('retention-rules', () => {
    const rules = { 'manifest-path': '', 'retention-rules': '.truefoundry/retention.yaml\n# old\n' }

    it('reads the rule patterns in place of manifest-path, with max-deletions', () => {
      expect(inputsWith(rules)).toMatchObject({
        manifestPatterns: [],
        retention: { rulePatterns: ['.truefoundry/retention.yaml'], maxDeletions: 100 },
      })
      expect(inputsWith({ ...rules, 'max-deletions': '5000' }).retention).toEqual({
        rulePatterns: ['.truefoundry/retention.yaml'],
        maxDeletions: 5000,
      })
    })

    it('refuses them beside manifest-path or closed-within-days, saying to use two steps', () => {
      expect(errorFor({ ...rules, 'manifest-path': '*.yaml' }).message).toBe(
        'Input "retention-rules" and "manifest-path" were both given: a step either applies retention rules or deletes what manifests name. Use two steps, one for each.',
      )
      expect(errorFor({ ...rules, 'closed-within-days': '7' }).message).toMatch(
        /^Input "retention-rules" and "closed-within-days" were both given: .* for closed pull requests\. Use two steps/,
      )
    })

    it('takes max-deletions from 1 to 100,000 whole, and checks it in every mode', () => {
      for (const bad of ['0', '100001', '1.5', 'all', '-3'])
        expect(errorFor({ ...rules, 'max-deletions': bad }).message).toMatch(/^Input "max-deletions"/)
      expect(errorFor({ 'max-deletions': 'many' }).message).toMatch(/^Input "max-deletions"/)
    })

    it('needs the control plane in a dry run too: the rules list what they select', () => {
      const dry = { ...rules, 'dry-run': 'true' }
      expect(errorFor({ ...dry, 'control-plane-url': '' }).message).toMatch(
        /Retention rules list the versions on the control plane, in a dry run too/,
      )
      expect(errorFor({ ...dry, token: '' }).message).toMatch(/Retention rules list the versions on the control plane, in a dry run too\.$/)
      expect(inputsWith(dry)).toMatchObject({ dryRun: true, controlPlane: { token: TOKEN } })
    })

    it('says a pattern list of exclusions alone is what it is, by the input that has it', () => {
      expect(errorFor({ ...rules, 'retention-rules': '!a.yaml' }).message).toMatch(/^Input "retention-rules" has only exclusions/)
    })
  })

  it('reads manifest-path as one pattern per line, without blanks and comments', () => {
    const inputs = inputsWith({ 'manifest-path': '  a/*.yaml \r\n\n# old ones\n!a/keep.yaml\n' })
    expect(inputs.manifestPatterns).toEqual(['a/*.yaml', '!a/keep.yaml'])
  })

  it('requires manifest-path, and a pattern in it that includes files', () => {
    expect(errorFor({ 'manifest-path': '\n  \n' }).message).toMatch(/^Input "manifest-path" is required/)
    expect(errorFor({ 'manifest-path': '!a.yaml' }).message).toMatch(/^Input "manifest-path" has only exclusions/)
  })

  it('accepts the spellings of true and false YAML gives, and values padded with spaces', () => {
    expect(inputsWith({ 'dry-run': 'True', 'fail-on-error': 'FALSE', 'missing-ok': ' false ' })).toMatchObject({
      dryRun: true,
      failOnError: false,
      missingOk: false,
    })
  })

  it.each([
    ['if-no-files-found', 'fail', 'Input "if-no-files-found" must be one of warn, error, ignore, got "fail".'],
    ['api', 'svc', 'Input "api" must be one of auto, ml-v1, svc-v1, got "svc".'],
    ['api', 'v1', 'Input "api" must be one of auto, ml-v1, svc-v1, got "v1".'],
    ['dry-run', 'yes', 'Input "dry-run" must be true or false, got "yes".'],
    ['substitute-env', '1', 'Input "substitute-env" must be true or false, got "1".'],
    ['max-attempts', 'five', 'Input "max-attempts" must be a whole number from 1 to 20, got "five".'],
    ['max-attempts', '0', 'Input "max-attempts" must be a whole number from 1 to 20, got "0".'],
    ['max-attempts', '21', 'Input "max-attempts" must be a whole number from 1 to 20, got "21".'],
    ['max-attempts', '2.5', 'Input "max-attempts" must be a whole number from 1 to 20, got "2.5".'],
    ['max-attempts', '-3', 'Input "max-attempts" must be a whole number from 1 to 20, got "-3".'],
    ['request-timeout', '0', 'Input "request-timeout" must be a number from 0.001 to 600, got "0".'],
    ['request-timeout', '601', 'Input "request-timeout" must be a number from 0.001 to 600, got "601".'],
    ['request-timeout', '1e3', 'Input "request-timeout" must be a number from 0.001 to 600, got "1e3".'],
    ['request-timeout', '0.0001', 'Input "request-timeout" must be a number from 0.001 to 600, got "0.0001".'],
    ['concurrency', '65', 'Input "concurrency" must be a whole number from 1 to 64, got "65".'],
    ['concurrency', '0x10', 'Input "concurrency" must be a whole number from 1 to 64, got "0x10".'],
  ] as const)('refuses %s: %s, naming the input and what it accepts', (name, value, message) => {
    expect(errorFor({ [name]: value }).message).toBe(message)
  })

  it('takes api as auto, ml-v1 or svc-v1, in any case, in a dry run too', () => {
    expect(inputsWith({ api: 'ml-v1' }).api).toBe('ml-v1')
    expect(inputsWith({ api: ' SVC-V1 ' }).api).toBe('svc-v1')
    expect(errorFor({ api: 'both', 'dry-run': 'true' }).message).toBe('Input "api" must be one of auto, ml-v1, svc-v1, got "both".')
    const source = {
      read: (name: InputName) => (name === 'api' ? 'ml' : name === 'manifest-path' ? 'a.yaml' : ''),
      env: {},
      registerSecret() {},
    }
    expect(() => getInputs({ ...source, dialect: COMMAND_LINE_DIALECT })).toThrow('--api must be one of auto, ml-v1, svc-v1, got "ml".')
  })

  it('accepts the ends of each range and a fractional timeout', () => {
    expect(inputsWith({ 'max-attempts': '1', concurrency: '64', 'request-timeout': '1.5' })).toMatchObject({
      maxAttempts: 1,
      concurrency: 64,
      requestTimeoutMs: 1500,
    })
    expect(inputsWith({ 'max-attempts': '20', 'request-timeout': '600', 'if-no-files-found': 'Error' })).toMatchObject({
      maxAttempts: 20,
      requestTimeoutMs: 600_000,
      ifNoFilesFound: 'error',
    })
  })

  describe('control-plane-url', () => {
    it('refuses text that is not a URL', () => {
      expect(errorFor({ 'control-plane-url': 'acme.truefoundry.cloud' }).message).toMatch(
        /^Input "control-plane-url" is not a URL: "acme\.truefoundry\.cloud"\. Give .*https:\/\/acme\.truefoundry\.cloud/,
      )
    })

    it('refuses schemes other than https and http', () => {
      expect(errorFor({ 'control-plane-url': 'ftp://acme.truefoundry.cloud' }).message).toBe(
        'Input "control-plane-url" must be an https:// URL, got "ftp:" in "ftp://acme.truefoundry.cloud". Give the control plane\'s address, e.g. https://acme.truefoundry.cloud',
      )
    })

    it('refuses plain http to a host that is not loopback, since the token would travel unencrypted', () => {
      const { message } = errorFor({ 'control-plane-url': 'http://acme.truefoundry.cloud' })
      expect(message).toMatch(/^Input "control-plane-url" uses plain http:\/\/ for acme\.truefoundry\.cloud;/)
      expect(message).toContain('Use https://')
      expect(errorFor({ 'control-plane-url': 'http://localhost.attacker.example' }).message).toContain('plain http://')
      expect(errorFor({ 'control-plane-url': 'http://10.0.0.1:8080' }).message).toContain('plain http://')
    })

    it.each(['http://localhost:8080', 'http://127.0.0.5/', 'http://[::1]:3000', 'https://acme.truefoundry.cloud/tfy'])(
      'accepts %s',
      (url) => {
        expect(live(inputsWith({ 'control-plane-url': url })).url.href).toBe(new URL(url).href)
      },
    )

    it('refuses a URL carrying a user name or password, without repeating them', () => {
      const { message } = errorFor({ 'control-plane-url': `https://ci:${TOKEN}@acme.truefoundry.cloud` })
      expect(message).toBe(
        'Input "control-plane-url" must not carry a user name or password ("https://***@acme.truefoundry.cloud"); pass the API key in "token".',
      )
    })

    it.each([
      `ftp://user:${TOKEN}@acme.truefoundry.cloud`,
      `https://:${TOKEN}@acme.truefoundry.cloud/tfy`,
      `https://${TOKEN}@acme.truefoundry.cloud`,
      `https://user:a@${TOKEN}@acme.truefoundry.cloud`,
      `https:user:${TOKEN}@acme.truefoundry.cloud`,
      `user:${TOKEN}@acme.truefoundry.cloud`,
      `http://user:${TOKEN}@10.0.0.1`,
      `https://user:${TOKEN}@acme truefoundry cloud`,
      `https://user:${encodeURIComponent(TOKEN + '/')}@acme.truefoundry.cloud?x#y`,
    ])('never echoes the user-info of %s, whichever check refuses it', (url) => {
      const { message } = errorFor({ 'control-plane-url': url })
      expect(message).not.toContain(TOKEN)
      expect(message).not.toContain('user:')
    })

    it('says what it refuses in the command line’s words there', () => {
      const source = {
        read: (name: InputName) => ({ 'manifest-path': 'a.yaml', concurrency: '0' })[name as string] ?? '',
        env: {},
        registerSecret() {},
        dialect: COMMAND_LINE_DIALECT,
      }
      expect(() => getInputs(source)).toThrow('--concurrency must be a whole number from 1 to 64, got "0".')
      const noUrl = { ...source, read: (name: InputName) => (name === 'manifest-path' ? 'a.yaml' : '') }
      expect(() => getInputs(noUrl)).toThrow(/^--control-plane-url is empty and TFY_HOST is not set\. .*export TFY_HOST=.*--dry-run/)
      expect(() => getInputs({ ...noUrl, env: { TFY_HOST: 'https://acme.truefoundry.cloud' } })).toThrow(
        /^--token is empty .*export TFY_API_KEY=/,
      )
      for (const word of ['${{', 'dry-run: true', 'Input "']) {
        for (const env of [{}, { TFY_HOST: 'https://acme.truefoundry.cloud' }]) {
          expect(() => getInputs({ ...noUrl, env })).not.toThrow(word)
        }
      }
    })

    it('refuses a URL with a query or a fragment, showing the address to give instead', () => {
      const expected =
        'Input "control-plane-url" must not have a query or fragment; give only the address, e.g. "https://acme.truefoundry.cloud/tfy".'
      expect(errorFor({ 'control-plane-url': 'https://acme.truefoundry.cloud/tfy?tenant=a' }).message).toBe(expected)
      expect(errorFor({ 'control-plane-url': 'https://acme.truefoundry.cloud/tfy#top' }).message).toBe(expected)
    })

    it('falls back to TFY_HOST, and the input wins over it', () => {
      const env = { TFY_HOST: 'https://from-env.truefoundry.cloud' }
      expect(live(inputsWith({ 'control-plane-url': '' }, env)).url.host).toBe('from-env.truefoundry.cloud')
      expect(live(inputsWith({}, env)).url.host).toBe('acme.truefoundry.cloud')
    })

    it('is required to delete, naming the input and TFY_HOST', () => {
      const { message } = errorFor({ 'control-plane-url': '' })
      expect(message).toMatch(/^Input "control-plane-url" is empty and TFY_HOST is not set\./)
      expect(message).toContain('dry-run: true')
    })
  })

  describe('token', () => {
    it('falls back to TFY_API_KEY, and the input wins over it', () => {
      expect(live(inputsWith({ token: '' }, { TFY_API_KEY: ' from-env ' })).token).toBe('from-env')
      expect(live(inputsWith({}, { TFY_API_KEY: 'from-env' })).token).toBe(TOKEN)
    })

    it('is required to delete; the message names token and TFY_API_KEY and says why forks have none', () => {
      const { message } = errorFor({ token: '' }, { TFY_API_KEY: '  ' })
      expect(message).toMatch(/^Input "token" is empty and TFY_API_KEY is not set\./)
      expect(message).toContain('secrets.TFY_API_KEY')
      expect(message).toMatch(/pull requests from forks receive no secrets/)
    })

    it('is registered as a secret before any input is refused', () => {
      for (const [inputs, env] of [
        [{ ...minimal, 'max-attempts': 'many' }, {}],
        [{ ...minimal, 'manifest-path': '' }, {}],
        [{ ...minimal, token: '', 'control-plane-url': 'http://acme.truefoundry.cloud' }, { TFY_API_KEY: TOKEN }],
      ] as const) {
        const { secrets, get } = read({ inputs, env })
        expect(get).toThrow(InputError)
        expect(secrets).toEqual([TOKEN])
      }
    })

    it('never appears in a refusal', () => {
      const refusals = [
        { 'dry-run': 'maybe' },
        { concurrency: '100' },
        { 'control-plane-url': `https://user:${TOKEN}@acme.truefoundry.cloud` },
        { 'control-plane-url': `https://acme.truefoundry.cloud/?api_key=${TOKEN}` },
        { 'control-plane-url': `https://acme.truefoundry.cloud/#${TOKEN}` },
        { 'control-plane-url': '' },
      ]
      for (const overrides of refusals) expect(errorFor(overrides).message).not.toContain(TOKEN)
    })
  })

  describe('the sweep', () => {
    const GITHUB_TOKEN = 'ghs_inputsSecret0123456789'
    const sweep = { 'closed-within-days': '7', 'substitute-env': 'true', 'github-token': GITHUB_TOKEN }
    const gitHubEnv = { GITHUB_REPOSITORY: 'acme/models' }
    const sweepWith = (env: NodeJS.ProcessEnv, overrides: Partial<Record<InputName, string>> = {}) =>
      inputsWith({ ...sweep, ...overrides }, { ...gitHubEnv, ...env })
    const refusal = (env: NodeJS.ProcessEnv, overrides: Partial<Record<InputName, string>> = {}) =>
      errorFor({ ...sweep, ...overrides }, { ...gitHubEnv, ...env }).message

    it('reads GitHub’s API from GITHUB_API_URL, api.github.com when it is empty', () => {
      expect(sweepWith({}).sweep).toEqual({
        closedWithinDays: 7,
        githubToken: GITHUB_TOKEN,
        owner: 'acme',
        repo: 'models',
        apiUrl: 'https://api.github.com',
      })
      expect(sweepWith({ GITHUB_API_URL: '' }).sweep?.apiUrl).toBe('https://api.github.com')
      for (const url of [
        'https://github.acme.example/api/v3',
        'https://github.acme.example/api/v3/',
        'http://127.0.0.1:8080/api/v3',
        'http://ghes.internal/api/v3',
      ]) {
        expect(sweepWith({ GITHUB_API_URL: url }).sweep?.apiUrl).toBe(url)
      }
    })

    it.each([
      ['no scheme', 'api.github.com', 'GITHUB_API_URL is not a URL: "api.github.com".'],
      ['no scheme, with a path', 'github.acme.example/api/v3', 'GITHUB_API_URL is not a URL: "github.acme.example/api/v3".'],
      ['a relative path', '/api/v3', 'GITHUB_API_URL is not a URL: "/api/v3".'],
      [
        'a host and port read as a scheme',
        'localhost:8080',
        'GITHUB_API_URL must be an https:// (or http://) URL, got "localhost:" in "localhost:8080".',
      ],
      [
        'another scheme',
        'ftp://api.github.com',
        'GITHUB_API_URL must be an https:// (or http://) URL, got "ftp:" in "ftp://api.github.com".',
      ],
      ['a file URL', 'file:///etc/passwd', 'GITHUB_API_URL must be an https:// (or http://) URL, got "file:" in "file:///etc/passwd".'],
      ['spaces in the host', 'https://api github com', 'GITHUB_API_URL is not a URL: "https://api github com".'],
      ['a bad port', 'https://api.github.com:99999', 'GITHUB_API_URL is not a URL: "https://api.github.com:99999".'],
    ])('refuses a GITHUB_API_URL with %s, saying what it must look like', (_, url, start) => {
      const message = refusal({ GITHUB_API_URL: url })
      expect(message.startsWith(start), message).toBe(true)
      expect(message).toContain('https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server')
    })

    it.each([' ', '\t', '\n '])(
      'refuses a GITHUB_API_URL of blank space (%j), which @actions/github would fail to parse as it loads',
      (url) => {
        expect(refusal({ GITHUB_API_URL: url })).toBe(
          "GITHUB_API_URL is set to blank space. It must be GitHub's REST API: https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server; unset or empty, it is https://api.github.com.",
        )
      },
    )

    it('refuses a GITHUB_API_URL with a space the URL parser does not strip, as @actions/github would', () => {
      expect(refusal({ GITHUB_API_URL: '\u00a0https://api.github.com' })).toMatch(/^GITHUB_API_URL is not a URL: /)
    })

    it('refuses a GITHUB_API_URL with a query or fragment, without repeating it', () => {
      const message = refusal({ GITHUB_API_URL: `https://api.github.com/?access_token=${GITHUB_TOKEN}` })
      expect(message).toBe('GITHUB_API_URL must not have a query or fragment; give only the address, e.g. "https://api.github.com/".')
    })

    it.each([
      `https://x-access-token:${GITHUB_TOKEN}@api.github.com`,
      `https://${GITHUB_TOKEN}@github.acme.example/api/v3`,
      `https://:${GITHUB_TOKEN}@api.github.com`,
      `https://user:a@${GITHUB_TOKEN}@api.github.com`,
      `https:user:${GITHUB_TOKEN}@api.github.com`,
      `user:${GITHUB_TOKEN}@api.github.com`,
      `ftp://user:${GITHUB_TOKEN}@api.github.com`,
      `https://user:${GITHUB_TOKEN}@api github com`,
      `https://user:${encodeURIComponent(GITHUB_TOKEN + '/')}@api.github.com?x#y`,
    ])('never echoes the user-info of GITHUB_API_URL %s, whichever check refuses it', (url) => {
      const message = refusal({ GITHUB_API_URL: url })
      expect(message).toMatch(/^GITHUB_API_URL /)
      expect(message).not.toContain(GITHUB_TOKEN)
      expect(message).not.toContain('user:')
      expect(message).not.toContain('x-access-token')
    })

    it('names the github-token input where user-info would go, in each dialect', () => {
      expect(refusal({ GITHUB_API_URL: 'https://u:p@api.github.com' })).toBe(
        'GITHUB_API_URL must not carry a user name or password ("https://***@api.github.com"); pass the token in "github-token".',
      )
      const source = {
        read: (name: InputName) => ({ ...minimal, ...sweep, 'dry-run': 'true' })[name as string] ?? '',
        env: { ...gitHubEnv, GITHUB_API_URL: 'https://u:p@api.github.com' },
        registerSecret() {},
        dialect: COMMAND_LINE_DIALECT,
      }
      expect(() => getInputs(source)).toThrow('; pass the token in --github-token.')
    })

    it('never looks at GitHub’s variables outside a sweep', () => {
      const hostile = {
        GITHUB_API_URL: 'api.github.com',
        GITHUB_REPOSITORY: 'not a repository',
        GITHUB_SERVER_URL: ' ',
        GITHUB_TOKEN: 'a\nb',
      }
      expect(inputsWith({}, hostile).sweep).toBeNull()
      expect(inputsWith({ 'github-token': 'line\nbreak' }, hostile).sweep).toBeNull()
      expect(read({ inputs: { 'manifest-path': '*.yaml', 'dry-run': 'true' }, env: hostile }).get().sweep).toBeNull()
    })

    it.each([
      ['a line feed', 'ghs_abc\nX-Injected: 1'],
      ['a carriage return', 'ghs_abc\rdef'],
      ['a NUL', 'ghs_abc\u0000def'],
      ['DEL', 'ghs_abc\u007fdef'],
      ['a character beyond Latin-1', 'ghs_abc\u2028def'],
      ['an emoji', 'ghs_abc🚀'],
    ])('refuses a github-token holding %s at once, before anything is sent, never repeating it', (_, token) => {
      const message = refusal({}, { 'github-token': token })
      expect(message).toBe(
        'Input "github-token" holds a line break or another character an HTTP header cannot carry. Check that it holds only the token, on one line.',
      )
    })

    it('refuses an empty github-token, naming the input and the permission its default needs', () => {
      expect(refusal({}, { 'github-token': ' ' })).toBe(
        'Input "github-token" is empty, so the pull requests of acme/models cannot be listed. Leave it at its default, ${{ github.token }}, with `permissions: pull-requests: read` in the workflow, or pass a token that can read them.',
      )
    })

    it('says where the command line took the GitHub token from', () => {
      const source = {
        read: (name: InputName) => ({ ...minimal, ...sweep, 'github-token': 'ghs_abc\ndef' })[name as string] ?? '',
        env: gitHubEnv,
        registerSecret() {},
        dialect: COMMAND_LINE_DIALECT,
      }
      expect(() => getInputs(source)).toThrow(/^--github-token \(or GITHUB_TOKEN\) holds a line break/)
      expect(() => getInputs({ ...source, read: (name) => (name === 'github-token' ? '' : source.read(name)) })).toThrow(
        /^--github-token \(or GITHUB_TOKEN\) is empty, so the pull requests of acme\/models cannot be listed\./,
      )
    })

    it('accepts a github-token a header can carry, tabs and Latin-1 included, trimmed', () => {
      expect(sweepWith({}, { 'github-token': ' ghp_ABCdef012_-.~+/= \n' }).sweep?.githubToken).toBe('ghp_ABCdef012_-.~+/=')
      expect(sweepWith({}, { 'github-token': 'a\tb\u00e9' }).sweep?.githubToken).toBe('a\tb\u00e9')
    })
  })

  it('needs neither a URL nor a token for a dry run, and registers no empty secret', () => {
    const { secrets, get } = read({ inputs: { 'manifest-path': '*.yaml', 'dry-run': 'true' } })
    expect(get()).toMatchObject({ dryRun: true })
    expect(get()).not.toHaveProperty('controlPlane')
    expect(secrets).toEqual([])
  })

  it('still checks a URL given for a dry run', () => {
    expect(errorFor({ 'dry-run': 'true', 'control-plane-url': 'http://acme.truefoundry.cloud' }).message).toContain('plain http://')
  })
})

describe('action.yml', () => {
  const action = parse(readFileSync(new URL('../../../action.yml', import.meta.url), 'utf8')) as {
    inputs: Record<string, { description: string; required?: boolean; default?: string }>
  }
  const declared = Object.entries(action.inputs)

  it('declares exactly the inputs the code reads', () => {
    expect(Object.keys(action.inputs).sort()).toEqual([...INPUT_NAMES].sort())
  })

  it('requires no input (manifest-path or else retention-rules, which the code checks), and gives every other input a default', () => {
    for (const [name, input] of declared) {
      expect({ name, required: input.required === true }).toEqual({ name, required: false })
      if (name !== 'manifest-path') expect({ name, default: typeof input.default }).toEqual({ name, default: 'string' })
    }
  })

  it('states the defaults the code applies when an input is empty', () => {
    const env = { TFY_HOST: 'https://acme.truefoundry.cloud', TFY_API_KEY: TOKEN }
    const withEmptyInputs = read({ inputs: { 'manifest-path': '*.yaml' }, env }).get()
    for (const [name, input] of declared) {
      if (name === 'manifest-path') continue
      const withStatedDefault = read({ inputs: { 'manifest-path': '*.yaml', [name]: input.default }, env }).get()
      expect({ name, inputs: withStatedDefault }).toEqual({ name, inputs: withEmptyInputs })
    }
  })

  it('describes each default as the one declared', () => {
    for (const [name, input] of declared) {
      const stated = /Default `([^`]*)`\./.exec(input.description)?.[1]
      if (stated !== undefined) expect({ name, stated }).toEqual({ name, stated: input.default })
    }
  })
})
