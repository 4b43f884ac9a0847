import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import { CredentialsCheck } from '../../src/application/credentials_check.ts'
import type { UserId } from '../../src/domain/user.ts'
import type { Username } from '../../src/domain/username.ts'
import { type Core, CountingHasher, createCore, PASSWORD, rejectsWith } from '../support/core_fixtures.ts'
import { GatedHasher, Gates } from '../support/gates.ts'
import { createStrongerTestHasher } from '../support/test_hasher.ts'

describe('CredentialsCheck', () => {
  let core: Core
  let hasher: CountingHasher
  beforeEach(async () => {
    hasher = new CountingHasher()
    core = await createCore({ hasher })
    await core.registerUser.execute({ username: 'alice', password: PASSWORD })
    hasher.hashes = 0
    hasher.verifies = 0
  })

  it('returns the stored user for the right password', async () => {
    const [stored] = await core.users.list()
    expect((await core.credentials.execute({ username: 'Alice', password: PASSWORD })).id).to.equal(stored?.id)
  })

  it('answers an unknown user only once the dummy verify has finished, as a wrong password waits for its verify', async () => {
    const gated = new GatedHasher()
    const credentials = new CredentialsCheck({ users: core.users, hasher: gated })
    for (const username of ['mallory', 'alice']) { // unknown, then known with a wrong password
      gated.gates = new Gates()
      let answered = false
      const attempt = credentials.execute({ username, password: 'wrong password' }).finally(() => {
        answered = true
      })
      await gated.gates.at(0).reached // the verify ran and is held before it returns
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r)) // room for an answer that did not wait
      expect(answered, username).to.equal(false)
      gated.gates.openAll()
      await rejectsWith(attempt, 'invalid_credentials')
    }
  })

  it('makes the dummy hash once with the configured hasher and reuses it', async () => {
    for (const username of ['mallory', 'trudy', 'eve']) {
      await rejectsWith(core.credentials.execute({ username, password: PASSWORD }), 'invalid_credentials')
    }
    expect(hasher.hashes).to.equal(1)
    expect(hasher.verifies).to.equal(3)
  })

  it('makes the dummy hash again after a failed attempt instead of failing every later login', async () => {
    let failures = 1
    const flaky = new CountingHasher()
    const original = flaky.hash.bind(flaky)
    const credentials = new CredentialsCheck({
      users: core.users,
      hasher: {
        ...flaky,
        verify: flaky.verify.bind(flaky),
        needsRehash: flaky.needsRehash.bind(flaky),
        hash: (password: string) => failures-- > 0 ? Promise.reject(new Error('transient')) : original(password),
      },
    })
    const first = await credentials.execute({ username: 'mallory', password: PASSWORD }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect((first as Error).message).to.equal('transient')
    await rejectsWith(credentials.execute({ username: 'mallory', password: PASSWORD }), 'invalid_credentials')
  })

  it('verifies once and hashes nothing for a known user with a current hash', async () => {
    await core.credentials.execute({ username: 'alice', password: PASSWORD })
    expect(hasher.verifies).to.equal(1)
    expect(hasher.hashes).to.equal(0)
  })

  it('never re-hashes on a wrong password, even when parameters changed', async () => {
    const stronger = new CredentialsCheck({
      users: core.users,
      hasher: createStrongerTestHasher(),
    })
    const [before] = await core.users.list()
    await rejectsWith(stronger.execute({ username: 'alice', password: 'wrong password' }), 'invalid_credentials')
    const [after] = await core.users.list()
    expect(after?.passwordHash).to.equal(before?.passwordHash)
  })

  it('refuses a user whose stored hash is malformed with invalid_credentials', async () => {
    await core.users.create({
      id: 'broken-id' as UserId,
      username: 'broken' as Username,
      passwordHash: 'not-a-hash',
      isAdmin: false,
      createdAt: new Date(core.clock.now()),
    })
    await rejectsWith(core.credentials.execute({ username: 'broken', password: PASSWORD }), 'invalid_credentials')
  })

  it('rejects a malformed body with invalid_request without touching the hasher', async () => {
    await rejectsWith(core.credentials.execute({ username: 'alice' }), 'invalid_request')
    expect(hasher.verifies + hasher.hashes).to.equal(0)
  })
})
