import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import type { TokenClaims } from '../../src/domain/token_claims.ts'
import { type Core, createCore, PASSWORD, rejectsWith } from '../support/core_fixtures.ts'

describe('login sessions (ListSessions, RevokeSessions, and their recording)', () => {
  let core: Core
  let first: { accessToken: string; refreshToken: string }
  let caller: TokenClaims
  beforeEach(async () => {
    core = await createCore()
    first = await core.registerUser.execute({ username: 'alice', password: PASSWORD }, {
      client: { userAgent: 'Firefox', ip: '192.0.2.1' },
    })
    caller = await core.checkClaims.execute({ token: first.accessToken, type: 'access' })
  })
  const login = (agent: string) =>
    core.login.execute({ username: 'alice', password: PASSWORD }, { userAgent: agent, ip: '192.0.2.9' })

  it("records a session per login, with its client, the family as its id, and marks the caller's own", async () => {
    core.clock.advance(1000)
    const second = await login('Chrome')
    const listed = await core.listSessions.execute(caller)
    expect(listed.map((s) => [s.userAgent, s.ip, s.current])).to.deep.equal([['Chrome', '192.0.2.9', false], [
      'Firefox',
      '192.0.2.1',
      true,
    ]])
    expect(listed[0]!.id).to.equal(second.sessionId).and.to.equal(
      (await core.verifier.verify(second.refreshToken, 'refresh')).fam,
    )
  })

  it('updates last use and client at each refresh, keeping the creation time', async () => {
    const created = (await core.listSessions.execute(caller))[0]!.createdAt
    core.clock.advance(60_000)
    await core.refreshAccess.execute({ token: first.refreshToken, client: { userAgent: 'Firefox 2', ip: '192.0.2.2' } })
    const [session] = await core.listSessions.execute(caller)
    expect(session).to.deep.include({
      createdAt: created,
      lastUsedAt: new Date(core.clock.now()),
      userAgent: 'Firefox 2',
      ip: '192.0.2.2',
    })
  })

  it('cuts a long user agent to 256 characters', async () => {
    await login('x'.repeat(5000))
    const agents = (await core.listSessions.execute(caller)).map((s) => s.userAgent?.length)
    expect(agents).to.include(256)
  })

  it('does not list a session logged out, one whose refresh token was reused, or one past its lifetime', async () => {
    const out = await login('logged out')
    await core.revokeToken.execute({ token: out.refreshToken, type: 'refresh' })
    const reused = await login('reused')
    await core.refreshAccess.execute({ token: reused.refreshToken })
    core.clock.advance((core.policy.refreshReuseGraceSeconds + 1) * 1000)
    await rejectsWith(core.refreshAccess.execute({ token: reused.refreshToken }), 'token_reused')
    expect((await core.listSessions.execute(caller)).map((s) => s.userAgent)).to.deep.equal(['Firefox'])
    core.clock.advance(core.policy.refreshTtlSeconds * 1000)
    expect(await core.listSessions.execute(caller)).to.deep.equal([])
  })

  it("revokes one of the caller's sessions by id: its tokens stop working, the others go on", async () => {
    const other = await login('Chrome')
    expect(await core.revokeSessions.execute({ caller, id: other.sessionId })).to.equal(1)
    await rejectsWith(core.checkClaims.execute({ token: other.accessToken, type: 'access' }), 'token_revoked')
    await core.checkClaims.execute({ token: first.accessToken, type: 'access' })
    expect((await core.listSessions.execute(caller)).map((s) => s.userAgent)).to.deep.equal(['Firefox'])
  })

  it("answers not_found for another user's session id, a made-up one and a non-string, revoking nothing", async () => {
    const bob = await core.registerUser.execute({ username: 'bob', password: PASSWORD })
    const bobs = (await core.verifier.verify(bob.refreshToken, 'refresh')).fam
    for (const id of [bobs, 'no-such-session', { $ne: '' }, 'x'.repeat(500)]) {
      await rejectsWith(core.revokeSessions.execute({ caller, id }), 'not_found')
    }
    await core.checkClaims.execute({ token: bob.accessToken, type: 'access' })
    expect(await core.sessions.listByUser(bob.userId as TokenClaims['sub'], new Date(core.clock.now()))).to.have.length(
      1,
    )
  })

  it('revokes every session but the current one and answers how many', async () => {
    const others = [await login('a'), await login('b')]
    expect(await core.revokeSessions.execute({ caller, allButCurrent: true })).to.equal(2)
    for (const other of others) {
      await rejectsWith(core.checkClaims.execute({ token: other.accessToken, type: 'access' }), 'token_revoked')
    }
    await core.checkClaims.execute({ token: first.accessToken, type: 'access' })
    expect(await core.revokeSessions.execute({ caller, allButCurrent: true })).to.equal(0)
  })
})

describe('GetMe', () => {
  it("answers the caller's account without its hash, and token_revoked once it is gone", async () => {
    const core = await createCore()
    const pair = await core.registerUser.execute({ username: 'Alice', password: PASSWORD })
    const caller = await core.checkClaims.execute({ token: pair.accessToken, type: 'access' })
    const me = await core.getMe.execute(caller)
    expect(me).to.deep.equal({
      id: caller.sub,
      username: 'Alice',
      isAdmin: false,
      createdAt: new Date(core.clock.now()),
    })
    await core.users.delete(me.username)
    await rejectsWith(core.getMe.execute(caller), 'token_revoked')
  })
})

describe('CSRF claims (cookie mode)', () => {
  it('gives each session one random csrf value, shared by its access and refresh tokens and kept across refreshes', async () => {
    const core = await createCore({ csrf: true })
    const a = await core.registerUser.execute({ username: 'alice', password: PASSWORD })
    const b = await core.login.execute({ username: 'alice', password: PASSWORD })
    const [access, refresh] = [
      await core.verifier.verify(a.accessToken, 'access'),
      await core.verifier.verify(a.refreshToken, 'refresh'),
    ]
    expect(access.csrf).to.be.a('string').with.length(43).and.equal(refresh.csrf).and.equal(a.csrf)
    expect((await core.verifier.verify(b.accessToken, 'access')).csrf).to.not.equal(access.csrf)
    core.clock.advance(1000)
    const rotated = await core.refreshAccess.execute({ token: a.refreshToken })
    expect((await core.verifier.verify(rotated.accessToken, 'access')).csrf).to.equal(access.csrf)
    expect(rotated.csrf).to.equal(access.csrf)
  })

  it('refuses a cookie token whose request presents a wrong, empty or no CSRF value, or that has no csrf claim', async () => {
    const core = await createCore({ csrf: true })
    const pair = await core.registerUser.execute({ username: 'alice', password: PASSWORD })
    for (const presented of ['wrong', '', undefined, pair.csrf!.slice(0, -1), `${pair.csrf}x`]) {
      await rejectsWith(
        core.checkClaims.execute({ token: pair.accessToken, type: 'access', csrf: { presented } }),
        'csrf_failed',
      )
    }
    await core.checkClaims.execute({ token: pair.accessToken, type: 'access', csrf: { presented: pair.csrf } })
    const plain = await createCore()
    const header = await plain.registerUser.execute({ username: 'alice', password: PASSWORD })
    await rejectsWith(
      plain.checkClaims.execute({ token: header.accessToken, type: 'access', csrf: { presented: 'x' } }),
      'csrf_failed',
    )
  })

  it('refuses a refresh from a cookie with a wrong CSRF value before the token is used', async () => {
    const core = await createCore({ csrf: true })
    const pair = await core.registerUser.execute({ username: 'alice', password: PASSWORD })
    await rejectsWith(
      core.refreshAccess.execute({ token: pair.refreshToken, csrf: { presented: 'wrong' } }),
      'csrf_failed',
    )
    await core.refreshAccess.execute({ token: pair.refreshToken, csrf: { presented: pair.csrf } })
  })
})

describe('common passwords at registration', () => {
  it('refuses a listed password in any letter case with invalid_request naming password, and creates nothing', async () => {
    const core = await createCore()
    for (const password of ['password123', 'PassWord123']) {
      const error = await rejectsWith(core.registerUser.execute({ username: 'alice', password }), 'invalid_request')
      expect(error.fields).to.have.keys(['password'])
    }
    expect(await core.users.list()).to.deep.equal([])
    await core.registerUser.execute({ username: 'alice', password: 'password1234' })
  })
})
