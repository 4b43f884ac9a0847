import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import {
  call,
  callRaw,
  type CallResult,
  expectError,
  listUsernames,
  PRODUCTION_LIMITS,
  register,
  registerAdmin,
  startTestServer,
  type TestServer,
} from '../../support/http_harness.ts'

const VICTIM = 'victim'
const VICTIM_PASSWORD = 'victim-password'
const OTHER_PASSWORD = 'another-password'

/** One malformed request and the answer it must get. */
interface BadInput {
  readonly label: string
  readonly send: (url: string, path: string) => Promise<CallResult>
  readonly status: number
  readonly code: string
  /** The fields `fields` must name; `undefined`: no `fields`; `'any'`: not checked. */
  readonly fields?: readonly string[] | 'any'
}

const json = (body: unknown) => (url: string, path: string) => call(url, path, { json: body })
const raw = (text: string, contentType = 'application/json') => (url: string, path: string) =>
  call(url, path, { raw: text, contentType })
const invalid = (label: string, body: unknown, field: string): BadInput => ({
  label,
  send: json(body),
  status: 400,
  code: 'invalid_request',
  fields: [field],
})

const CASES: readonly BadInput[] = [
  {
    label: 'invalid JSON',
    send: raw(`{username: "${VICTIM}", password: "${OTHER_PASSWORD}"}`),
    status: 400,
    code: 'invalid_request',
  },
  {
    label: 'truncated JSON',
    send: raw(`{"username": "${VICTIM}", "password": "anoth`),
    status: 400,
    code: 'invalid_request',
  },
  {
    label: 'an empty body sent as application/json',
    send: raw(''),
    status: 400,
    code: 'invalid_request',
    fields: ['username', 'password'],
  },
  {
    label: 'no body at all (Content-Length: 0, as fetch sends it)',
    send: (url, path) => call(url, path, { method: 'POST' }),
    status: 400,
    code: 'invalid_request',
    fields: 'any',
  },
  {
    label: 'no body at all, not even a Content-Length',
    send: (url, path) => callRaw(url, path, { method: 'POST' }),
    status: 400,
    code: 'invalid_request',
    fields: 'any',
  },
  { label: 'a JSON array', send: json([VICTIM, OTHER_PASSWORD]), status: 400, code: 'invalid_request' },
  {
    label: 'a JSON array holding the credentials',
    send: json([{ username: VICTIM, password: OTHER_PASSWORD }]),
    status: 400,
    code: 'invalid_request',
  },
  { label: 'a JSON string', send: raw(`"${VICTIM}"`), status: 400, code: 'invalid_request' },
  { label: 'a JSON number', send: raw('42'), status: 400, code: 'invalid_request' },
  { label: 'JSON null', send: raw('null'), status: 400, code: 'invalid_request' },
  { label: 'JSON true', send: raw('true'), status: 400, code: 'invalid_request' },
  {
    label: 'a JSON text sent as text/plain',
    send: raw(JSON.stringify({ username: VICTIM, password: OTHER_PASSWORD }), 'text/plain'),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    label: 'a form-urlencoded body',
    send: raw(`username=${VICTIM}&password=${OTHER_PASSWORD}`, 'application/x-www-form-urlencoded'),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    label: 'a JSON body over 16 KiB',
    send: json({ username: VICTIM, password: OTHER_PASSWORD, padding: 'x'.repeat(17 * 1024) }),
    status: 413,
    code: 'payload_too_large',
  },
  {
    label: 'a 1 MB password',
    send: json({ username: VICTIM, password: 'p'.repeat(1024 * 1024) }),
    status: 413,
    code: 'payload_too_large',
  },
  invalid('a 1025-character password', { username: VICTIM, password: 'p'.repeat(1025) }, 'password'),
  {
    label: 'a "__proto__" key',
    send: raw(`{"username": "${VICTIM}", "password": "${OTHER_PASSWORD}", "__proto__": {"is_admin": true}}`),
    status: 400,
    code: 'invalid_request',
  },
  {
    label: 'a gzip Content-Encoding on a body that is not gzip',
    send: (url, path) =>
      call(url, path, {
        raw: JSON.stringify({ username: VICTIM, password: OTHER_PASSWORD }),
        contentType: 'application/json',
        headers: { 'content-encoding': 'gzip' },
      }),
    status: 400,
    code: 'invalid_request',
  },
  {
    label: 'an unknown Content-Encoding',
    send: (url, path) =>
      call(url, path, { raw: '{}', contentType: 'application/json', headers: { 'content-encoding': 'rot13' } }),
    status: 415,
    code: 'unsupported_media_type',
  },
  invalid('a number as username', { username: 42, password: OTHER_PASSWORD }, 'username'),
  invalid('an array as username', { username: [VICTIM], password: OTHER_PASSWORD }, 'username'),
  invalid('an object as username', { username: { name: VICTIM }, password: OTHER_PASSWORD }, 'username'),
  invalid('null as username', { username: null, password: OTHER_PASSWORD }, 'username'),
  invalid('true as username', { username: true, password: OTHER_PASSWORD }, 'username'),
  invalid('{"$gt": ""} as username', { username: { $gt: '' }, password: OTHER_PASSWORD }, 'username'),
  invalid('an empty username', { username: '', password: OTHER_PASSWORD }, 'username'),
  invalid('a number as password', { username: VICTIM, password: 12345678 }, 'password'),
  invalid('an array as password', { username: VICTIM, password: [VICTIM_PASSWORD] }, 'password'),
  invalid('an object as password', { username: VICTIM, password: { value: VICTIM_PASSWORD } }, 'password'),
  invalid('null as password', { username: VICTIM, password: null }, 'password'),
  invalid('false as password', { username: VICTIM, password: false }, 'password'),
  invalid('{"$gt": ""} as password', { username: VICTIM, password: { $gt: '' } }, 'password'),
  invalid('an empty password', { username: VICTIM, password: '' }, 'password'),
]

for (const path of ['/registration', '/login']) {
  describe(`POST ${path} with bad input`, () => {
    let server: TestServer
    let url: string
    let adminToken: string
    let accounts: string[]

    before(async () => {
      server = await startTestServer(PRODUCTION_LIMITS)
      url = server.url
      adminToken = (await registerAdmin(server)).accessToken
      await register(url, VICTIM, VICTIM_PASSWORD)
      accounts = await listUsernames(url, adminToken)
    })

    after(() => server.close())

    for (const bad of CASES) {
      it(`answers ${bad.label} with ${bad.status} ${bad.code}, creating and changing nothing`, async () => {
        const result = await bad.send(url, path)
        expect(result.status, JSON.stringify(result.body)).to.be.within(400, 499)
        if (bad.fields === 'any') {
          expect(result.status).to.equal(bad.status)
          expect(result.body.error).to.equal(bad.code)
        } else {
          expectError(result, bad.status, bad.code, bad.fields)
        }
        expect(await listUsernames(url, adminToken)).to.have.members(accounts)
        const victim = await call(url, '/login', { json: { username: VICTIM, password: VICTIM_PASSWORD } })
        expect(victim.status).to.equal(200)
      })
    }
  })
}
