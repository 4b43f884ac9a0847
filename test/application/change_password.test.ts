import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import type { TokenClaims } from '../../src/domain/token_claims.ts'
import { type Core, CountingHasher, createCore, PASSWORD, rejectsWith } from '../support/core_fixtures.ts'

const NEW_PASSWORD = 'a brand new passphrase'

describe('ChangePassword', () => {
  let core: Core
  let hasher: CountingHasher
  let caller: TokenClaims
  let other: { accessToken: string; refreshToken: string }
  beforeEach(async () => {
    hasher = new CountingHasher()
    core = await createCore({ hasher })
    const first = await core.registerUser.execute({ username: 'alice', password: PASSWORD })
    caller = await core.checkClaims.execute({ token: first.accessToken, type: 'access' })
    other = await core.login.execute({ username: 'alice', password: PASSWORD })
    core.clock.advance(1000)
  })

  // The clock moves on after each change: what follows happens later than its revocation, as it does for real.
  const change = async (body: unknown) => {
    try {
      return await core.changePassword.execute({ caller, body, client: { userAgent: 'ua', ip: '192.0.2.1' } })
    } finally {
      core.clock.advance(1)
    }
  }

  it('stores the new password: the next login takes it and refuses the old one', async () => {
    await change({ current_password: PASSWORD, new_password: NEW_PASSWORD })
    await core.login.execute({ username: 'alice', password: NEW_PASSWORD })
    await rejectsWith(core.login.execute({ username: 'alice', password: PASSWORD }), 'invalid_credentials')
  })

  it("revokes every other session and answers a working pair in the caller's own session", async () => {
    const pair = await change({ current_password: PASSWORD, new_password: NEW_PASSWORD })
    await rejectsWith(core.checkClaims.execute({ token: other.accessToken, type: 'access' }), 'token_revoked')
    await rejectsWith(core.refreshAccess.execute({ token: other.refreshToken }), 'token_revoked')
    const access = await core.checkClaims.execute({ token: pair.accessToken, type: 'access' })
    expect(access.fam).to.equal(caller.fam)
    await core.refreshAccess.execute({ token: pair.refreshToken })
    const listed = await core.listSessions.execute(access)
    expect(listed.map((session) => [session.id, session.current])).to.deep.equal([[caller.fam, true]])
  })

  it('refuses a wrong current password with invalid_credentials and changes nothing', async () => {
    await rejectsWith(
      change({ current_password: 'not the password', new_password: NEW_PASSWORD }),
      'invalid_credentials',
    )
    await core.login.execute({ username: 'alice', password: PASSWORD })
    await core.checkClaims.execute({ token: other.accessToken, type: 'access' })
  })

  it('checks the password of an account that is gone against the dummy hash, at the cost of a real verify', async () => {
    await core.users.delete((await core.users.list())[0]!.username)
    const before = hasher.verifies
    await rejectsWith(change({ current_password: PASSWORD, new_password: NEW_PASSWORD }), 'invalid_credentials')
    expect(hasher.verifies).to.equal(before + 1)
  })

  for (
    const [name, body, field] of [
      ['a common new password', { current_password: PASSWORD, new_password: 'PASSWORD123' }, 'new_password'],
      ['a new password that is not a string', { current_password: PASSWORD, new_password: 12345678 }, 'new_password'],
      ['a short new password', { current_password: PASSWORD, new_password: 'short' }, 'new_password'],
      ['no new password', { current_password: PASSWORD }, 'new_password'],
      [
        'a current password that is not a string',
        { current_password: ['x'], new_password: NEW_PASSWORD },
        'current_password',
      ],
    ] as const
  ) {
    it(`refuses ${name} with invalid_request naming ${field}, before any hash, and changes nothing`, async () => {
      const before = hasher.verifies + hasher.hashes
      const error = await rejectsWith(change(body), 'invalid_request')
      expect(Object.keys(error.fields ?? {})).to.deep.equal([field])
      expect(hasher.verifies + hasher.hashes).to.equal(before)
      await core.login.execute({ username: 'alice', password: PASSWORD })
    })
  }

  it('refuses a body that is not an object with invalid_request', async () => {
    await rejectsWith(change([PASSWORD]), 'invalid_request')
  })
})
