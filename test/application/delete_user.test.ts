import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import type { TokenPair } from '../../src/application/token_minter.ts'
import { type Core, createCore, PASSWORD, rejectsWith } from '../support/core_fixtures.ts'

describe('DeleteUser', () => {
  let core: Core
  let alice: TokenPair
  let bob: TokenPair
  beforeEach(async () => {
    core = await createCore()
    alice = await core.registerUser.execute({ username: 'Alice', password: PASSWORD })
    bob = await core.registerUser.execute({ username: 'bob', password: PASSWORD })
  })

  it('deletes the user named in any letter case', async () => {
    await core.deleteUser.execute({ username: 'ALICE' })
    expect((await core.users.list()).map((user) => user.username)).to.deep.equal(['bob'])
    await rejectsWith(core.login.execute({ username: 'Alice', password: PASSWORD }), 'invalid_credentials')
  })

  it('rejects an unknown username with not_found', async () => {
    await rejectsWith(core.deleteUser.execute({ username: 'mallory' }), 'not_found')
    expect(await core.users.list()).to.have.length(2)
  })

  it('rejects a username that is not a valid string with invalid_request', async () => {
    for (const username of [undefined, 42, { $gt: '' }, 'a b']) {
      await rejectsWith(core.deleteUser.execute({ username }), 'invalid_request')
    }
    expect(await core.users.list()).to.have.length(2)
  })

  it('revokes every token the deleted user holds', async () => {
    await core.deleteUser.execute({ username: 'alice' })
    await rejectsWith(core.checkClaims.execute({ token: alice.accessToken, type: 'access' }), 'token_revoked')
    await rejectsWith(core.checkClaims.execute({ token: alice.refreshToken, type: 'refresh' }), 'token_revoked')
  })

  it('leaves the tokens of other users working', async () => {
    await core.deleteUser.execute({ username: 'alice' })
    await core.checkClaims.execute({ token: bob.accessToken, type: 'access' })
    await core.refreshAccess.execute({ token: bob.refreshToken })
  })

  it('frees the name: registering it again gives working tokens at once', async () => {
    await core.deleteUser.execute({ username: 'alice' })
    const again = await core.registerUser.execute({ username: 'alice', password: 'a new password' })
    await core.checkClaims.execute({ token: again.accessToken, type: 'access' })
    await core.refreshAccess.execute({ token: again.refreshToken })
    await rejectsWith(core.checkClaims.execute({ token: alice.accessToken, type: 'access' }), 'token_revoked')
  })
})
