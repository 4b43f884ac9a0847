import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import type { TokenPair } from '../../src/application/token_minter.ts'
import { MemoryUserRepository } from '../../src/adapters/memory/user_repository.ts'
import { AuthError } from '../../src/domain/auth_error.ts'
import type { User } from '../../src/domain/user.ts'
import type { Username } from '../../src/domain/username.ts'
import { type Core, createCore, PASSWORD, rejectsWith } from '../support/core_fixtures.ts'
import { Gate, GatedUsers } from '../support/gates.ts'

/** Users whose deletes fail while `failing` is set, as a store that goes away mid-request. */
class FailingDeletes extends MemoryUserRepository {
  failing = false

  override delete(username: Username): Promise<User | undefined> {
    if (this.failing) return Promise.reject(new AuthError('service_unavailable', 'Cannot reach the user store: gone'))
    return super.delete(username)
  }
}

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

  it('revokes the tokens before the account goes: a delete interrupted there leaves no live token, and a retry finishes it', async () => {
    const users = new FailingDeletes()
    const interrupted = await createCore({ users })
    const carol = await interrupted.registerUser.execute({ username: 'carol', password: PASSWORD })
    users.failing = true
    await rejectsWith(interrupted.deleteUser.execute({ username: 'carol' }), 'service_unavailable')
    await rejectsWith(interrupted.checkClaims.execute({ token: carol.accessToken, type: 'access' }), 'token_revoked')
    users.failing = false
    await interrupted.deleteUser.execute({ username: 'carol' })
    expect(await interrupted.users.list()).to.deep.equal([])
  })

  it('revokes again after the delete, for a login that read the account in between', async () => {
    const users = new GatedUsers()
    const racing = await createCore({ users })
    await racing.registerUser.execute({ username: 'carol', password: PASSWORD })
    racing.clock.advance(10)
    users.deleteGate = new Gate()
    const deletion = racing.deleteUser.execute({ username: 'carol' })
    await users.deleteGate.reached // the first revocation is written, the account is still there
    racing.clock.advance(10)
    const login = await racing.login.execute({ username: 'carol', password: PASSWORD })
    users.deleteGate.open()
    await deletion
    await rejectsWith(racing.checkClaims.execute({ token: login.accessToken, type: 'access' }), 'token_revoked')
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
