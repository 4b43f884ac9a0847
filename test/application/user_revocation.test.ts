import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import { revokeUsersTokens } from '../../src/application/user_revocation.ts'
import type { TokenPair } from '../../src/application/token_minter.ts'
import type { User } from '../../src/domain/user.ts'
import { type Core, createCore, PASSWORD, rejectsWith } from '../support/core_fixtures.ts'

describe('revokeUsersTokens', () => {
  let core: Core
  let session: TokenPair
  let alice: User
  beforeEach(async () => {
    core = await createCore()
    session = await core.registerUser.execute({ username: 'alice', password: PASSWORD })
    alice = (await core.users.list())[0]!
    core.clock.advance(250)
  })

  it('revokes the tokens the users were issued up to now', async () => {
    await revokeUsersTokens(core, [alice])
    await rejectsWith(core.checkClaims.execute({ token: session.accessToken, type: 'access' }), 'token_revoked')
  })

  it('spares tokens issued a millisecond later', async () => {
    await revokeUsersTokens(core, [alice])
    core.clock.advance(1)
    const later = await core.minter.mintPair(alice, { startedAt: core.clock.now() })
    await core.checkClaims.execute({ token: later.accessToken, type: 'access' })
  })

  it('remembers the revocation until the longest refresh token has expired', async () => {
    await revokeUsersTokens(core, [alice])
    const { exp } = await core.verifier.verify(session.refreshToken, 'refresh')
    core.clock.advance(exp * 1000 - core.clock.now() - 1)
    await rejectsWith(core.checkClaims.execute({ token: session.refreshToken, type: 'refresh' }), 'token_revoked')
  })

  it('writes nothing for an empty list', async () => {
    await revokeUsersTokens(core, [])
    expect(core.revocations.size).to.equal(0)
  })
})
