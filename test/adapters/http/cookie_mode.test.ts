import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import {
  call,
  type CallResult,
  expectError,
  register,
  startTestServer,
  type TestServer,
} from '../../support/http_harness.ts'

const PASSWORD = 'correct horse battery'
const APP = 'http://app.example.test'

/** The cookies a response sets: name → the whole Set-Cookie line. */
function setCookies(result: CallResult): Map<string, string> {
  return new Map(result.headers.getSetCookie().map((line) => [line.slice(0, line.indexOf('=')), line]))
}
const valueOf = (line: string | undefined) => line?.slice(line.indexOf('=') + 1, line.indexOf(';'))

/** A browser's cookie jar, reduced to what these tests need: the latest value per name. */
interface Jar {
  access: string
  refresh: string
  csrf: string
}

describe('Cookie mode (TOKEN_LOCATION=cookies)', () => {
  let server: TestServer
  let headerServer: TestServer
  before(async () => {
    server = await startTestServer({ TOKEN_LOCATION: 'cookies', CORS_ORIGINS: APP })
    headerServer = await startTestServer()
  })
  after(async () => {
    await server.close()
    await headerServer.close()
  })

  async function signUp(username: string): Promise<{ result: CallResult; jar: Jar }> {
    const result = await call(server.url, '/registration', { json: { username, password: PASSWORD } })
    expect(result.status, JSON.stringify(result.body)).to.equal(201)
    const cookies = setCookies(result)
    return {
      result,
      jar: {
        access: valueOf(cookies.get('__Host-hexauth-access'))!,
        refresh: valueOf(cookies.get('__Secure-hexauth-refresh'))!,
        csrf: valueOf(cookies.get('__Host-hexauth-csrf'))!,
      },
    }
  }
  const accessCookie = (jar: Jar) => `__Host-hexauth-access=${jar.access}; __Host-hexauth-csrf=${jar.csrf}`
  const post = (path: string, headers: Record<string, string>) =>
    call(server.url, path, { method: 'POST', json: {}, headers })

  it('sets HttpOnly Secure token cookies (access __Host-, refresh only to /token/refresh), a readable CSRF cookie, and no token in the body', async () => {
    const { result, jar } = await signUp('cookie_user')
    const cookies = setCookies(result)
    expect(cookies.get('__Host-hexauth-access')).to.match(
      /^__Host-hexauth-access=eyJ[^;]+; Path=\/; Max-Age=900; HttpOnly; Secure; SameSite=Lax$/,
    )
    expect(cookies.get('__Secure-hexauth-refresh')).to.match(
      /; Path=\/token\/refresh; Max-Age=2592000; HttpOnly; Secure; SameSite=Lax$/,
    )
    expect(cookies.get('__Host-hexauth-csrf')).to.match(
      /^__Host-hexauth-csrf=[\w-]{43}; Path=\/; Max-Age=2592000; Secure; SameSite=Lax$/,
    )
    expect(Object.keys(result.body).sort()).to.deep.equal(['csrf_token', 'message'])
    expect(result.body.csrf_token).to.equal(jar.csrf)
  })

  it('authenticates a safe request from the access cookie alone', async () => {
    const { jar } = await signUp('cookie_reader')
    expect((await call(server.url, '/secret', { headers: { cookie: accessCookie(jar) } })).status).to.equal(200)
    expect((await call(server.url, '/me', { headers: { cookie: accessCookie(jar) } })).body.username).to.equal(
      'cookie_reader',
    )
  })

  it('ignores an Authorization header in cookies-only mode', async () => {
    const tokens = await register(headerServer.url, 'header_only')
    expectError(await call(server.url, '/secret', { token: tokens.accessToken }), 401, 'authorization_required')
  })

  it('refuses an unsafe cookie request without, with an empty, or with a wrong X-CSRF-Token: 403 csrf_failed, nothing revoked', async () => {
    const { jar } = await signUp('csrf_target')
    for (const csrf of [undefined, '', 'wrong', jar.csrf.slice(1)]) {
      const headers: Record<string, string> = {
        cookie: accessCookie(jar),
        ...csrf === undefined ? {} : { 'x-csrf-token': csrf },
      }
      expectError(await post('/logout/all', headers), 403, 'csrf_failed')
    }
    expect((await call(server.url, '/secret', { headers: { cookie: accessCookie(jar) } })).status).to.equal(200)
    expect((await post('/logout/all', { cookie: accessCookie(jar), 'x-csrf-token': jar.csrf })).status).to.equal(200)
    expectError(await call(server.url, '/secret', { headers: { cookie: accessCookie(jar) } }), 401, 'token_revoked')
  })

  it('refreshes from the refresh cookie with the same CSRF value, which both new tokens keep', async () => {
    const { jar } = await signUp('cookie_refresher')
    expectError(await post('/token/refresh', { cookie: `__Secure-hexauth-refresh=${jar.refresh}` }), 403, 'csrf_failed')
    const result = await post('/token/refresh', {
      cookie: `__Secure-hexauth-refresh=${jar.refresh}`,
      'x-csrf-token': jar.csrf,
    })
    expect(result.status, JSON.stringify(result.body)).to.equal(200)
    const cookies = setCookies(result)
    expect(valueOf(cookies.get('__Host-hexauth-csrf'))).to.equal(jar.csrf)
    const next = {
      access: valueOf(cookies.get('__Host-hexauth-access'))!,
      refresh: valueOf(cookies.get('__Secure-hexauth-refresh'))!,
      csrf: jar.csrf,
    }
    expect(next.access).to.not.equal(jar.access)
    expect((await post('/logout/access', { cookie: accessCookie(next), 'x-csrf-token': jar.csrf })).status).to.equal(
      200,
    )
  })

  it('refuses a cookie token that carries no csrf claim (issued in header mode) on an unsafe request', async () => {
    const tokens = await register(headerServer.url, 'no_claim')
    expectError(
      await post('/logout/all', { cookie: `__Host-hexauth-access=${tokens.accessToken}`, 'x-csrf-token': 'anything' }),
      403,
      'csrf_failed',
    )
    expect((await call(headerServer.url, '/secret', { token: tokens.accessToken })).status).to.equal(200)
  })

  it('POST /logout revokes the session and clears every cookie with the same attributes and Max-Age=0', async () => {
    const { jar } = await signUp('cookie_leaver')
    const result = await post('/logout', { cookie: accessCookie(jar), 'x-csrf-token': jar.csrf })
    expect(result.status).to.equal(200)
    const cleared = setCookies(result)
    expect(cleared.get('__Host-hexauth-access')).to.equal(
      '__Host-hexauth-access=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax',
    )
    expect(cleared.get('__Secure-hexauth-refresh')).to.equal(
      '__Secure-hexauth-refresh=; Path=/token/refresh; Max-Age=0; HttpOnly; Secure; SameSite=Lax',
    )
    expect(cleared.get('__Host-hexauth-csrf')).to.equal('__Host-hexauth-csrf=; Path=/; Max-Age=0; Secure; SameSite=Lax')
    expectError(
      await post('/token/refresh', { cookie: `__Secure-hexauth-refresh=${jar.refresh}`, 'x-csrf-token': jar.csrf }),
      401,
      'token_revoked',
    )
  })

  it('a CSRF failure on POST /logout clears nothing and revokes nothing', async () => {
    const { jar } = await signUp('cookie_stayer')
    const result = await post('/logout', { cookie: accessCookie(jar), 'x-csrf-token': 'wrong' })
    expectError(result, 403, 'csrf_failed')
    expect(result.headers.getSetCookie()).to.deep.equal([])
    expect((await call(server.url, '/secret', { headers: { cookie: accessCookie(jar) } })).status).to.equal(200)
  })

  it('changes the password with the CSRF value, answering new cookies (same session, a new CSRF value) and no token in the body', async () => {
    const { jar } = await signUp('cookie_changer')
    const body = { current_password: PASSWORD, new_password: 'a cookie mode passphrase' }
    expectError(
      await call(server.url, '/password', { json: body, headers: { cookie: accessCookie(jar) } }),
      403,
      'csrf_failed',
    )
    const result = await call(server.url, '/password', {
      json: body,
      headers: { cookie: accessCookie(jar), 'x-csrf-token': jar.csrf },
    })
    expect(result.status, JSON.stringify(result.body)).to.equal(200)
    expect(Object.keys(result.body).sort()).to.deep.equal(['csrf_token', 'message'])
    const cookies = setCookies(result)
    const next = {
      access: valueOf(cookies.get('__Host-hexauth-access'))!,
      refresh: valueOf(cookies.get('__Secure-hexauth-refresh'))!,
      csrf: result.body.csrf_token,
    }
    expect(next.csrf).to.not.equal(jar.csrf)
    expectError(await call(server.url, '/secret', { headers: { cookie: accessCookie(jar) } }), 401, 'token_revoked')
    expect((await call(server.url, '/secret', { headers: { cookie: accessCookie(next) } })).status).to.equal(200)
  })

  it('deletes the account with a fresh access cookie and the CSRF value, clearing every cookie', async () => {
    const { jar } = await signUp('cookie_quitter')
    const result = await call(server.url, '/me', {
      method: 'DELETE',
      json: { password: PASSWORD },
      headers: { cookie: accessCookie(jar), 'x-csrf-token': jar.csrf },
    })
    expect(result.status, JSON.stringify(result.body)).to.equal(200)
    expect([...setCookies(result).values()].every((line) => line.includes('Max-Age=0'))).to.equal(true)
    expect(setCookies(result).size).to.equal(3)
    expectError(await call(server.url, '/secret', { headers: { cookie: accessCookie(jar) } }), 401, 'token_revoked')
  })

  it('a fresh login in cookie mode is a login: a new session with its own cookies', async () => {
    const { jar } = await signUp('cookie_fresh')
    const result = await call(server.url, '/fresh-login', { json: { username: 'cookie_fresh', password: PASSWORD } })
    expect(result.status).to.equal(200)
    const cookies = setCookies(result)
    expect([...cookies.keys()].sort()).to.deep.equal([
      '__Host-hexauth-access',
      '__Host-hexauth-csrf',
      '__Secure-hexauth-refresh',
    ])
    expect(result.body.csrf_token).to.not.equal(jar.csrf)
    const next = { access: valueOf(cookies.get('__Host-hexauth-access'))!, refresh: '', csrf: result.body.csrf_token }
    expect((await call(server.url, '/sessions', { headers: { cookie: accessCookie(next) } })).body.sessions).to.have
      .length(2)
  })

  describe('Fetch Metadata and Origin', () => {
    it('refuses an unsafe request marked Sec-Fetch-Site: cross-site, or from an Origin neither its own nor listed, before any route runs', async () => {
      const { jar } = await signUp('fetch_meta')
      const good = { cookie: accessCookie(jar), 'x-csrf-token': jar.csrf }
      expectError(await post('/logout/all', { ...good, 'sec-fetch-site': 'cross-site' }), 403, 'csrf_failed')
      expectError(await post('/logout/all', { ...good, origin: 'https://evil.example' }), 403, 'csrf_failed')
      expectError(await post('/logout/all', { ...good, origin: 'null' }), 403, 'csrf_failed')
      expectError(
        await call(server.url, '/login', {
          json: { username: 'fetch_meta', password: PASSWORD },
          headers: { 'sec-fetch-site': 'cross-site' },
        }),
        403,
        'csrf_failed',
      )
      expect((await call(server.url, '/secret', { headers: { cookie: accessCookie(jar) } })).status).to.equal(200)
      expect((await post('/logout/access', { ...good, origin: APP, 'sec-fetch-site': 'same-site' })).status).to.equal(
        200,
      )
    })

    it("lets the app's own origin and same-origin requests through", async () => {
      const { jar } = await signUp('own_origin')
      const own = {
        cookie: accessCookie(jar),
        'x-csrf-token': jar.csrf,
        origin: server.url,
        'sec-fetch-site': 'same-origin',
      }
      expect((await post('/logout/all', own)).status).to.equal(200)
    })

    it("answers a listed origin's preflight with credentials allowed and the CSRF header among the allowed ones", async () => {
      const result = await call(server.url, '/logout', {
        method: 'OPTIONS',
        headers: {
          origin: APP,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'x-csrf-token',
        },
      })
      expect(result.headers.get('access-control-allow-origin')).to.equal(APP)
      expect(result.headers.get('access-control-allow-credentials')).to.equal('true')
      expect(result.headers.get('access-control-allow-headers')?.toLowerCase()).to.include('x-csrf-token')
    })
  })

  describe('bad cookies', () => {
    it('refuses a garbage or an oversized access cookie with 401 invalid_token', async () => {
      for (const value of ['garbage', 'a.b.c', 'e'.repeat(9000), '%00%ff']) {
        const result = await call(server.url, '/secret', { headers: { cookie: `__Host-hexauth-access=${value}` } })
        expectError(result, 401, 'invalid_token')
      }
    })

    it('never answers a 5xx to a Cookie header too large for the server', async () => {
      const result = await call(server.url, '/secret', { headers: { cookie: `x=${'y'.repeat(20_000)}` } })
      expect(result.status).to.be.within(400, 499)
    })

    it('refuses two cookies of one name with 400 invalid_request, revoking nothing', async () => {
      const { jar } = await signUp('twice')
      const other = await signUp('twice_other')
      const cookie = `__Host-hexauth-access=${jar.access}; __Host-hexauth-access=${other.jar.access}`
      expectError(await call(server.url, '/secret', { headers: { cookie } }), 400, 'invalid_request')
      expectError(await post('/logout/all', { cookie, 'x-csrf-token': jar.csrf }), 400, 'invalid_request')
      expect((await call(server.url, '/secret', { headers: { cookie: accessCookie(jar) } })).status).to.equal(200)
    })

    it('ignores cookies of other names, whatever they hold', async () => {
      const { jar } = await signUp('neighbours')
      const cookie = `theme=dark; ${accessCookie(jar)}; junk; =empty; hexauth=x`
      expect((await call(server.url, '/secret', { headers: { cookie } })).status).to.equal(200)
    })
  })
})

describe('Cookie mode beside headers (TOKEN_LOCATION=headers,cookies, COOKIE_SECURE=false, COOKIE_SAMESITE=Strict)', () => {
  let server: TestServer
  before(async () => {
    server = await startTestServer({
      TOKEN_LOCATION: 'headers,cookies',
      COOKIE_SECURE: 'false',
      COOKIE_SAMESITE: 'strict',
    })
  })
  after(() => server.close())

  it('answers tokens in the body and as unprefixed, not Secure cookies with the configured SameSite', async () => {
    const result = await call(server.url, '/login', { json: { username: 'nobody_yet', password: PASSWORD } })
    expectError(result, 401, 'invalid_credentials')
    const signed = await call(server.url, '/registration', { json: { username: 'both_ways', password: PASSWORD } })
    expect(Object.keys(signed.body).sort()).to.deep.equal(['access_token', 'csrf_token', 'message', 'refresh_token'])
    const cookies = setCookies(signed)
    expect(cookies.get('hexauth-access')).to.match(/; Path=\/; Max-Age=900; HttpOnly; SameSite=Strict$/)
    expect([...cookies.keys()].sort()).to.deep.equal(['hexauth-access', 'hexauth-csrf', 'hexauth-refresh'])
  })

  it('takes a header token on an unsafe request without any CSRF value', async () => {
    const tokens = await register(server.url, 'header_user')
    expect((await call(server.url, '/logout/access', { method: 'POST', token: tokens.accessToken, json: {} })).status)
      .to.equal(200)
  })

  it('refuses a cookie and a header that hold tokens of different users with 400 invalid_request, acting for neither', async () => {
    const alice = await register(server.url, 'mixed_alice')
    const bob = await register(server.url, 'mixed_bob')
    const result = await call(server.url, '/logout/all', {
      method: 'POST',
      json: {},
      token: alice.accessToken,
      headers: { cookie: `hexauth-access=${bob.accessToken}` },
    })
    expectError(result, 400, 'invalid_request')
    for (const tokens of [alice, bob]) {
      expect((await call(server.url, '/secret', { token: tokens.accessToken })).status).to.equal(200)
    }
  })
})
