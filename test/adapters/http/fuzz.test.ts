import { Agent, request } from 'node:http'
import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import fc from 'fast-check'
import {
  call,
  listUsernames,
  PRODUCTION_LIMITS,
  register,
  registerAdmin,
  startTestServer,
  type TestServer,
} from '../../support/http_harness.ts'
import { PROTOTYPE_NAMES } from '../../support/hostile_input.ts'

// `npm test` runs a few hundred cases per property; `npm run fuzz` sets FUZZ_RUNS=10000.
const RUNS = Number(process.env.FUZZ_RUNS ?? 300)
const ROUTES = [
  '/registration',
  '/login',
  '/fresh-login',
  '/token/refresh',
  '/logout/access',
  '/logout/refresh',
  '/logout/all',
  '/secret',
  '/users',
  '/users/alice',
  '/items',
  '/item/piano',
  '/healthz',
  '/',
  '/docs',
  '/docs/init.js',
]

interface Answer {
  readonly status: number
  readonly contentType: string
  readonly body: string
}

/** A path segment, percent-encoded; a lone surrogate becomes its raw UTF-8 bytes' escapes. */
function encodeSegment(raw: string): string {
  try {
    return encodeURIComponent(raw)
  } catch {
    return '%ED%A0%80'
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 })

/** One request through node:http, which sends any method token and header value as given. */
function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // A target that is not a path is sent as it is (absolute-form, or worse).
    const { hostname, port } = new URL(base)
    const req = request({ hostname, port, path, method, headers, agent }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => {
        text += chunk
      })
      res.on(
        'end',
        () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? '', body: text }),
      )
    })
    req.on('error', reject)
    req.end(body)
  })
}

const printable = fc.string({
  unit: fc.constantFrom(...'abcAZ09-._~%/!$&\'()*+,;=:@?[]{}"<>\\^`|'.split('')),
  maxLength: 40,
})
const hostile = fc.constantFrom(
  '../../etc/passwd',
  '%2e%2e%2f',
  '%00',
  '%ZZ',
  '%',
  '//',
  '$where',
  '{"$gt":""}',
  'a'.repeat(300),
  '\u0000',
  'é',
  '\u202e',
  '\ud800',
  ...PROTOTYPE_NAMES,
)

describe('Fuzzing every route (fast-check)', () => {
  let server: TestServer
  let validToken: string
  let refreshToken: string
  let adminToken: string
  let fiveHundreds = 0
  let requests = 0

  before(async () => {
    server = await startTestServer(PRODUCTION_LIMITS)
    adminToken = (await registerAdmin(server)).accessToken
    ;({ accessToken: validToken, refreshToken } = await register(server.url, 'fuzz-user'))
  })

  after(async () => {
    agent.destroy()
    console.log(`      fuzz: ${requests} requests over ${RUNS} runs per property, ${fiveHundreds} answered 5xx`)
    await server.close()
  })

  const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND', 'M-SEARCH')
  const path = fc.oneof(
    fc.constantFrom(...ROUTES),
    // Every route with a path parameter (item name, username, docs asset), and some prefixes.
    fc.tuple(
      fc.constantFrom('/item/', '/users/', '/docs/', '/', '/logout/', '/token/'),
      fc.oneof(printable, hostile.map(encodeSegment)),
    )
      .map(([prefix, rest]) => prefix + rest.replaceAll('#', '%23')),
    fc.tuple(fc.constantFrom(...ROUTES), printable).map(([route, query]) => `${route}?${query.replaceAll('#', '')}`),
    // Absolute-form targets, well- and ill-formed: an origin glued in front of one, a bad host.
    fc.tuple(
      fc.constantFrom(
        'http://127.0.0.1:1',
        'http://[::1',
        'http://h:99999',
        'https://a',
        'ftp://h',
        'http://127.0.0.1:1http://127.0.0.1:1',
      ),
      fc.constantFrom(...ROUTES),
    ).map(([prefix, route]) => prefix + route),
  )
  const token = fc.oneof(
    fc.constant(undefined),
    fc.constantFrom('valid', 'refresh').map((kind) => `Bearer ${kind === 'valid' ? validToken : refreshToken}`),
    fc.tuple(fc.nat(400), fc.constantFrom('A', '-', '_', '.', '=', '+')).map(([at, ch]) => {
      const t = validToken
      return `Bearer ${t.slice(0, at % t.length)}${ch}${t.slice((at % t.length) + 1)}`
    }),
    printable.map((s) => `Bearer ${s}`),
    printable,
  )
  const contentType = fc.option(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
      'application/json; charset=bogus',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/ld+json',
      '*/*',
      'application/json, text/plain',
    ),
    { nil: undefined },
  )
  const encoding = fc.option(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-unknown'), {
    freq: 8,
    nil: undefined,
  })
  const body = fc.oneof(
    fc.constant(undefined),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.record({ username: fc.oneof(fc.jsonValue(), hostile), password: fc.oneof(fc.jsonValue(), hostile) }).map((v) =>
      JSON.stringify(v)
    ),
    fc.record({ price: fc.jsonValue() }).map((v) => JSON.stringify(v)),
    printable,
    fc.jsonValue().map((v) => JSON.stringify(v).slice(0, -1)),
  )

  it('never answers a random or hostile request with a 5xx, and every error names its code', async () => {
    await fc.assert(
      fc.asyncProperty(method, path, token, contentType, encoding, body, async (m, p, auth, type, enc, payload) => {
        const headers: Record<string, string> = {}
        if (auth !== undefined) headers.authorization = auth
        if (type !== undefined) headers['content-type'] = type
        if (enc !== undefined) headers['content-encoding'] = enc
        const answer = await send(server.url, m, p, headers, m === 'GET' || m === 'HEAD' ? undefined : payload)
        requests++
        if (answer.status >= 500) fiveHundreds++
        expect(answer.status, `${m} ${p} → ${answer.body}`).to.be.below(500)
        if (answer.status >= 400 && m !== 'HEAD' && answer.contentType.startsWith('application/json')) {
          expect(JSON.parse(answer.body).error, answer.body).to.be.a('string')
        }
      }),
      { numRuns: RUNS },
    )
  })

  it('creates no account from a non-string username or password', async () => {
    const before = (await listUsernames(server.url, adminToken)).length
    const notString = fc.jsonValue().filter((v) => typeof v !== 'string')
    const credentials = fc.oneof(
      fc.record({ username: notString, password: fc.oneof(fc.string(), notString) }),
      fc.record({ username: fc.string(), password: notString }),
    )
    await fc.assert(
      fc.asyncProperty(credentials, async (creds) => {
        const answer = await call(server.url, '/registration', { json: creds })
        requests++
        expect(answer.status, JSON.stringify(creds)).to.equal(400)
        expect(answer.body.error).to.equal('invalid_request')
      }),
      { numRuns: RUNS },
    )
    expect((await listUsernames(server.url, adminToken)).length).to.equal(before)
  })

  it('still answers after the storm', async () => {
    expect((await call(server.url, '/healthz')).status).to.equal(200)
    // The storm may have logged the fuzz user out: a new account still gets in.
    const { accessToken } = await register(server.url, 'after-the-storm')
    expect((await call(server.url, '/secret', { token: accessToken })).status).to.equal(200)
  })
})
