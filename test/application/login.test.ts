import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import { CredentialsCheck } from '../../src/application/credentials_check.ts'
import { Login } from '../../src/application/login.ts'
import { type Core, CountingHasher, createCore, PASSWORD, rejectsWith } from '../support/core_fixtures.ts'
import { createStrongerTestHasher, STRONGER_HASH_MARK, TEST_HASH_PREFIX } from '../support/test_hasher.ts'

describe('Login', () => {
  let core: Core
  let hasher: CountingHasher
  beforeEach(async () => {
    hasher = new CountingHasher()
    core = await createCore({ hasher })
    await core.registerUser.execute({ username: 'Alice', password: PASSWORD })
  })

  it('answers with a fresh access token and a refresh token of one new family', async () => {
    const result = await core.login.execute({ username: 'Alice', password: PASSWORD })
    const access = await core.verifier.verify(result.accessToken, 'access')
    const refresh = await core.verifier.verify(result.refreshToken, 'refresh')
    expect(access.fresh).to.equal(true)
    expect(refresh.fresh).to.equal(false)
    expect(refresh.fam).to.equal(access.fam)
    expect(refresh.sub).to.equal(access.sub)
  })

  it('starts a new family at every login', async () => {
    const first = await core.login.execute({ username: 'Alice', password: PASSWORD })
    const second = await core.login.execute({ username: 'Alice', password: PASSWORD })
    const [a, b] = await Promise.all([first, second].map((r) => core.verifier.verify(r.refreshToken, 'refresh')))
    expect(a?.fam).not.to.equal(b?.fam)
  })

  it('finds the user in any letter case and answers with the stored spelling', async () => {
    const result = await core.login.execute({ username: 'ALICE', password: PASSWORD })
    const [stored] = await core.users.list()
    expect(result.username).to.equal('Alice')
    expect((await core.verifier.verify(result.accessToken, 'access')).sub).to.equal(stored?.id)
  })

  it('rejects an unknown username with invalid_credentials', async () => {
    await rejectsWith(core.login.execute({ username: 'mallory', password: PASSWORD }), 'invalid_credentials')
  })

  it('rejects a wrong password with the same code and message as an unknown username', async () => {
    const wrong = await rejectsWith(
      core.login.execute({ username: 'Alice', password: 'not the password' }),
      'invalid_credentials',
    )
    const unknown = await rejectsWith(
      core.login.execute({ username: 'mallory', password: PASSWORD }),
      'invalid_credentials',
    )
    expect(wrong.message).to.equal(unknown.message)
  })

  it('still verifies a hash for an unknown username, so timing does not tell', async () => {
    hasher.verifies = 0
    await rejectsWith(core.login.execute({ username: 'mallory', password: PASSWORD }), 'invalid_credentials')
    expect(hasher.verifies).to.equal(1)
  })

  it('rejects a malformed body with invalid_request before any hashing', async () => {
    hasher.verifies = 0
    const error = await rejectsWith(core.login.execute({ username: ['Alice'], password: PASSWORD }), 'invalid_request')
    expect(error.fields).to.deep.equal({ username: 'must be a string' })
    expect(hasher.verifies).to.equal(0)
  })

  it('re-hashes a password made with older parameters, and the new hash still verifies', async () => {
    const stronger = createStrongerTestHasher()
    const login = new Login({
      credentials: new CredentialsCheck({ users: core.users, hasher: stronger }),
      minter: core.minter,
      clock: core.clock,
    })
    const [before] = await core.users.list()
    await login.execute({ username: 'alice', password: PASSWORD })
    const [after] = await core.users.list()
    expect(after?.passwordHash).not.to.equal(before?.passwordHash)
    expect(after?.passwordHash.startsWith(TEST_HASH_PREFIX), after?.passwordHash).to.equal(true)
    expect(after?.passwordHash).to.include(STRONGER_HASH_MARK)
    expect(stronger.needsRehash(after!.passwordHash)).to.equal(false)
    expect(await stronger.verify(after!.passwordHash, PASSWORD)).to.equal(true)
    expect((await login.execute({ username: 'alice', password: PASSWORD })).username).to.equal('Alice')
  })

  it('leaves a hash made with the current parameters alone', async () => {
    const [before] = await core.users.list()
    await core.login.execute({ username: 'Alice', password: PASSWORD })
    const [after] = await core.users.list()
    expect(after?.passwordHash).to.equal(before?.passwordHash)
  })
})
