import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { GatedHasher, Gates } from '../../support/gates.ts'
import {
  call,
  expectError,
  listUsernames,
  login,
  postWithToken,
  register,
  registerAdmin,
  startTestServer,
  type TestServer,
} from '../../support/http_harness.ts'

describe('user routes', () => {
  let server: TestServer
  let url: string
  let adminToken: string
  let aliceToken: string

  before(async () => {
    server = await startTestServer()
    url = server.url
    adminToken = (await registerAdmin(server)).accessToken
    aliceToken = (await register(url, 'alice', 'alice-password')).accessToken
  })

  after(() => server.close())

  describe('GET /secret', () => {
    it('answers {answer: 42} to a signed-in caller', async () => {
      const result = await call(url, '/secret', { token: aliceToken })
      expect(result.status).to.equal(200)
      expect(result.body).to.deep.equal({ answer: 42 })
    })

    it('answers an anonymous caller with 401 authorization_required', async () => {
      expectError(await call(url, '/secret'), 401, 'authorization_required')
    })
  })

  describe('GET /users', () => {
    it('lists users with id, username, is_admin and created_at to an admin', async () => {
      const result = await call(url, '/users', { token: adminToken })
      expect(result.status).to.equal(200)
      expect(Object.keys(result.body)).to.deep.equal(['users'])
      for (const user of result.body.users) {
        expect(Object.keys(user)).to.have.members(['id', 'username', 'is_admin', 'created_at'])
        expect(user.id).to.be.a('string').that.is.not.empty
        expect(new Date(user.created_at).toISOString()).to.equal(user.created_at)
      }
      const byName = new Map(result.body.users.map((user: { username: string }) => [user.username, user]))
      expect(byName.get('admin')).to.include({ is_admin: true })
      expect(byName.get('alice')).to.include({ is_admin: false })
    })

    it('never sends a password hash', async () => {
      const response = await fetch(`${url}/users`, { headers: { authorization: `Bearer ${adminToken}` } })
      const text = await response.text()
      expect(response.status).to.equal(200)
      expect(text).to.not.match(/argon2|password|hash/i)
    })

    it('answers a non-admin with 403 admin_required and an insufficient_scope challenge', async () => {
      const result = await call(url, '/users', { token: aliceToken })
      expectError(result, 403, 'admin_required')
      const challenge = result.headers.get('www-authenticate') ?? ''
      expect(challenge).to.match(/^Bearer /)
      expect(challenge).to.include('insufficient_scope')
    })
  })

  describe('DELETE /users/:username', () => {
    it('answers 401 token_revoked to a login of the user that was checking the password when the delete landed', async () => {
      const hasher = new GatedHasher()
      const gated = await startTestServer({}, { hasher })
      try {
        const admin = await registerAdmin(gated)
        await register(gated.url, 'root_doomed', 'doomed-password')
        hasher.gates = new Gates()
        const login = call(gated.url, '/login', { json: { username: 'root_doomed', password: 'doomed-password' } })
        await hasher.gates.at(0).reached
        expect((await call(gated.url, '/users/root_doomed', { method: 'DELETE', token: admin.accessToken })).status).to
          .equal(200)
        hasher.gates.openAll()
        expectError(await login, 401, 'token_revoked')
      } finally {
        await gated.close()
      }
    })

    it('deletes the user and revokes every token it holds', async () => {
      const bob = await register(url, 'bob_deleted', 'bob-password')
      const result = await call(url, '/users/bob_deleted', { method: 'DELETE', token: adminToken })
      expect(result.status).to.equal(200)
      expect(result.body.message).to.be.a('string')
      expect(await listUsernames(url, adminToken)).to.not.include('bob_deleted')
      expectError(await call(url, '/secret', { token: bob.accessToken }), 401, 'token_revoked')
      expectError(await postWithToken(url, '/token/refresh', bob.refreshToken), 401, 'token_revoked')
      expectError(
        await call(url, '/login', { json: { username: 'bob_deleted', password: 'bob-password' } }),
        401,
        'invalid_credentials',
      )
    })

    it('lets the name be registered again, with working tokens, while the old ones stay refused', async () => {
      const old = await register(url, 'carol_again', 'carol-password')
      expect((await call(url, '/users/carol_again', { method: 'DELETE', token: adminToken })).status).to.equal(200)
      const reborn = await register(url, 'carol_again', 'carol-new-password')
      expect((await call(url, '/secret', { token: reborn.accessToken })).status).to.equal(200)
      expectError(await call(url, '/secret', { token: old.accessToken }), 401, 'token_revoked')
    })

    it('deletes a user named in another letter case', async () => {
      await register(url, 'dave_case', 'dave-password')
      expect((await call(url, '/users/DAVE_Case', { method: 'DELETE', token: adminToken })).status).to.equal(200)
      expect(await listUsernames(url, adminToken)).to.not.include('dave_case')
    })

    it('answers an unknown user with 404 not_found', async () => {
      expectError(await call(url, '/users/nobody_here', { method: 'DELETE', token: adminToken }), 404, 'not_found')
    })

    it('answers a non-admin with 403 admin_required and deletes nothing', async () => {
      await register(url, 'erin_kept', 'erin-password')
      const result = await call(url, '/users/erin_kept', { method: 'DELETE', token: aliceToken })
      expectError(result, 403, 'admin_required')
      expect(await listUsernames(url, adminToken)).to.include('erin_kept')
    })
  })

  describe('DELETE /users', () => {
    let wiped: TestServer

    before(async () => {
      wiped = await startTestServer()
    })

    after(() => wiped.close())

    it('answers a non-admin with 403 admin_required and deletes nothing', async () => {
      const admin = await registerAdmin(wiped)
      const frank = await register(wiped.url, 'frank', 'frank-password')
      expectError(
        await call(wiped.url, '/users', { method: 'DELETE', token: frank.accessToken }),
        403,
        'admin_required',
      )
      expect(await listUsernames(wiped.url, admin.accessToken)).to.have.members(['admin', 'frank'])
    })

    it("deletes every user and revokes all their tokens, the admin's included", async () => {
      const admin = await login(wiped.url, 'admin', 'admin-password')
      const grace = await register(wiped.url, 'grace', 'grace-password')
      const result = await call(wiped.url, '/users', { method: 'DELETE', token: admin.accessToken })
      expect(result.status).to.equal(200)
      expect(result.body.deleted).to.equal(3)
      expectError(await call(wiped.url, '/secret', { token: grace.accessToken }), 401, 'token_revoked')
      expectError(await call(wiped.url, '/users', { token: admin.accessToken }), 401, 'token_revoked')
      // Gone with the rest, and no caller can take the name back: it is reserved.
      expectError(
        await call(wiped.url, '/registration', { json: { username: 'admin', password: 'admin-password-2' } }),
        409,
        'username_taken',
      )
      const newAdmin = await registerAdmin(wiped, 'admin', 'admin-password-2')
      expect(await listUsernames(wiped.url, newAdmin.accessToken)).to.deep.equal(['admin'])
    })
  })
})
