import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { Redis } from 'ioredis'
import { Feed } from '../../../src/adapters/container.ts'
import { SystemClock } from '../../../src/adapters/system_clock.ts'
import {
  call,
  callRaw,
  type CallResult,
  expectError,
  login,
  postWithToken,
  register,
  registerAdmin,
  startTestServer,
  type TestServer,
} from '../../support/http_harness.ts'
import { CLIENTS_ENV, postForm } from '../../support/forward_auth.ts'
import { acquireRedisOrSkip, type RedisHandle } from '../../support/redis_server.ts'
import { SwitchableRevocationStore } from '../../support/switchable_revocations.ts'

const verify = (server: TestServer, token?: string, query = '', method = 'GET') =>
  call(server.url, `/auth/verify${query}`, { method, ...token === undefined ? {} : { token } })

describe('/auth/verify', () => {
  let server: TestServer
  let alice: { accessToken: string; refreshToken: string }
  before(async () => {
    server = await startTestServer()
    alice = await register(server.url, 'verify_alice')
  })
  after(() => server.close())

  it('answers 200 with an empty body and the identity headers for a good access token', async () => {
    const result = await verify(server, alice.accessToken)
    expect(result.status).to.equal(200)
    expect(result.body).to.equal(undefined)
    expect(result.headers.get('content-length')).to.equal('0')
    expect(result.headers.get('x-auth-username')).to.equal('verify_alice')
    expect(result.headers.get('x-auth-subject')).to.match(/^[0-9a-f-]{36}$/)
    expect(result.headers.get('x-auth-admin')).to.equal('false')
    expect(result.headers.get('cache-control')).to.equal('no-store')
  })

  it("says X-Auth-Admin: true for an admin, and each user's own subject", async () => {
    const admin = await registerAdmin(server)
    const result = await verify(server, admin.accessToken)
    expect(result.headers.get('x-auth-admin')).to.equal('true')
    expect(result.headers.get('x-auth-username')).to.equal('admin')
    expect(result.headers.get('x-auth-subject')).to.not.equal(
      (await verify(server, alice.accessToken)).headers.get('x-auth-subject'),
    )
  })

  it('answers 401 with a Bearer challenge for no token, a garbled header, a refresh token and a revoked token', async () => {
    const none = await verify(server)
    expectError(none, 401, 'authorization_required')
    expect(none.headers.get('www-authenticate')).to.equal('Bearer realm="hexauth"')
    expectError(
      await call(server.url, '/auth/verify', { headers: { authorization: 'Bearer' } }),
      401,
      'authorization_required',
    )
    expectError(
      await call(server.url, '/auth/verify', { headers: { authorization: 'Basic abc' } }),
      401,
      'authorization_required',
    )
    expectError(await verify(server, alice.refreshToken), 401, 'invalid_token')
    const bob = await register(server.url, 'verify_bob')
    await postWithToken(server.url, '/logout/access', bob.accessToken)
    const revoked = await verify(server, bob.accessToken)
    expectError(revoked, 401, 'token_revoked')
    expect(revoked.headers.get('www-authenticate')).to.match(/^Bearer realm="hexauth", error="invalid_token"/)
    expect(revoked.headers.get('x-auth-username')).to.equal(null)
  })

  it('?require=admin: 403 admin_required for a plain user, 200 for an admin', async () => {
    expectError(await verify(server, alice.accessToken, '?require=admin'), 403, 'admin_required')
    const admin = await login(server.url, 'admin', 'admin-password')
    expect((await verify(server, admin.accessToken, '?require=admin')).status).to.equal(200)
  })

  it('?require=fresh: 401 fresh_token_required for a refreshed token, 200 for a fresh one', async () => {
    const session = await login(server.url, 'verify_alice')
    const refreshed = (await postWithToken(server.url, '/token/refresh', session.refreshToken)).body
      .access_token as string
    expectError(await verify(server, refreshed, '?require=fresh'), 401, 'fresh_token_required')
    expect((await verify(server, session.accessToken, '?require=fresh')).status).to.equal(200)
    expectError(await verify(server, session.accessToken, '?require=admin,fresh'), 403, 'admin_required')
  })

  it('refuses an unknown ?require= with 400 invalid_request, never letting the request through', async () => {
    for (const query of ['?require=root', '?require=', '?require=admin&require=bogus']) {
      expectError(await verify(server, alice.accessToken, query), 400, 'invalid_request', ['require'])
    }
  })

  it('answers every method a proxy may forward, HEAD included', async () => {
    for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      const result = await verify(server, alice.accessToken, '', method)
      expect(result.status, method).to.equal(200)
      expect(result.headers.get('x-auth-username'), method).to.equal('verify_alice')
    }
  })

  it('never reads the body: a malformed JSON body, an unknown type and a large body change nothing', async () => {
    const headers = { authorization: `Bearer ${alice.accessToken}` }
    for (
      const [body, type] of [['{not json', 'application/json'], ['\u0000\u0001', 'application/octet-stream'], [
        'x'.repeat(1_000_000),
        'text/plain',
      ]] as const
    ) {
      const result = await call(server.url, '/auth/verify', { method: 'POST', raw: body, contentType: type, headers })
      expect(result.status, type).to.equal(200)
    }
    const chunked = await callRaw(server.url, '/auth/verify', {
      method: 'POST',
      headers: { ...headers, 'transfer-encoding': 'chunked', 'content-type': 'application/json' },
      body: '5\r\n{bad!\r\n0\r\n\r\n',
    })
    expect(chunked.status).to.equal(200)
  })

  it('answers odd methods and odd headers with a 4xx, never a 5xx', async () => {
    for (const method of ['PROPFIND', 'TRACE', 'MKCOL', 'PURGE']) {
      const result = await callRaw(server.url, '/auth/verify', {
        method,
        headers: { authorization: `Bearer ${alice.accessToken}` },
      })
      expect(result.status, method).to.be.within(400, 499)
    }
    for (
      const authorization of [
        'Bearer  two-spaces',
        `Bearer ${alice.accessToken} extra`,
        'Bearer \u00e9',
        'x'.repeat(10_000),
        `Bearer ${'a'.repeat(9000)}`,
      ]
    ) {
      const result = await callRaw(server.url, '/auth/verify', {
        method: 'GET',
        headers: { authorization: authorization.replace(/[^\x20-\x7e]/g, '?') },
      })
      expect(result.status, authorization.slice(0, 30)).to.equal(401)
    }
  })
})

describe('/auth/verify when the blocklist cannot answer', () => {
  it('answers 503 service_unavailable, so the proxy refuses the request, and 200 again once it is back', async () => {
    const revocations = new SwitchableRevocationStore(new SystemClock())
    const server = await startTestServer({}, { revocations })
    try {
      const { accessToken } = await register(server.url, 'verify_down')
      revocations.down = true
      const down = await verify(server, accessToken)
      expectError(down, 503, 'service_unavailable')
      expect(down.headers.get('x-auth-username')).to.equal(null)
      revocations.down = false
      expect((await verify(server, accessToken)).status).to.equal(200)
    } finally {
      await server.close()
    }
  })
})

describe('/auth/verify with the revocation near-cache live', function () {
  let redis: RedisHandle
  before(async function () {
    redis = await acquireRedisOrSkip(this, '/auth/verify near-cache suite')
  })
  after(() => redis?.stop())

  /** MGET calls (the blocklist check) Redis has answered since the last RESETSTAT. */
  const mgets = async (admin: Redis) =>
    Number(/cmdstat_mget:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? 0)

  /** MGETs Redis answered for 100 calls of `probe` with a good token, the caches warm. */
  async function checksIn(
    cache: 'on' | 'off',
    probe: (server: TestServer, token: string) => Promise<CallResult> = verify,
  ): Promise<number> {
    const server = await startTestServer({ ...CLIENTS_ENV, REDIS_URL: redis.url, REVOCATION_CACHE: cache })
    const admin = new Redis(redis.url)
    try {
      const { accessToken } = await register(server.url, `nc_${cache}_${crypto.randomUUID().slice(0, 8)}`)
      if (cache === 'on') {
        const feed = await server.container.getAsync(Feed)
        for (let i = 0; i < 500 && !feed.live; i++) await new Promise((r) => setTimeout(r, 10))
        expect(feed.live, 'the feed never went live').to.equal(true)
      }
      expect((await probe(server, accessToken)).status).to.equal(200) // warms the verified-token cache
      await admin.config('RESETSTAT')
      for (let i = 0; i < 100; i++) expect((await probe(server, accessToken)).status).to.equal(200)
      return await mgets(admin)
    } finally {
      await admin.quit()
      await server.close()
    }
  }

  it('answers from memory: no blocklist read reaches Redis in 100 checks (and 100 do without the cache)', async () => {
    expect(await checksIn('on')).to.equal(0)
    expect(await checksIn('off')).to.be.at.least(100)
  })

  it('answers /introspect from memory too, as every protected route', async () => {
    const introspect = async (server: TestServer, token: string) => {
      const result = await postForm(server.url, '/introspect', { token })
      expect(result.body.active).to.equal(true)
      return result
    }
    expect(await checksIn('on', introspect)).to.equal(0)
    expect(await checksIn('off', introspect)).to.be.at.least(100)
  })
})

/** The cookies a response sets: name → value. */
const cookiesSet = (result: CallResult) =>
  new Map(
    result.headers.getSetCookie().map((
      line,
    ) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1, line.indexOf(';'))]),
  )

describe('/auth/verify with cookie tokens (TOKEN_LOCATION=headers,cookies)', () => {
  let server: TestServer
  let cookie: string
  let csrf: string
  before(async () => {
    server = await startTestServer({ TOKEN_LOCATION: 'headers,cookies' })
    const signedUp = await call(server.url, '/registration', {
      json: { username: 'verify_cookie', password: 'correct horse battery' },
    })
    expect(signedUp.status).to.equal(201)
    const jar = cookiesSet(signedUp)
    csrf = jar.get('__Host-hexauth-csrf')!
    cookie = `__Host-hexauth-access=${jar.get('__Host-hexauth-access')}; __Host-hexauth-csrf=${csrf}`
  })
  after(() => server.close())

  const proxied = (headers: Record<string, string>) =>
    call(server.url, '/auth/verify', { headers: { Cookie: cookie, ...headers } })

  it('takes the token from the access cookie for a proxied safe request', async () => {
    const result = await proxied({ 'X-Forwarded-Method': 'GET' })
    expect(result.status).to.equal(200)
    expect(result.headers.get('x-auth-username')).to.equal('verify_cookie')
  })

  it("refuses a proxied unsafe request (X-Forwarded-Method or nginx's X-Original-Method) whose cookie token comes without its CSRF value", async () => {
    expectError(await proxied({ 'X-Forwarded-Method': 'POST' }), 403, 'csrf_failed')
    expectError(await proxied({ 'X-Original-Method': 'DELETE' }), 403, 'csrf_failed')
    expectError(
      await proxied({ 'X-Forwarded-Method': 'PUT', 'X-CSRF-Token': `${csrf.slice(0, -1)}x` }),
      403,
      'csrf_failed',
    )
  })

  it('lets a proxied unsafe request through with the matching X-CSRF-Token, and a header token needs none', async () => {
    const result = await proxied({ 'X-Forwarded-Method': 'POST', 'X-CSRF-Token': csrf })
    expect(result.status).to.equal(200)
    expect(result.headers.get('x-auth-username')).to.equal('verify_cookie')
    const token = cookiesSet(
      await call(server.url, '/login', { json: { username: 'verify_cookie', password: 'correct horse battery' } }),
    )
      .get('__Host-hexauth-access')!
    const bearer = await call(server.url, '/auth/verify', { token, headers: { 'X-Forwarded-Method': 'POST' } })
    expect(bearer.status).to.equal(200)
  })

  it("ignores a reported method that is not a method name, judging by the request's own", async () => {
    expect((await proxied({ 'X-Forwarded-Method': 'GET POST' })).status).to.equal(200)
  })
})
