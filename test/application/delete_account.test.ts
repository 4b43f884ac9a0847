import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import type { TokenClaims } from '../../src/domain/token_claims.ts'
import { type Core, createCore, PASSWORD, rejectsWith } from '../support/core_fixtures.ts'

describe('DeleteAccount', () => {
  let core: Core
  let caller: TokenClaims
  let pair: { accessToken: string; refreshToken: string }
  beforeEach(async () => {
    core = await createCore()
    pair = await core.registerUser.execute({ username: 'alice', password: PASSWORD })
    caller = await core.checkClaims.execute({ token: pair.accessToken, type: 'access' })
    core.clock.advance(1000)
  })

  it('deletes the account, revokes every token, forgets its sessions and frees the name', async () => {
    expect(await core.deleteAccount.execute({ caller, body: { password: PASSWORD } })).to.equal('alice')
    expect(await core.users.list()).to.deep.equal([])
    await rejectsWith(core.checkClaims.execute({ token: pair.accessToken, type: 'access' }), 'token_revoked')
    await rejectsWith(core.refreshAccess.execute({ token: pair.refreshToken }), 'token_revoked')
    expect(await core.sessions.listByUser(caller.sub, new Date(core.clock.now()))).to.deep.equal([])
    core.clock.advance(1000)
    await core.registerUser.execute({ username: 'alice', password: 'someone else entirely' })
  })

  it('refuses a wrong password with invalid_credentials and deletes nothing', async () => {
    await rejectsWith(
      core.deleteAccount.execute({ caller, body: { password: 'not the password' } }),
      'invalid_credentials',
    )
    expect(await core.users.list()).to.have.length(1)
    await core.checkClaims.execute({ token: pair.accessToken, type: 'access' })
  })

  for (const body of [{}, { password: 42 }, { password: '' }, 'password', null]) {
    it(`refuses the body ${JSON.stringify(body)} with invalid_request naming password`, async () => {
      const error = await rejectsWith(core.deleteAccount.execute({ caller, body }), 'invalid_request')
      expect(error.fields).to.have.keys(['password'])
      expect(await core.users.list()).to.have.length(1)
    })
  }
})
