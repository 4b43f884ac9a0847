import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { FakeClock } from '../../support/fake_clock.ts'
import {
  call,
  callRaw,
  expectError,
  login,
  postWithToken,
  register,
  startTestServer,
  type TestServer,
} from '../../support/http_harness.ts'

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

describe('account routes: refresh and logout', () => {
  // A clock that moves only when told: "issued up to now" and "later" are exact, never racy.
  // Made when the server starts, not when this file loads: Redis expires keys at absolute
  // times (EXAT) on its own clock, so a fake clock that had fallen behind by the time the suite
  // ran (the whole HTTP suite before it) made the successor of a refresh expire at once.
  let clock: FakeClock
  let server: TestServer
  let url: string

  before(async () => {
    clock = new FakeClock()
    server = await startTestServer({}, { clock })
    url = server.url
  })

  after(() => server.close())

  describe('POST /token/refresh', () => {
    it('answers 200 with a rotated token pair', async () => {
      const { refreshToken } = await register(url, 'refresh_ok', 'refresh-password')
      const result = await postWithToken(url, '/token/refresh', refreshToken)
      expect(result.status).to.equal(200)
      expect(Object.keys(result.body)).to.have.members(['access_token', 'refresh_token'])
      expect(result.body.access_token).to.match(JWT)
      expect(result.body.refresh_token).to.match(JWT).and.not.equal(refreshToken)
      expect((await call(url, '/secret', { token: result.body.access_token })).status).to.equal(200)
      expect((await postWithToken(url, '/token/refresh', result.body.refresh_token)).status).to.equal(200)
    })

    it('issues an access token that is not fresh', async () => {
      const { refreshToken } = await register(url, 'refresh_stale', 'refresh-password')
      const { body } = await postWithToken(url, '/token/refresh', refreshToken)
      const result = await call(url, '/item/stale-item', { token: body.access_token, json: { price: 1 } })
      expectError(result, 401, 'fresh_token_required')
      expect(result.headers.get('www-authenticate')).to.match(/^Bearer /)
    })

    it('serves a used refresh token again within the grace window, as two tabs refreshing at once need', async () => {
      const { refreshToken } = await register(url, 'refresh_twice', 'refresh-password')
      const first = await postWithToken(url, '/token/refresh', refreshToken)
      clock.advance(9_000)
      const second = await postWithToken(url, '/token/refresh', refreshToken)
      expect([first.status, second.status]).to.deep.equal([200, 200])
      expect((await postWithToken(url, '/token/refresh', first.body.refresh_token)).status).to.equal(200)
    })

    it('answers five concurrent uses within the grace window with one successor: the family never forks', async () => {
      const { refreshToken } = await register(url, 'refresh_tabs', 'refresh-password')
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => postWithToken(url, '/token/refresh', refreshToken)),
      )
      expect(answers.map((answer) => answer.status)).to.deep.equal([200, 200, 200, 200, 200])
      const jtiOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti
      expect(new Set(answers.map((answer) => jtiOf(answer.body.refresh_token))).size).to.equal(1)
      const next = await postWithToken(url, '/token/refresh', answers[0]!.body.refresh_token)
      clock.advance(11_000)
      expectError(await postWithToken(url, '/token/refresh', answers[4]!.body.refresh_token), 401, 'token_reused')
      expectError(await postWithToken(url, '/token/refresh', next.body.refresh_token), 401, 'token_revoked')
    })

    it('refuses the presented refresh token with token_reused once the grace window has passed', async () => {
      const { refreshToken } = await register(url, 'refresh_once', 'refresh-password')
      expect((await postWithToken(url, '/token/refresh', refreshToken)).status).to.equal(200)
      clock.advance(11_000)
      expectError(await postWithToken(url, '/token/refresh', refreshToken), 401, 'token_reused')
    })

    it('accepts a bodyless POST (Content-Length: 0, no Content-Type) as fetch sends it', async () => {
      const { refreshToken } = await register(url, 'refresh_bodyless', 'refresh-password')
      const result = await call(url, '/token/refresh', { method: 'POST', token: refreshToken })
      expect(result.status, JSON.stringify(result.body)).to.equal(200)
    })

    it('accepts a POST without any body or Content-Length', async () => {
      const { refreshToken } = await register(url, 'refresh_raw', 'refresh-password')
      const result = await callRaw(url, '/token/refresh', {
        method: 'POST',
        headers: { authorization: `Bearer ${refreshToken}` },
      })
      expect(result.status, JSON.stringify(result.body)).to.equal(200)
      expect(result.body.access_token).to.match(JWT)
    })
  })

  describe('POST /logout/access', () => {
    it('revokes the presented access token only', async () => {
      const { accessToken, refreshToken } = await register(url, 'logout_access', 'logout-password')
      const result = await postWithToken(url, '/logout/access', accessToken)
      expect(result.status).to.equal(200)
      expect(result.body.message).to.be.a('string')
      expectError(await call(url, '/secret', { token: accessToken }), 401, 'token_revoked')
      expect((await postWithToken(url, '/token/refresh', refreshToken)).status).to.equal(200)
    })

    it('accepts a bodyless POST (Content-Length: 0, no Content-Type) as fetch sends it', async () => {
      const { accessToken } = await register(url, 'logout_bodyless', 'logout-password')
      const result = await call(url, '/logout/access', { method: 'POST', token: accessToken })
      expect(result.status, JSON.stringify(result.body)).to.equal(200)
    })
  })

  describe('POST /logout/refresh', () => {
    it('revokes the presented refresh token', async () => {
      const { refreshToken } = await register(url, 'logout_refresh', 'logout-password')
      const result = await postWithToken(url, '/logout/refresh', refreshToken)
      expect(result.status).to.equal(200)
      expectError(await postWithToken(url, '/token/refresh', refreshToken), 401, 'token_revoked')
    })

    it('revokes the refresh tokens rotated from the same login', async () => {
      const { refreshToken } = await register(url, 'logout_family', 'logout-password')
      const rotated = (await postWithToken(url, '/token/refresh', refreshToken)).body.refresh_token as string
      expect((await postWithToken(url, '/logout/refresh', rotated)).status).to.equal(200)
      expectError(await postWithToken(url, '/token/refresh', rotated), 401, 'token_revoked')
    })
  })

  describe('POST /logout/all', () => {
    it('revokes every earlier token of the user, and a new login works', async () => {
      const first = await register(url, 'logout_all', 'logout-password')
      const second = await login(url, 'logout_all', 'logout-password')
      const fresh = await call(url, '/fresh-login', { json: { username: 'logout_all', password: 'logout-password' } })
      expect((await postWithToken(url, '/logout/all', second.accessToken)).status).to.equal(200)
      clock.advance(1)
      for (const token of [first.accessToken, second.accessToken, fresh.body.access_token as string]) {
        expectError(await call(url, '/secret', { token }), 401, 'token_revoked')
      }
      for (const token of [first.refreshToken, second.refreshToken]) {
        expectError(await postWithToken(url, '/token/refresh', token), 401, 'token_revoked')
      }
      const again = await login(url, 'logout_all', 'logout-password')
      expect((await call(url, '/secret', { token: again.accessToken })).status).to.equal(200)
      expect((await postWithToken(url, '/token/refresh', again.refreshToken)).status).to.equal(200)
    })

    it('leaves other users signed in', async () => {
      const mine = await register(url, 'logout_all_me', 'logout-password')
      const theirs = await register(url, 'logout_all_them', 'logout-password')
      expect((await postWithToken(url, '/logout/all', mine.accessToken)).status).to.equal(200)
      expect((await call(url, '/secret', { token: theirs.accessToken })).status).to.equal(200)
    })
  })

  describe('refresh token reuse', () => {
    it('answers a rotated refresh token presented again later with token_reused and revokes its family', async () => {
      const { refreshToken } = await register(url, 'reuse_victim', 'reuse-password')
      const rotated = await postWithToken(url, '/token/refresh', refreshToken)
      expect(rotated.status).to.equal(200)
      // Well past any "short grace window for concurrent tabs".
      clock.advance(5 * 60_000)
      expectError(await postWithToken(url, '/token/refresh', refreshToken), 401, 'token_reused')
      const stolen = await postWithToken(url, '/token/refresh', rotated.body.refresh_token)
      expectError(stolen, 401, 'token_revoked')
    })

    it("leaves the user's other sessions signed in when one family is revoked for reuse", async () => {
      const first = await register(url, 'reuse_two_sessions', 'reuse-password')
      const other = await login(url, 'reuse_two_sessions', 'reuse-password')
      expect((await postWithToken(url, '/token/refresh', first.refreshToken)).status).to.equal(200)
      clock.advance(60_000)
      expectError(await postWithToken(url, '/token/refresh', first.refreshToken), 401, 'token_reused')
      expect((await postWithToken(url, '/token/refresh', other.refreshToken)).status).to.equal(200)
    })
  })
})
