import { after, afterEach, before, describe, it } from 'mocha'
import { expect } from 'chai'
import {
  call,
  expectError,
  login,
  postWithToken,
  register,
  startTestServer,
  type TestServer,
} from '../../support/http_harness.ts'

const PASSWORD = 'correct horse battery'
const NEW_PASSWORD = 'an entirely new passphrase'

describe('Self-service routes (header mode)', () => {
  let server: TestServer
  before(async () => {
    server = await startTestServer()
  })
  after(() => server.close())

  describe('common passwords', () => {
    it('refuses registration with a listed password, in any letter case, with 400 invalid_request naming password, creating nothing', async () => {
      for (const password of ['iloveyou123', 'ILoveYou123']) {
        expectError(
          await call(server.url, '/registration', { json: { username: 'common_pw', password } }),
          400,
          'invalid_request',
          ['password'],
        )
      }
      expectError(
        await call(server.url, '/login', { json: { username: 'common_pw', password: 'iloveyou123' } }),
        401,
        'invalid_credentials',
      )
    })
  })

  describe('GET /me', () => {
    it("answers the caller's own account: id, username, admin flag, creation time, never a hash", async () => {
      const { accessToken } = await register(server.url, 'me_user')
      const result = await call(server.url, '/me', { token: accessToken })
      expect(result.status).to.equal(200)
      expect(Object.keys(result.body).sort()).to.deep.equal(['created_at', 'id', 'is_admin', 'username'])
      expect(result.body).to.include({ username: 'me_user', is_admin: false })
      expect(Date.parse(result.body.created_at)).to.be.closeTo(Date.now(), 60_000)
    })

    it('needs an access token', async () => {
      expectError(await call(server.url, '/me'), 401, 'authorization_required')
      const { refreshToken } = await register(server.url, 'me_refresh')
      expectError(await call(server.url, '/me', { token: refreshToken }), 401, 'invalid_token')
    })
  })

  describe('POST /password', () => {
    it('changes the password, revokes every other session, and answers a new pair that works', async () => {
      const mine = await register(server.url, 'pw_user')
      const other = await login(server.url, 'pw_user')
      const result = await call(server.url, '/password', {
        token: mine.accessToken,
        json: { current_password: PASSWORD, new_password: NEW_PASSWORD },
      })
      expect(result.status, JSON.stringify(result.body)).to.equal(200)
      expect(Object.keys(result.body).sort()).to.deep.equal(['access_token', 'message', 'refresh_token'])
      expectError(await call(server.url, '/secret', { token: other.accessToken }), 401, 'token_revoked')
      expectError(await postWithToken(server.url, '/token/refresh', other.refreshToken), 401, 'token_revoked')
      expect((await call(server.url, '/secret', { token: result.body.access_token })).status).to.equal(200)
      expect((await postWithToken(server.url, '/token/refresh', result.body.refresh_token)).status).to.equal(200)
      await login(server.url, 'pw_user', NEW_PASSWORD)
      expectError(
        await call(server.url, '/login', { json: { username: 'pw_user', password: PASSWORD } }),
        401,
        'invalid_credentials',
      )
    })

    it('refuses a wrong current password with 401 invalid_credentials, changing nothing', async () => {
      const mine = await register(server.url, 'pw_wrong')
      const result = await call(server.url, '/password', {
        token: mine.accessToken,
        json: { current_password: 'wrong wrong', new_password: NEW_PASSWORD },
      })
      expectError(result, 401, 'invalid_credentials')
      expect((await call(server.url, '/secret', { token: mine.accessToken })).status).to.equal(200)
      await login(server.url, 'pw_wrong', PASSWORD)
    })

    for (
      const [name, json, field] of [
        ['a common new password', { current_password: PASSWORD, new_password: 'Password123' }, 'new_password'],
        [
          'a new password that is not a string',
          { current_password: PASSWORD, new_password: { $gt: '' } },
          'new_password',
        ],
        ['a missing current password', { new_password: NEW_PASSWORD }, 'current_password'],
      ] as const
    ) {
      it(`refuses ${name} with 400 invalid_request naming ${field}, changing nothing`, async () => {
        const mine = await register(server.url, `pw_bad_${field}_${name.length}`)
        expectError(await call(server.url, '/password', { token: mine.accessToken, json }), 400, 'invalid_request', [
          field,
        ])
        expect((await call(server.url, '/secret', { token: mine.accessToken })).status).to.equal(200)
      })
    }
  })

  describe('DELETE /me', () => {
    it("deletes the caller's account with a fresh token and its password: tokens revoked, the name free again", async () => {
      const mine = await register(server.url, 'del_user')
      const result = await call(server.url, '/me', {
        method: 'DELETE',
        token: mine.accessToken,
        json: { password: PASSWORD },
      })
      expect(result.status, JSON.stringify(result.body)).to.equal(200)
      expectError(await call(server.url, '/secret', { token: mine.accessToken }), 401, 'token_revoked')
      expectError(await postWithToken(server.url, '/token/refresh', mine.refreshToken), 401, 'token_revoked')
      expectError(
        await call(server.url, '/login', { json: { username: 'del_user', password: PASSWORD } }),
        401,
        'invalid_credentials',
      )
      await register(server.url, 'del_user', 'a new owner of the name')
    })

    it('needs a fresh token: a refreshed one is 401 fresh_token_required, the account stays', async () => {
      const mine = await register(server.url, 'del_stale')
      const stale = (await postWithToken(server.url, '/token/refresh', mine.refreshToken)).body.access_token
      expectError(
        await call(server.url, '/me', { method: 'DELETE', token: stale, json: { password: PASSWORD } }),
        401,
        'fresh_token_required',
      )
      await login(server.url, 'del_stale')
    })

    it('refuses a wrong password with 401 invalid_credentials and a missing one with 400, the account stays', async () => {
      const mine = await register(server.url, 'del_wrong')
      expectError(
        await call(server.url, '/me', { method: 'DELETE', token: mine.accessToken, json: { password: 'wrong wrong' } }),
        401,
        'invalid_credentials',
      )
      expectError(
        await call(server.url, '/me', { method: 'DELETE', token: mine.accessToken, json: {} }),
        400,
        'invalid_request',
        ['password'],
      )
      expectError(
        await call(server.url, '/me', { method: 'DELETE', token: mine.accessToken }),
        400,
        'invalid_request',
        ['password'],
      )
      await login(server.url, 'del_wrong')
    })
  })
})

describe('POST /password and the brute-force limits', () => {
  let server: TestServer | undefined
  afterEach(() => server?.close())

  it("counts a wrong current password as a failed login of the caller's username", async () => {
    server = await startTestServer({
      RATE_LIMIT: 'on',
      RATE_LIMIT_IP: '1000/1m',
      RATE_LIMIT_LOGIN_USER_IP: '3/15m',
      RATE_LIMIT_LOGIN_USER: '5/1d',
    })
    const mine = await register(server.url, 'limited')
    const wrong = { current_password: 'wrong wrong', new_password: NEW_PASSWORD }
    for (let i = 0; i < 3; i++) {
      expectError(
        await call(server.url, '/password', { token: mine.accessToken, json: wrong }),
        401,
        'invalid_credentials',
      )
    }
    const refused = await call(server.url, '/password', {
      token: mine.accessToken,
      json: { current_password: PASSWORD, new_password: NEW_PASSWORD },
    })
    expectError(refused, 429, 'rate_limited')
    expectError(
      await call(server.url, '/login', { json: { username: 'limited', password: PASSWORD } }),
      429,
      'rate_limited',
    )
    expect((await call(server.url, '/secret', { token: mine.accessToken })).status).to.equal(200)
  })
})
