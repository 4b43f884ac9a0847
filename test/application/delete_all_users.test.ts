import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import { type Core, createCore, PASSWORD, rejectsWith } from '../support/core_fixtures.ts'

describe('DeleteAllUsers', () => {
  let core: Core
  beforeEach(async () => {
    core = await createCore()
  })

  it('deletes every user and says how many', async () => {
    for (const username of ['alice', 'bob', 'carol']) await core.registerUser.execute({ username, password: PASSWORD })
    expect(await core.deleteAllUsers.execute()).to.equal(3)
    expect(await core.users.list()).to.deep.equal([])
  })

  it('answers 0 when there is nobody to delete', async () => {
    expect(await core.deleteAllUsers.execute()).to.equal(0)
  })

  it('revokes the tokens of every deleted user', async () => {
    const sessions = await Promise.all(
      ['alice', 'bob'].map((username) => core.registerUser.execute({ username, password: PASSWORD })),
    )
    await core.deleteAllUsers.execute()
    for (const session of sessions) {
      await rejectsWith(core.checkClaims.execute({ token: session.accessToken, type: 'access' }), 'token_revoked')
      await rejectsWith(core.checkClaims.execute({ token: session.refreshToken, type: 'refresh' }), 'token_revoked')
    }
  })

  it('lets the same names register again with working tokens', async () => {
    await core.registerUser.execute({ username: 'alice', password: PASSWORD })
    await core.deleteAllUsers.execute()
    const again = await core.registerUser.execute({ username: 'alice', password: PASSWORD })
    await core.checkClaims.execute({ token: again.accessToken, type: 'access' })
  })
})
