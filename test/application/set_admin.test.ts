import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import type { TokenPair } from '../../src/application/token_minter.ts'
import { type Core, createCore, PASSWORD, rejectsWith } from '../support/core_fixtures.ts'

describe('SetAdmin', () => {
  let core: Core
  let alice: TokenPair
  let bob: TokenPair
  beforeEach(async () => {
    core = await createCore({ reservedUsernames: ['root'] })
    alice = await core.registerUser.execute({ username: 'Alice', password: PASSWORD })
    bob = await core.registerUser.execute({ username: 'bob', password: PASSWORD })
    core.clock.advance(250)
  })

  const claimsOf = (token: string) => core.checkClaims.execute({ token, type: 'access' })

  it('promotes the user named in any letter case: the next login carries is_admin', async () => {
    const result = await core.setAdmin.execute({ username: 'ALICE', isAdmin: true })
    expect(result.user.username).to.equal('Alice')
    expect(result.user.isAdmin).to.equal(true)
    expect(result.tokensRevoked).to.equal(false)
    const session = await core.login.execute({ username: 'alice', password: PASSWORD })
    expect((await claimsOf(session.accessToken)).isAdmin).to.equal(true)
  })

  it('leaves the tokens of a promoted user working, and shows the promotion at the next refresh', async () => {
    await core.setAdmin.execute({ username: 'alice', isAdmin: true })
    expect((await claimsOf(alice.accessToken)).isAdmin).to.equal(false)
    const refreshed = await core.refreshAccess.execute({ token: alice.refreshToken })
    expect((await claimsOf(refreshed.accessToken)).isAdmin).to.equal(true)
  })

  it('returns the public view of the user, never its hash', async () => {
    const { user } = await core.setAdmin.execute({ username: 'alice', isAdmin: true })
    expect(user).to.have.all.keys('id', 'username', 'isAdmin', 'createdAt')
  })

  it('demotes a user and revokes the tokens that carry is_admin', async () => {
    await core.setAdmin.execute({ username: 'alice', isAdmin: true })
    const admin = await core.login.execute({ username: 'alice', password: PASSWORD })
    core.clock.advance(250)
    const result = await core.setAdmin.execute({ username: 'alice', isAdmin: false })
    expect(result.user.isAdmin).to.equal(false)
    expect(result.tokensRevoked).to.equal(true)
    await rejectsWith(claimsOf(admin.accessToken), 'token_revoked')
    await rejectsWith(core.refreshAccess.execute({ token: admin.refreshToken }), 'token_revoked')
    await rejectsWith(claimsOf(alice.accessToken), 'token_revoked')
  })

  it('gives a demoted user working tokens without is_admin at the next login', async () => {
    await core.setAdmin.execute({ username: 'alice', isAdmin: true })
    await core.setAdmin.execute({ username: 'alice', isAdmin: false })
    core.clock.advance(1)
    const session = await core.login.execute({ username: 'alice', password: PASSWORD })
    expect((await claimsOf(session.accessToken)).isAdmin).to.equal(false)
  })

  it('leaves the tokens of other users working on a demotion', async () => {
    await core.setAdmin.execute({ username: 'alice', isAdmin: false })
    await claimsOf(bob.accessToken)
    await core.refreshAccess.execute({ token: bob.refreshToken })
  })

  it('demotes an admin an operator registered under a reserved name, for good', async () => {
    await core.registerUser.execute({ username: 'root', password: PASSWORD }, { byOperator: true })
    const { user } = await core.setAdmin.execute({ username: 'root', isAdmin: false })
    expect(user.isAdmin).to.equal(false)
    core.clock.advance(1)
    const session = await core.login.execute({ username: 'root', password: PASSWORD })
    expect((await claimsOf(session.accessToken)).isAdmin).to.equal(false)
  })

  it('rejects an unknown username with not_found, revoking nothing', async () => {
    for (const isAdmin of [true, false]) {
      const error = await rejectsWith(core.setAdmin.execute({ username: 'mallory', isAdmin }), 'not_found')
      expect(error.message).to.equal(`Cannot ${isAdmin ? 'promote' : 'demote'} user "mallory": no such user`)
    }
    expect(core.revocations.size).to.equal(0)
  })

  it('rejects a username that is not a valid string with invalid_request', async () => {
    for (const username of [undefined, 42, { $gt: '' }, 'a b', 'x']) {
      await rejectsWith(core.setAdmin.execute({ username, isAdmin: true }), 'invalid_request')
    }
    expect((await core.users.list()).some((user) => user.isAdmin)).to.equal(false)
  })
})
