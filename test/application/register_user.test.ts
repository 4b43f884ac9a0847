import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import type { Username } from '../../src/domain/username.ts'
import { type Core, CountingHasher, createCore, PASSWORD, rejectsWith } from '../support/core_fixtures.ts'
import { TEST_HASH_PREFIX } from '../support/test_hasher.ts'

describe('RegisterUser', () => {
  let core: Core
  beforeEach(async () => {
    core = await createCore({ reservedUsernames: ['root'] })
  })

  it('answers with the username and tokens the verifier accepts as access and refresh', async () => {
    const result = await core.registerUser.execute({ username: 'Alice', password: PASSWORD })
    const [stored] = await core.users.list()
    const access = await core.verifier.verify(result.accessToken, 'access')
    const refresh = await core.verifier.verify(result.refreshToken, 'refresh')
    expect(result.username).to.equal('Alice')
    expect(access.sub).to.equal(stored?.id)
    expect(refresh.sub).to.equal(stored?.id)
    expect(access.fresh).to.equal(true)
    expect(refresh.fam).to.equal(access.fam)
  })

  it('stores a hash made by the hasher, never the password itself', async () => {
    await core.registerUser.execute({ username: 'alice', password: PASSWORD })
    const [stored] = await core.users.list()
    expect(stored?.passwordHash.startsWith(TEST_HASH_PREFIX), stored?.passwordHash).to.equal(true)
    expect(stored?.passwordHash).not.to.include(PASSWORD)
    expect(await core.hasher.verify(stored!.passwordHash, PASSWORD)).to.equal(true)
  })

  it('stores a non-admin user created at the clock time', async () => {
    await core.registerUser.execute({ username: 'alice', password: PASSWORD })
    const [stored] = await core.users.list()
    expect(stored?.isAdmin).to.equal(false)
    expect(stored?.createdAt.getTime()).to.equal(core.clock.now())
  })

  it('refuses a reserved name in any letter case as taken, storing nothing', async () => {
    for (const username of ['root', 'ROOT', 'Root']) {
      const error = await rejectsWith(core.registerUser.execute({ username, password: PASSWORD }), 'username_taken')
      // The answer a taken name gets: the reserved (admin) names are not disclosed.
      expect(error.message).to.equal(`Cannot register "${username}": the username is taken`)
    }
    expect(await core.users.list()).to.deep.equal([])
  })

  it('spends the hashing work of a taken name on a reserved one, so timing does not tell them apart', async () => {
    const hasher = new CountingHasher()
    const counted = await createCore({ reservedUsernames: ['root'], hasher })
    await counted.registerUser.execute({ username: 'alice', password: PASSWORD })
    hasher.hashes = 0
    await rejectsWith(counted.registerUser.execute({ username: 'alice', password: PASSWORD }), 'username_taken')
    await rejectsWith(counted.registerUser.execute({ username: 'root', password: PASSWORD }), 'username_taken')
    expect(hasher.hashes).to.equal(2)
  })

  it('lets an operator register a reserved name, as an admin by the stored flag', async () => {
    const result = await core.registerUser.execute({ username: 'Root', password: PASSWORD }, { byOperator: true })
    expect(result.isAdmin).to.equal(true)
    expect((await core.verifier.verify(result.accessToken, 'access')).isAdmin).to.equal(true)
    expect((await core.users.findByUsername(result.username as Username))?.isAdmin).to.equal(true)
  })

  it('makes no admin of a name that is not reserved, whoever registers it', async () => {
    for (const [username, byOperator] of [['alice', false], ['bob', true]] as const) {
      const result = await core.registerUser.execute({ username, password: PASSWORD }, { byOperator })
      expect(result.isAdmin).to.equal(false)
      expect((await core.verifier.verify(result.accessToken, 'access')).isAdmin).to.equal(false)
    }
  })

  it('rejects a letter-case variant of a taken name with username_taken', async () => {
    await core.registerUser.execute({ username: 'Alice', password: PASSWORD })
    await rejectsWith(core.registerUser.execute({ username: 'aLICE', password: PASSWORD }), 'username_taken')
    expect(await core.users.list()).to.have.length(1)
  })

  it('never overwrites the stored password of a taken name', async () => {
    await core.registerUser.execute({ username: 'alice', password: PASSWORD })
    await rejectsWith(core.registerUser.execute({ username: 'Alice', password: 'attacker password' }), 'username_taken')
    await rejectsWith(core.login.execute({ username: 'alice', password: 'attacker password' }), 'invalid_credentials')
    expect((await core.login.execute({ username: 'alice', password: PASSWORD })).username).to.equal('alice')
  })

  it('lets exactly one of 50 concurrent registrations of one name win', async () => {
    const attempts = Array.from(
      { length: 50 },
      (_, i) => core.registerUser.execute({ username: i % 2 === 0 ? 'race' : 'RACE', password: `${PASSWORD} ${i}` }),
    )
    const outcomes = await Promise.allSettled(attempts)
    const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled')
    const codes = outcomes.flatMap((outcome) => outcome.status === 'rejected' ? [outcome.reason.code] : [])
    expect(winners).to.have.length(1)
    expect(codes).to.have.length(49)
    expect(new Set(codes)).to.deep.equal(new Set(['username_taken']))
    expect(await core.users.list()).to.have.length(1)
  })

  it('reports both bad fields with invalid_request and stores nothing', async () => {
    const error = await rejectsWith(core.registerUser.execute({ username: '', password: 'short' }), 'invalid_request')
    expect(error.fields).to.have.keys('username', 'password')
    expect(await core.users.list()).to.deep.equal([])
  })

  it('never coerces numbers, arrays or operators into credentials', async () => {
    const bodies = [
      { username: 12345, password: 12345678 },
      { username: ['alice'], password: [PASSWORD] },
      { username: { $gt: '' }, password: PASSWORD },
      [{ username: 'alice', password: PASSWORD }],
      null,
    ]
    for (const body of bodies) await rejectsWith(core.registerUser.execute(body), 'invalid_request')
    expect(await core.users.list()).to.deep.equal([])
  })
})
