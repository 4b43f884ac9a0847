import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import type { TokenPair } from '../../src/application/token_minter.ts'
import { type Core, createCore, PASSWORD, rejectsWith } from '../support/core_fixtures.ts'

const DAY_MS = 86_400_000

describe('RevokeToken', () => {
  let core: Core
  let session: TokenPair
  let bob: TokenPair
  beforeEach(async () => {
    core = await createCore()
    session = await core.registerUser.execute({ username: 'alice', password: PASSWORD })
    bob = await core.registerUser.execute({ username: 'bob', password: PASSWORD })
    core.clock.advance(500)
  })

  const access = (token: string) => core.checkClaims.execute({ token, type: 'access' })
  const refresh = (token: string) => core.checkClaims.execute({ token, type: 'refresh' })

  it("keeps a revoked token refused through the verifier's clock leeway past exp", async () => {
    const lenient = await createCore({ leewaySeconds: 5 })
    const tokens = await lenient.registerUser.execute({ username: 'carol', password: PASSWORD })
    const claims = await lenient.checkClaims.execute({ token: tokens.accessToken, type: 'access' })
    await lenient.revokeToken.execute({ token: tokens.accessToken, type: 'access' })
    lenient.clock.advance((claims.exp + 1) * 1000 - lenient.clock.now())
    await rejectsWith(lenient.checkClaims.execute({ token: tokens.accessToken, type: 'access' }), 'token_revoked')
  })

  it('keeps a family revocation as long as access tokens live when they outlive refresh tokens', async () => {
    const odd = await createCore({ accessTtlSeconds: 7200, refreshTtlSeconds: 3600 })
    const tokens = await odd.registerUser.execute({ username: 'dave', password: PASSWORD })
    await odd.revokeToken.execute({ token: tokens.refreshToken, type: 'refresh' })
    odd.clock.advance(5400_000)
    await rejectsWith(odd.checkClaims.execute({ token: tokens.accessToken, type: 'access' }), 'token_revoked')
  })

  it('revokes only the presented access token, not its session', async () => {
    const refreshed = await core.refreshAccess.execute({ token: session.refreshToken })
    expect(await core.revokeToken.execute({ token: session.accessToken, type: 'access' })).to.equal('token')
    await rejectsWith(access(session.accessToken), 'token_revoked')
    await access(refreshed.accessToken)
    await core.refreshAccess.execute({ token: refreshed.refreshToken })
  })

  it('revokes the whole family with a refresh token, access tokens included', async () => {
    const refreshed = await core.refreshAccess.execute({ token: session.refreshToken })
    expect(await core.revokeToken.execute({ token: refreshed.refreshToken, type: 'refresh' })).to.equal('session')
    await rejectsWith(access(session.accessToken), 'token_revoked')
    await rejectsWith(access(refreshed.accessToken), 'token_revoked')
    await rejectsWith(core.refreshAccess.execute({ token: refreshed.refreshToken }), 'token_revoked')
  })

  it('leaves other sessions of the same user alive when one is logged out', async () => {
    const other = await core.login.execute({ username: 'alice', password: PASSWORD })
    await core.revokeToken.execute({ token: session.refreshToken, type: 'refresh' })
    await access(other.accessToken)
    await refresh(other.refreshToken)
  })

  it('revokes every token of the user issued up to now when asked everywhere', async () => {
    const other = await core.login.execute({ username: 'alice', password: PASSWORD })
    expect(await core.revokeToken.execute({ token: other.accessToken, type: 'access', everywhere: true }))
      .to.equal('everywhere')
    for (const token of [session.accessToken, other.accessToken]) await rejectsWith(access(token), 'token_revoked')
    for (const token of [session.refreshToken, other.refreshToken]) await rejectsWith(refresh(token), 'token_revoked')
    await access(bob.accessToken)
  })

  it('lets a login a millisecond after logging out everywhere work, within the same second', async () => {
    core.clock.advance(1_500 - (core.clock.now() % 1_000))
    const loggedOutAt = core.clock.now()
    await core.revokeToken.execute({ token: session.accessToken, type: 'access', everywhere: true })
    core.clock.advance(1)
    expect(Math.floor(core.clock.now() / 1000)).to.equal(Math.floor(loggedOutAt / 1000))
    const again = await core.login.execute({ username: 'alice', password: PASSWORD })
    await access(again.accessToken)
    await core.refreshAccess.execute({ token: again.refreshToken })
  })

  it('keeps revoked refresh tokens refused for as long as they would live', async () => {
    const other = await core.login.execute({ username: 'alice', password: PASSWORD })
    await core.revokeToken.execute({ token: session.refreshToken, type: 'refresh' })
    await core.revokeToken.execute({ token: other.accessToken, type: 'access', everywhere: true })
    core.clock.advance(29 * DAY_MS)
    await rejectsWith(refresh(session.refreshToken), 'token_revoked')
    await rejectsWith(refresh(other.refreshToken), 'token_revoked')
  })

  it('refuses to log out twice with the same token', async () => {
    await core.revokeToken.execute({ token: session.accessToken, type: 'access' })
    await rejectsWith(core.revokeToken.execute({ token: session.accessToken, type: 'access' }), 'token_revoked')
  })

  it('checks the token like any protected route', async () => {
    await rejectsWith(core.revokeToken.execute({ token: undefined, type: 'access' }), 'authorization_required')
    await rejectsWith(core.revokeToken.execute({ token: session.accessToken, type: 'refresh' }), 'invalid_token')
    await rejectsWith(core.revokeToken.execute({ token: session.refreshToken, type: 'access' }), 'invalid_token')
    await access(session.accessToken)
  })
})
