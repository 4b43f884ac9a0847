import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import type { UserId } from '../../src/domain/user.ts'
import type { Username } from '../../src/domain/username.ts'
import { type Core, createCore, PASSWORD } from '../support/core_fixtures.ts'
import { TEST_HASH_PREFIX } from '../support/test_hasher.ts'

describe('ListUsers', () => {
  let core: Core
  beforeEach(async () => {
    core = await createCore({ reservedUsernames: ['ROOT'] })
  })

  it('answers an empty list when there are no users', async () => {
    expect(await core.listUsers.execute()).to.deep.equal([])
  })

  it('lists every user oldest first, without any password hash', async () => {
    for (const username of ['carol', 'alice']) {
      await core.registerUser.execute({ username, password: PASSWORD })
      core.clock.advance(1_000)
    }
    const listed = await core.listUsers.execute()
    expect(listed.map((user) => user.username)).to.deep.equal(['carol', 'alice'])
    for (const user of listed) {
      expect(user).to.have.all.keys('id', 'username', 'isAdmin', 'createdAt')
      expect(user).not.to.have.property('passwordHash')
    }
    expect(JSON.stringify(listed)).not.to.include(TEST_HASH_PREFIX)
  })

  it('shows the stored admin flag: set for a reserved name an operator registered, and by promotion', async () => {
    await core.registerUser.execute({ username: 'root', password: PASSWORD }, { byOperator: true })
    await core.registerUser.execute({ username: 'alice', password: PASSWORD })
    await core.users.create({
      id: 'flagged-id' as UserId,
      username: 'ops' as Username,
      passwordHash: 'x',
      isAdmin: true,
      createdAt: new Date(core.clock.now()),
    })
    const admins = Object.fromEntries((await core.listUsers.execute()).map((user) => [user.username, user.isAdmin]))
    expect(admins).to.deep.equal({ root: true, alice: false, ops: true })
  })
})
