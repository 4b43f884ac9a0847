import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import type { User } from '../../src/domain/user.ts'
import { type Core, createCore, PASSWORD } from '../support/core_fixtures.ts'

describe('TokenMinter', () => {
  let core: Core
  let user: User
  beforeEach(async () => {
    core = await createCore({ adminUsernames: ['Root'], accessTtlSeconds: 600, refreshTtlSeconds: 86_400 })
    await core.registerUser.execute({ username: 'alice', password: PASSWORD })
    user = (await core.users.list())[0]!
    core.clock.advance(1_234)
  })

  it('builds access claims with millisecond iat and whole-second nbf and exp', async () => {
    const { claims } = await core.minter.mint(user, 'access', { fresh: true, fam: 'fam-1' })
    const second = Math.floor(core.clock.now() / 1000)
    expect(claims).to.include({ sub: user.id, type: 'access', fresh: true, isAdmin: false, fam: 'fam-1' })
    expect(claims.iat).to.equal(core.clock.now() / 1000)
    expect(claims.nbf).to.equal(second)
    expect(claims.exp).to.equal(second + 600)
  })

  it('signs exactly the claims it returns', async () => {
    const { token, claims } = await core.minter.mint(user, 'refresh', { fresh: false, fam: 'fam-1' })
    expect(await core.verifier.verify(token, 'refresh')).to.deep.equal(claims)
  })

  it('gives refresh tokens the refresh lifetime', async () => {
    const { claims } = await core.minter.mint(user, 'refresh', { fresh: false, fam: 'fam-1' })
    expect(claims.exp).to.equal(Math.floor(core.clock.now() / 1000) + 86_400)
  })

  it('never makes a refresh token fresh', async () => {
    const { claims } = await core.minter.mint(user, 'refresh', { fresh: true, fam: 'fam-1' })
    expect(claims.fresh).to.equal(false)
  })

  it('gives every token its own jti', async () => {
    const minted = await Promise.all([1, 2, 3].map(() => core.minter.mint(user, 'access', { fresh: false, fam: 'f' })))
    expect(new Set(minted.map((m) => m.claims.jti)).size).to.equal(3)
  })

  it('sets is_admin from the stored flag and from the admin usernames', async () => {
    const flagged = { ...user, isAdmin: true }
    const named = { ...user, username: 'ROOT' as User['username'] }
    expect((await core.minter.mint(flagged, 'access', { fresh: false, fam: 'f' })).claims.isAdmin).to.equal(true)
    expect((await core.minter.mint(named, 'access', { fresh: false, fam: 'f' })).claims.isAdmin).to.equal(true)
  })

  it('makes a new family id every time', () => {
    expect(core.minter.newFamily()).not.to.equal(core.minter.newFamily())
  })

  it('pairs a fresh access token with a refresh token of one new family', async () => {
    const pairs = [await core.minter.mintPair(user), await core.minter.mintPair(user)]
    const claims = await Promise.all(pairs.map(async (pair) => ({
      access: await core.verifier.verify(pair.accessToken, 'access'),
      refresh: await core.verifier.verify(pair.refreshToken, 'refresh'),
    })))
    for (const { access, refresh } of claims) {
      expect(access.fresh).to.equal(true)
      expect(refresh.fam).to.equal(access.fam)
    }
    expect(claims[0]?.access.fam).not.to.equal(claims[1]?.access.fam)
  })
})
