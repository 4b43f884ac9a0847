import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import type { User } from '../../src/domain/user.ts'
import { type Core, createCore, PASSWORD, rejectsWith } from '../support/core_fixtures.ts'

describe('TokenMinter', () => {
  let core: Core
  let user: User
  let options: { fresh: boolean; fam: string; startedAt: number }
  beforeEach(async () => {
    core = await createCore({ accessTtlSeconds: 600, refreshTtlSeconds: 86_400 })
    await core.registerUser.execute({ username: 'alice', password: PASSWORD })
    user = (await core.users.list())[0]!
    core.clock.advance(1_234)
    options = { fresh: true, fam: 'fam-1', startedAt: core.clock.now() }
  })

  it('builds access claims with millisecond iat and whole-second nbf and exp', async () => {
    const { claims } = await core.minter.mint(user, 'access', options)
    const second = Math.floor(core.clock.now() / 1000)
    expect(claims).to.include({ sub: user.id, type: 'access', fresh: true, isAdmin: false, fam: 'fam-1' })
    expect(claims.iat).to.equal(core.clock.now() / 1000)
    expect(claims.nbf).to.equal(second)
    expect(claims.exp).to.equal(second + 600)
  })

  it('dates a token from when its minting began, not from when it is signed', async () => {
    const startedAt = core.clock.now()
    core.clock.advance(40) // the password check, say
    const { claims } = await core.minter.mint(user, 'access', { ...options, startedAt })
    expect(claims.iat).to.equal(startedAt / 1000)
  })

  it('signs exactly the claims it returns', async () => {
    const { token, claims } = await core.minter.mint(user, 'refresh', { ...options, fresh: false })
    expect(await core.verifier.verify(token, 'refresh')).to.deep.equal(claims)
  })

  it('gives refresh tokens the refresh lifetime', async () => {
    const { claims } = await core.minter.mint(user, 'refresh', { ...options, fresh: false })
    expect(claims.exp).to.equal(Math.floor(core.clock.now() / 1000) + 86_400)
  })

  it('never makes a refresh token fresh', async () => {
    const { claims } = await core.minter.mint(user, 'refresh', options)
    expect(claims.fresh).to.equal(false)
  })

  it('gives every token its own jti', async () => {
    const minted = await Promise.all([1, 2, 3].map(() => core.minter.mint(user, 'access', options)))
    expect(new Set(minted.map((m) => m.claims.jti)).size).to.equal(3)
  })

  it('sets is_admin from the stored flag only, whatever the name', async () => {
    const flagged = { ...user, isAdmin: true }
    const named = { ...user, username: 'admin' as User['username'] }
    expect((await core.minter.mint(flagged, 'access', options)).claims.isAdmin).to.equal(true)
    expect((await core.minter.mint(named, 'access', options)).claims.isAdmin).to.equal(false)
  })

  it('makes a new family id every time', () => {
    expect(core.minter.newFamily()).not.to.equal(core.minter.newFamily())
  })

  it('pairs a fresh access token with a refresh token of one new family', async () => {
    const pairs = [await core.minter.mintPair(user, options), await core.minter.mintPair(user, options)]
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

  it('refuses to sign tokens a revocation of their user already covers, with token_revoked', async () => {
    core.clock.advance(10)
    await core.revokeUserTokens.execute({ username: 'alice' }) // while this minting was under way
    await rejectsWith(core.minter.mintPair(user, options), 'token_revoked')
    await rejectsWith(core.minter.mint(user, 'access', options), 'token_revoked')
  })

  it('refuses to sign a token of a revoked family, with token_revoked', async () => {
    await core.revocations.revokeFamily('fam-1', core.clock.now() / 1000 + 60)
    await rejectsWith(core.minter.mint(user, 'access', options), 'token_revoked')
    await core.minter.mint(user, 'access', { ...options, fam: 'fam-2' })
  })

  it('signs tokens whose minting began after a revocation of their user', async () => {
    await core.revokeUserTokens.execute({ username: 'alice' })
    core.clock.advance(1)
    const pair = await core.minter.mintPair(user, { startedAt: core.clock.now() })
    await core.checkClaims.execute({ token: pair.accessToken, type: 'access' })
  })
})
