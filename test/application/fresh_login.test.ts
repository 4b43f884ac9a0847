import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import { type Core, createCore, PASSWORD, rejectsWith } from '../support/core_fixtures.ts'

describe('FreshLogin', () => {
  let core: Core
  beforeEach(async () => {
    core = await createCore()
    await core.registerUser.execute({ username: 'alice', password: PASSWORD })
  })

  it('answers with a fresh access token and no refresh token', async () => {
    const result = await core.freshLogin.execute({ username: 'alice', password: PASSWORD })
    expect(result).to.have.all.keys('accessToken')
    const claims = await core.checkClaims.execute({ token: result.accessToken, type: 'access', fresh: true })
    expect(claims.fresh).to.equal(true)
  })

  it('gives the token to the right user', async () => {
    const [stored] = await core.users.list()
    const result = await core.freshLogin.execute({ username: 'ALICE', password: PASSWORD })
    expect((await core.verifier.verify(result.accessToken, 'access')).sub).to.equal(stored?.id)
  })

  it('gives each fresh login a family of its own, shared with no login session', async () => {
    const session = await core.login.execute({ username: 'alice', password: PASSWORD })
    const fresh = await Promise.all(
      [1, 2].map(() => core.freshLogin.execute({ username: 'alice', password: PASSWORD })),
    )
    const fams = await Promise.all([
      core.verifier.verify(session.refreshToken, 'refresh'),
      ...fresh.map((result) => core.verifier.verify(result.accessToken, 'access')),
    ].map(async (claims) => (await claims).fam))
    expect(new Set(fams).size).to.equal(3)
  })

  it('joins the session of the refresh token presented, so logging that session out revokes the fresh token', async () => {
    const session = await core.login.execute({ username: 'alice', password: PASSWORD })
    const fresh = await core.freshLogin.execute({ username: 'alice', password: PASSWORD }, {
      refreshToken: session.refreshToken,
    })
    const claims = await core.checkClaims.execute({ token: fresh.accessToken, type: 'access', fresh: true })
    expect(claims.fam).to.equal((await core.verifier.verify(session.refreshToken, 'refresh')).fam)
    await core.revokeToken.execute({ token: session.refreshToken, type: 'refresh' })
    await rejectsWith(
      core.checkClaims.execute({ token: fresh.accessToken, type: 'access', fresh: true }),
      'token_revoked',
    )
  })

  it('refuses a refresh token of another account with invalid_token', async () => {
    const bob = await core.registerUser.execute({ username: 'bob', password: PASSWORD })
    await rejectsWith(
      core.freshLogin.execute({ username: 'alice', password: PASSWORD }, { refreshToken: bob.refreshToken }),
      'invalid_token',
    )
  })

  it("refuses an access token where the session's refresh token is expected, and a revoked session", async () => {
    const session = await core.login.execute({ username: 'alice', password: PASSWORD })
    await rejectsWith(
      core.freshLogin.execute({ username: 'alice', password: PASSWORD }, { refreshToken: session.accessToken }),
      'invalid_token',
    )
    await core.revokeToken.execute({ token: session.refreshToken, type: 'refresh' })
    await rejectsWith(
      core.freshLogin.execute({ username: 'alice', password: PASSWORD }, { refreshToken: session.refreshToken }),
      'token_revoked',
    )
  })

  it('rejects a wrong password and an unknown user with invalid_credentials', async () => {
    await rejectsWith(core.freshLogin.execute({ username: 'alice', password: 'wrong password' }), 'invalid_credentials')
    await rejectsWith(core.freshLogin.execute({ username: 'mallory', password: PASSWORD }), 'invalid_credentials')
  })

  it('rejects a malformed body with invalid_request', async () => {
    await rejectsWith(core.freshLogin.execute('alice:password'), 'invalid_request')
  })
})
