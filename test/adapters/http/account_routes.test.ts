import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import {
  call,
  expectError,
  listUsernames,
  register,
  registerAdmin,
  startTestServer,
  type TestServer,
} from '../../support/http_harness.ts'

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

describe('account routes: registration and login', () => {
  let server: TestServer
  let url: string
  let adminToken: string

  before(async () => {
    server = await startTestServer()
    url = server.url
    adminToken = (await registerAdmin(server)).accessToken
  })

  after(() => server.close())

  describe('POST /registration', () => {
    it('answers 201 with a message and a token pair', async () => {
      const result = await call(url, '/registration', { json: { username: 'reg_ok', password: 'reg-ok-password' } })
      expect(result.status).to.equal(201)
      expect(Object.keys(result.body)).to.have.members(['message', 'access_token', 'refresh_token'])
      expect(result.body.message).to.be.a('string').that.includes('reg_ok')
      expect(result.body.access_token).to.match(JWT)
      expect(result.body.refresh_token).to.match(JWT)
      expect((await call(url, '/secret', { token: result.body.access_token })).status).to.equal(200)
    })

    it('answers 409 username_taken for a taken name and keeps the stored password', async () => {
      await register(url, 'reg_dup', 'first-password')
      const again = await call(url, '/registration', { json: { username: 'reg_dup', password: 'second-password' } })
      expectError(again, 409, 'username_taken')
      expect((await call(url, '/login', { json: { username: 'reg_dup', password: 'first-password' } })).status)
        .to.equal(200)
      expectError(
        await call(url, '/login', { json: { username: 'reg_dup', password: 'second-password' } }),
        401,
        'invalid_credentials',
      )
    })

    it('answers 409 username_taken for a letter-case variant and keeps the stored password', async () => {
      await register(url, 'reg_case', 'first-password')
      const variant = await call(url, '/registration', { json: { username: 'REG_Case', password: 'second-password' } })
      expectError(variant, 409, 'username_taken')
      expect((await call(url, '/login', { json: { username: 'reg_case', password: 'first-password' } })).status)
        .to.equal(200)
      expectError(
        await call(url, '/login', { json: { username: 'REG_Case', password: 'second-password' } }),
        401,
        'invalid_credentials',
      )
      expect((await listUsernames(url, adminToken)).filter((name) => name.toLowerCase() === 'reg_case'))
        .to.deep.equal(['reg_case'])
    })

    it('refuses an ADMIN_USERNAMES name in any letter case as taken though no such account exists: no caller makes itself an admin', async () => {
      const reserved = await startTestServer({ ADMIN_USERNAMES: 'admin,root' })
      try {
        for (const username of ['root', 'ROOT', 'Root']) {
          expectError(
            await call(reserved.url, '/registration', { json: { username, password: 'root-password' } }),
            409,
            'username_taken',
          )
        }
        expectError(
          await call(reserved.url, '/login', { json: { username: 'root', password: 'root-password' } }),
          401,
          'invalid_credentials',
        )
        // The operator's way in: the CLI's register, here through the same use case.
        const root = await registerAdmin(reserved, 'root', 'root-password')
        expect((await call(reserved.url, '/users', { token: root.accessToken })).status).to.equal(200)
      } finally {
        await reserved.close()
      }
    })

    it('ignores an is_admin field in the body', async () => {
      const result = await call(url, '/registration', {
        json: { username: 'reg_mallory', password: 'mallory-password', is_admin: true },
      })
      expect(result.status).to.equal(201)
      expectError(await call(url, '/users', { token: result.body.access_token }), 403, 'admin_required')
    })
  })

  describe('POST /login', () => {
    before(() => register(url, 'login_user', 'login-password'))

    it('answers 200 with a message and a token pair', async () => {
      const result = await call(url, '/login', { json: { username: 'login_user', password: 'login-password' } })
      expect(result.status).to.equal(200)
      expect(Object.keys(result.body)).to.have.members(['message', 'access_token', 'refresh_token'])
      expect(result.body.message).to.be.a('string').that.is.not.empty
      expect(result.body.access_token).to.match(JWT)
      expect(result.body.refresh_token).to.match(JWT)
    })

    it('issues a fresh access token, which may create an item', async () => {
      const result = await call(url, '/login', { json: { username: 'login_user', password: 'login-password' } })
      const created = await call(url, '/item/login-fresh', { token: result.body.access_token, json: { price: 3 } })
      expect(created.status).to.equal(201)
    })

    it('logs in with the username in another letter case', async () => {
      const result = await call(url, '/login', { json: { username: 'LOGIN_USER', password: 'login-password' } })
      expect(result.status).to.equal(200)
    })

    it('answers a wrong password and an unknown user with the same 401 invalid_credentials', async () => {
      const wrong = await call(url, '/login', { json: { username: 'login_user', password: 'wrong-password' } })
      const unknown = await call(url, '/login', { json: { username: 'nobody_here', password: 'login-password' } })
      expectError(wrong, 401, 'invalid_credentials')
      expectError(unknown, 401, 'invalid_credentials')
      expect(unknown.body).to.deep.equal(wrong.body)
    })
  })

  describe('POST /fresh-login', () => {
    before(() => register(url, 'fresh_user', 'fresh-password'))

    it('answers 200 with a fresh access token only', async () => {
      const result = await call(url, '/fresh-login', { json: { username: 'fresh_user', password: 'fresh-password' } })
      expect(result.status).to.equal(200)
      expect(Object.keys(result.body)).to.deep.equal(['access_token'])
      expect(result.body.access_token).to.match(JWT)
      const created = await call(url, '/item/fresh-login-item', { token: result.body.access_token, json: { price: 1 } })
      expect(created.status).to.equal(201)
    })

    it('answers a wrong password with 401 invalid_credentials', async () => {
      const result = await call(url, '/fresh-login', { json: { username: 'fresh_user', password: 'wrong-password' } })
      expectError(result, 401, 'invalid_credentials')
    })

    it("with the session's refresh token, joins that session: logging it out revokes the fresh token", async () => {
      const session = await register(url, 'fresh_joined', 'fresh-password')
      const fresh = await call(url, '/fresh-login', {
        token: session.refreshToken,
        json: { username: 'fresh_joined', password: 'fresh-password' },
      })
      expect(fresh.status).to.equal(200)
      expect((await call(url, '/logout/refresh', { method: 'POST', token: session.refreshToken, json: {} })).status).to
        .equal(200)
      expectError(
        await call(url, '/item/fresh-joined-item', { token: fresh.body.access_token, json: { price: 1 } }),
        401,
        'token_revoked',
      )
    })

    it('without a refresh token, stands alone: /logout/access with the fresh token itself revokes it', async () => {
      await register(url, 'fresh_alone', 'fresh-password')
      const fresh = await call(url, '/fresh-login', { json: { username: 'fresh_alone', password: 'fresh-password' } })
      expect((await call(url, '/logout/access', { method: 'POST', token: fresh.body.access_token, json: {} })).status)
        .to.equal(200)
      expectError(
        await call(url, '/item/fresh-alone-item', { token: fresh.body.access_token, json: { price: 1 } }),
        401,
        'token_revoked',
      )
    })

    it("refuses another account's refresh token, or a garbled one, with 401 and issues nothing", async () => {
      const other = await register(url, 'fresh_other', 'fresh-password')
      const body = { username: 'fresh_user', password: 'fresh-password' }
      expectError(await call(url, '/fresh-login', { token: other.refreshToken, json: body }), 401, 'invalid_token')
      expectError(await call(url, '/fresh-login', { token: 'not-a-token', json: body }), 401, 'invalid_token')
      expectError(
        await call(url, '/fresh-login', { headers: { authorization: 'Basic abc' }, json: body }),
        401,
        'authorization_required',
      )
    })
  })
})
