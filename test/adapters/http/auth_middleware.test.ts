import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { decodeJwt, SignJWT, UnsecuredJWT } from 'jose'
import { FakeClock } from '../../support/fake_clock.ts'
import {
  call,
  type CallResult,
  expectError,
  postWithToken,
  register,
  startTestServer,
  TEST_SECRET,
  type TestServer,
} from '../../support/http_harness.ts'

/** Asserts a 401 token error with an RFC 6750 challenge. */
function expectTokenError(result: CallResult, code: string): void {
  expectError(result, 401, code)
  expect(result.headers.get('www-authenticate')).to.match(/^Bearer( |$)/)
}

/** Signs `claims` as an access token the way hexauth does, with `secret` and header `typ`. */
function signAccess(claims: Record<string, unknown>, secret: string, typ = 'at+jwt'): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ })
    .sign(new TextEncoder().encode(secret))
}

describe('requireAccess and optionalAccess', () => {
  const clock = new FakeClock()
  let server: TestServer
  let url: string
  let alice: { accessToken: string; refreshToken: string }

  before(async () => {
    // HS256: the "correctly signed" forgeries below sign with the shared secret.
    server = await startTestServer({ JWT_SECRET: TEST_SECRET }, { clock })
    url = server.url
    alice = await register(url, 'alice', 'alice-password')
  })

  after(() => server.close())

  describe('authorization_required', () => {
    const headers: readonly (readonly [string, string | undefined])[] = [
      ['no Authorization header', undefined],
      ['"Bearer" alone', 'Bearer'],
      ['"Bearer" and a space', 'Bearer '],
      ['a Basic credential ("Basic xyz")', 'Basic xyz'],
    ]
    for (const [label, header] of headers) {
      it(`answers ${label} with 401 authorization_required`, async () => {
        const result = await call(url, '/secret', header === undefined ? {} : { headers: { authorization: header } })
        expectTokenError(result, 'authorization_required')
      })
    }

    it('answers "Bearer" followed by two spaces and a valid token with 401 authorization_required', async () => {
      const result = await call(url, '/secret', { headers: { authorization: `Bearer  ${alice.accessToken}` } })
      expectTokenError(result, 'authorization_required')
    })

    it('ignores a valid token in the query string', async () => {
      const result = await call(url, `/secret?access_token=${alice.accessToken}`)
      expectTokenError(result, 'authorization_required')
    })

    it('accepts the scheme in any letter case', async () => {
      const result = await call(url, '/secret', { headers: { authorization: `bearer ${alice.accessToken}` } })
      expect(result.status).to.equal(200)
    })
  })

  describe('invalid_token', () => {
    it('answers garbage after "Bearer" with invalid_token', async () => {
      expectTokenError(await call(url, '/secret', { token: 'not.a.jwt' }), 'invalid_token')
    })

    it('answers an oversized token with invalid_token', async () => {
      expectTokenError(await call(url, '/secret', { token: 'a'.repeat(9000) }), 'invalid_token')
    })

    it('answers a refresh token on an access route with invalid_token', async () => {
      expectTokenError(await call(url, '/secret', { token: alice.refreshToken }), 'invalid_token')
    })

    it('answers an access token on /token/refresh with invalid_token', async () => {
      expectTokenError(await postWithToken(url, '/token/refresh', alice.accessToken), 'invalid_token')
    })

    it('answers a token signed with another secret with invalid_token', async () => {
      const forged = await signAccess(decodeJwt(alice.accessToken), 'another-secret-0123456789-abcdefghijklmnop')
      expectTokenError(await call(url, '/secret', { token: forged }), 'invalid_token')
    })

    it('answers an admin claim forged without the secret with invalid_token, not a user list', async () => {
      const claims = { ...decodeJwt(alice.accessToken), is_admin: true }
      const forged = await signAccess(claims, 'another-secret-0123456789-abcdefghijklmnop')
      expectTokenError(await call(url, '/users', { token: forged }), 'invalid_token')
    })

    it('answers an unsigned (alg "none") token with invalid_token', async () => {
      const unsigned = new UnsecuredJWT(decodeJwt(alice.accessToken)).encode()
      expectTokenError(await call(url, '/secret', { token: unsigned }), 'invalid_token')
    })

    it('answers a correctly signed token without a jti with invalid_token', async () => {
      const { jti: _jti, ...claims } = decodeJwt(alice.accessToken)
      expectTokenError(await call(url, '/secret', { token: await signAccess(claims, TEST_SECRET) }), 'invalid_token')
    })

    it('answers a correctly signed token with the wrong typ header with invalid_token', async () => {
      const token = await signAccess(decodeJwt(alice.accessToken), TEST_SECRET, 'JWT')
      expectTokenError(await call(url, '/secret', { token }), 'invalid_token')
    })
  })

  describe('token_revoked, fresh_token_required and admin_required', () => {
    it('answers a logged-out access token with token_revoked', async () => {
      const { accessToken } = await register(url, 'revoked_user', 'revoked-password')
      expect((await postWithToken(url, '/logout/access', accessToken)).status).to.equal(200)
      expectTokenError(await call(url, '/secret', { token: accessToken }), 'token_revoked')
    })

    it('answers a refreshed access token on a fresh-only route with fresh_token_required', async () => {
      const { refreshToken } = await register(url, 'stale_user', 'stale-password')
      const { body } = await postWithToken(url, '/token/refresh', refreshToken)
      expectTokenError(
        await call(url, '/item/gadget', { token: body.access_token, json: { price: 1 } }),
        'fresh_token_required',
      )
    })

    it('answers a non-admin on an admin route with 403 admin_required', async () => {
      const result = await call(url, '/users', { token: alice.accessToken })
      expectError(result, 403, 'admin_required')
      expect(result.headers.get('www-authenticate')).to.match(/^Bearer .*insufficient_scope/)
    })
  })

  describe('token_expired', () => {
    // Runs last: it moves the shared clock past the access token lifetime (15 min).
    it('accepts an access token until it expires and answers token_expired after', async () => {
      const { accessToken, refreshToken } = await register(url, 'expiring', 'expiring-password')
      clock.advance(14 * 60_000)
      expect((await call(url, '/secret', { token: accessToken })).status).to.equal(200)
      clock.advance(2 * 60_000)
      expectTokenError(await call(url, '/secret', { token: accessToken }), 'token_expired')
      expectTokenError(await call(url, '/items', { token: accessToken }), 'token_expired')
      const renewed = await postWithToken(url, '/token/refresh', refreshToken)
      expect(renewed.status).to.equal(200)
      expect((await call(url, '/secret', { token: renewed.body.access_token })).status).to.equal(200)
    })

    it('answers an expired refresh token with token_expired', async () => {
      const { refreshToken } = await register(url, 'expiring_refresh', 'expiring-password')
      clock.advance(31 * 24 * 3600_000)
      expectTokenError(await postWithToken(url, '/token/refresh', refreshToken), 'token_expired')
    })
  })
})
