import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import type { TokenPair } from '../../src/application/token_minter.ts'
import { type Core, createCore, PASSWORD, rejectsWith } from '../support/core_fixtures.ts'

describe('RevokeUserTokens', () => {
  let core: Core
  let alice: TokenPair
  let bob: TokenPair
  beforeEach(async () => {
    core = await createCore()
    alice = await core.registerUser.execute({ username: 'Alice', password: PASSWORD })
    bob = await core.registerUser.execute({ username: 'bob', password: PASSWORD })
    core.clock.advance(250)
  })

  const access = (token: string) => core.checkClaims.execute({ token, type: 'access' })

  it('revokes every token of the user named in any letter case, of every session', async () => {
    const second = await core.login.execute({ username: 'alice', password: PASSWORD })
    await core.revokeUserTokens.execute({ username: 'ALICE' })
    for (const session of [alice, second]) {
      await rejectsWith(access(session.accessToken), 'token_revoked')
      await rejectsWith(core.refreshAccess.execute({ token: session.refreshToken }), 'token_revoked')
    }
  })

  it('spares tokens issued after it, and the tokens of other users', async () => {
    await core.revokeUserTokens.execute({ username: 'alice' })
    core.clock.advance(1)
    const later = await core.login.execute({ username: 'alice', password: PASSWORD })
    await access(later.accessToken)
    await access(bob.accessToken)
    await core.refreshAccess.execute({ token: bob.refreshToken })
  })

  it('keeps the account: the user can still log in', async () => {
    await core.revokeUserTokens.execute({ username: 'alice' })
    expect((await core.users.list()).map((user) => user.username)).to.deep.equal(['Alice', 'bob'])
  })

  it('rejects an unknown username with not_found, revoking nothing', async () => {
    const error = await rejectsWith(core.revokeUserTokens.execute({ username: 'mallory' }), 'not_found')
    expect(error.message).to.equal('Cannot revoke the tokens of user "mallory": no such user')
    expect(core.revocations.size).to.equal(0)
  })

  it('rejects a username that is not a valid string with invalid_request', async () => {
    for (const username of [undefined, 42, { $gt: '' }, 'a b', '']) {
      await rejectsWith(core.revokeUserTokens.execute({ username }), 'invalid_request')
    }
    expect(core.revocations.size).to.equal(0)
  })
})
