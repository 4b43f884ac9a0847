import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { decodeJwt } from 'jose'
import {
  call,
  type CallResult,
  expectError,
  login,
  postWithToken,
  register,
  registerAdmin,
  startTestServer,
  type TestServer,
} from '../../support/http_harness.ts'
import { basic, CLIENTS_ENV, postForm, TEST_CLIENT } from '../../support/forward_auth.ts'
import { capturingLogger } from '../../support/log_capture.ts'

const secretStatus = async (server: TestServer, token: string) => (await call(server.url, '/secret', { token })).status

describe('POST /introspect', () => {
  let server: TestServer
  const logs = capturingLogger('trace')
  before(async () => {
    server = await startTestServer(
      { ...CLIENTS_ENV, LOG_LEVEL: 'trace', PUBLIC_URL: 'https://auth.example.com' },
      {},
      logs.logger,
    )
  })
  after(() => server.close())

  it('describes a good access token with every RFC 7662 field hexauth has', async () => {
    const tokens = await register(server.url, 'intro_alice')
    const result = await postForm(server.url, '/introspect', { token: tokens.accessToken })
    expect(result.status).to.equal(200)
    expect(result.headers.get('content-type')).to.match(/^application\/json/)
    const jwt = decodeJwt(tokens.accessToken)
    expect(result.body).to.deep.equal({
      active: true,
      token_type: 'access_token',
      sub: jwt.sub,
      username: 'intro_alice',
      iss: 'https://auth.example.com',
      aud: 'hexauth',
      exp: jwt.exp,
      iat: jwt.iat,
      nbf: jwt.nbf,
      jti: jwt.jti,
      is_admin: false,
      fresh: true,
    })
  })

  it("describes a refresh token as one, with its account's username, and an admin's token with is_admin", async () => {
    const tokens = await register(server.url, 'intro_bob')
    const refresh = await postForm(server.url, '/introspect', {
      token: tokens.refreshToken,
      token_type_hint: 'access_token',
    })
    expect(refresh.body).to.include({ active: true, token_type: 'refresh_token', username: 'intro_bob' })
    const admin = await registerAdmin(server)
    expect((await postForm(server.url, '/introspect', { token: admin.accessToken })).body).to.include({
      active: true,
      is_admin: true,
    })
  })

  it('answers exactly {"active": false} for a token revoked by jti, by family or by user', async () => {
    const a = await register(server.url, 'intro_carol')
    await postWithToken(server.url, '/logout/access', a.accessToken)
    const b = await login(server.url, 'intro_carol')
    await postWithToken(server.url, '/logout/refresh', b.refreshToken)
    const c = await login(server.url, 'intro_carol')
    await postWithToken(server.url, '/logout/all', c.accessToken)
    for (const token of [a.accessToken, b.accessToken, b.refreshToken, c.refreshToken]) {
      const result = await postForm(server.url, '/introspect', { token })
      expect(result.status).to.equal(200)
      expect(result.body).to.deep.equal({ active: false })
    }
  })

  it('answers exactly {"active": false} for garbage, a bad signature, an unknown kid and another issuer\'s token', async () => {
    const { accessToken } = await register(server.url, 'intro_dave')
    const [header, payload, signature] = accessToken.split('.') as [string, string, string]
    const otherKid = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(header, 'base64url').toString()), kid: 'unknown-kid' }),
    ).toString('base64url')
    const otherIssuer = await startTestServer({ ...CLIENTS_ENV, PUBLIC_URL: 'https://other.example.com' })
    const foreign = (await register(otherIssuer.url, 'intro_dave')).accessToken
    await otherIssuer.close()
    const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`
    for (
      const token of [
        'garbage',
        `${header}.${payload}.${flipped}`,
        `${otherKid}.${payload}.${signature}`,
        foreign,
        'x'.repeat(9000),
      ]
    ) {
      const result = await postForm(server.url, '/introspect', { token })
      expect(result.status, token.slice(0, 40)).to.equal(200)
      expect(result.body, token.slice(0, 40)).to.deep.equal({ active: false })
    }
  })

  it('never logs the token or the client secret', async () => {
    const { accessToken } = await register(server.url, 'intro_erin')
    await postForm(server.url, '/introspect', { token: accessToken })
    await postForm(server.url, '/introspect', { token: accessToken }, basic(TEST_CLIENT.id, `${TEST_CLIENT.secret}x`))
    const text = logs.entries().map((entry) => JSON.stringify(entry)).join('\n')
    expect(text).to.include('/introspect')
    expect(text).to.not.include(accessToken.split('.')[2]!)
    expect(text).to.not.include(TEST_CLIENT.secret)
    expect(text).to.not.include(Buffer.from(`${TEST_CLIENT.id}:${TEST_CLIENT.secret}`).toString('base64'))
  })
})

describe('POST /revoke', () => {
  let server: TestServer
  before(async () => {
    server = await startTestServer(CLIENTS_ENV)
  })
  after(() => server.close())

  it('revokes an access token by its jti: refused at once, its session still refreshes', async () => {
    const tokens = await register(server.url, 'rev_alice')
    const result = await postForm(server.url, '/revoke', { token: tokens.accessToken, token_type_hint: 'access_token' })
    expect(result.status).to.equal(200)
    expect(await secretStatus(server, tokens.accessToken)).to.equal(401)
    expect((await postWithToken(server.url, '/token/refresh', tokens.refreshToken)).status).to.equal(200)
  })

  it("revokes a refresh token's whole family, so its access tokens stop working too", async () => {
    const tokens = await register(server.url, 'rev_bob')
    expect((await postForm(server.url, '/revoke', { token: tokens.refreshToken })).status).to.equal(200)
    const after = await call(server.url, '/secret', { token: tokens.accessToken })
    expectError(after, 401, 'token_revoked')
    expectError(await postWithToken(server.url, '/token/refresh', tokens.refreshToken), 401, 'token_revoked')
  })

  it('answers 200 for any token string: invalid, unknown, already revoked', async () => {
    const tokens = await register(server.url, 'rev_carol')
    await postForm(server.url, '/revoke', { token: tokens.accessToken })
    for (const token of ['garbage', 'a.b.c', tokens.accessToken, 'x'.repeat(9000)]) {
      const result = await postForm(server.url, '/revoke', { token })
      expect(result.status, token.slice(0, 20)).to.equal(200)
      expect(result.body).to.deep.equal({})
    }
  })
})

// Each bad call is a 4xx with the RFCs' code, never a 5xx, and a refused call revokes nothing.
describe('POST /introspect and /revoke: bad input', () => {
  let server: TestServer
  before(async () => {
    server = await startTestServer(CLIENTS_ENV)
  })
  after(() => server.close())

  const form = (token: string) => `token=${encodeURIComponent(token)}`
  const send = (
    path: '/introspect' | '/revoke',
    options: { raw?: string; contentType?: string; authorization?: string },
  ) =>
    call(server.url, path, {
      method: 'POST',
      ...options.raw === undefined ? {} : { raw: options.raw },
      ...options.contentType === undefined ? {} : { contentType: options.contentType },
      headers: options.authorization === undefined ? {} : { authorization: options.authorization },
    })
  const wwwBasic = (result: CallResult) =>
    expect(result.headers.get('www-authenticate')).to.equal('Basic realm="hexauth"')

  const cases: ReadonlyArray<
    { what: string; status: number; code: string; request: (token: string) => Parameters<typeof send>[1] }
  > = [
    { what: 'no body', status: 400, code: 'invalid_request', request: () => ({ authorization: basic() }) },
    {
      what: 'JSON instead of a form',
      status: 400,
      code: 'invalid_request',
      request: (token) => ({ authorization: basic(), raw: JSON.stringify({ token }), contentType: 'application/json' }),
    },
    {
      what: 'a form without token',
      status: 400,
      code: 'invalid_request',
      request: () => ({
        authorization: basic(),
        raw: 'token_type_hint=access_token',
        contentType: 'application/x-www-form-urlencoded',
      }),
    },
    {
      what: 'two token fields',
      status: 400,
      code: 'invalid_request',
      request: (token) => ({
        authorization: basic(),
        raw: `${form(token)}&token=other`,
        contentType: 'application/x-www-form-urlencoded',
      }),
    },
    {
      what: 'a 100 KB token',
      status: 400,
      code: 'invalid_request',
      request: (token) => ({
        authorization: basic(),
        raw: `${form(token)}${'A'.repeat(100_000)}`,
        contentType: 'application/x-www-form-urlencoded',
      }),
    },
    {
      what: 'no client credentials',
      status: 401,
      code: 'invalid_client',
      request: (token) => ({ raw: form(token), contentType: 'application/x-www-form-urlencoded' }),
    },
    {
      what: 'a bearer token instead of client credentials',
      status: 401,
      code: 'invalid_client',
      request: (token) => ({
        authorization: `Bearer ${token}`,
        raw: form(token),
        contentType: 'application/x-www-form-urlencoded',
      }),
    },
    {
      what: 'Basic credentials that are not base64',
      status: 401,
      code: 'invalid_client',
      request: (token) => ({
        authorization: 'Basic %%%not-base64%%%',
        raw: form(token),
        contentType: 'application/x-www-form-urlencoded',
      }),
    },
    {
      what: 'Basic credentials without a colon',
      status: 401,
      code: 'invalid_client',
      request: (token) => ({
        authorization: `Basic ${Buffer.from(TEST_CLIENT.secret).toString('base64')}`,
        raw: form(token),
        contentType: 'application/x-www-form-urlencoded',
      }),
    },
    {
      what: 'an unknown client',
      status: 401,
      code: 'invalid_client',
      request: (token) => ({
        authorization: basic('someone-else', TEST_CLIENT.secret),
        raw: form(token),
        contentType: 'application/x-www-form-urlencoded',
      }),
    },
    {
      what: 'the right id with a wrong secret',
      status: 401,
      code: 'invalid_client',
      request: (token) => ({
        authorization: basic(TEST_CLIENT.id, 'wrong-secret-of-some-length-0123456789'),
        raw: form(token),
        contentType: 'application/x-www-form-urlencoded',
      }),
    },
  ]

  for (const path of ['/introspect', '/revoke'] as const) {
    for (const { what, status, code, request } of cases) {
      it(`${path} with ${what}: ${status} ${code}, and nothing revoked`, async () => {
        const { accessToken } = await register(server.url, `bad_${crypto.randomUUID().slice(0, 8)}`)
        const result = await send(path, request(accessToken))
        expectError(result, status, code)
        if (status === 401) wwwBasic(result)
        expect(await secretStatus(server, accessToken)).to.equal(200)
      })
    }
  }
})
