import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import { IntrospectToken } from '../../src/application/introspect_token.ts'
import { RevokeAnyToken } from '../../src/application/revoke_any_token.ts'
import { TokenIdentity } from '../../src/application/token_identity.ts'
import type { TokenPair } from '../../src/application/token_minter.ts'
import { type Core, createCore, PASSWORD, rejectsWith } from '../support/core_fixtures.ts'
import { SwitchableRevocationStore } from '../support/switchable_revocations.ts'

/** The three use cases of resource servers, on the core fixtures' adapters. */
function forwardAuth(core: Core) {
  const identity = new TokenIdentity({ verifier: core.verifier })
  return {
    identity,
    introspect: new IntrospectToken({ identity, revocations: core.revocations, users: core.users }),
    revoke: new RevokeAnyToken({ identity, revocations: core.revocations, clock: core.clock, policy: core.policy }),
  }
}

/** A token whose signature no longer matches: its last character changed. */
const tampered = (token: string) => token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA')

describe('TokenIdentity', () => {
  let core: Core
  let tokens: TokenPair
  beforeEach(async () => {
    core = await createCore()
    tokens = await core.registerUser.execute({ username: 'alice', password: PASSWORD })
  })

  it('tells an access token from a refresh token, with or without a hint, whatever the hint says', async () => {
    const { identity } = forwardAuth(core)
    for (const hint of [undefined, 'access_token', 'refresh_token', 'something_else']) {
      expect((await identity.execute({ token: tokens.accessToken, hint }))?.type, String(hint)).to.equal('access')
      expect((await identity.execute({ token: tokens.refreshToken, hint }))?.type, String(hint)).to.equal('refresh')
    }
  })

  it('answers undefined for garbage, a bad signature and an expired token alike', async () => {
    const { identity } = forwardAuth(core)
    expect(await identity.execute({ token: 'not-a-token' })).to.equal(undefined)
    expect(await identity.execute({ token: tampered(tokens.accessToken) })).to.equal(undefined)
    core.clock.advance(901_000)
    expect(await identity.execute({ token: tokens.accessToken })).to.equal(undefined)
  })
})

describe('IntrospectToken', () => {
  let core: Core
  let tokens: TokenPair
  beforeEach(async () => {
    core = await createCore()
    tokens = await core.registerUser.execute({ username: 'alice', password: PASSWORD })
  })

  it('describes a good access token: its kind, claims and username', async () => {
    const result = await forwardAuth(core).introspect.execute({ token: tokens.accessToken })
    expect(result.active).to.equal(true)
    if (!result.active) return
    const claims = await core.checkClaims.execute({ token: tokens.accessToken, type: 'access' })
    expect(result).to.deep.equal({ active: true, type: 'access', claims, username: 'alice' })
  })

  it('gives a refresh token the username of its account, which the token does not carry', async () => {
    const result = await forwardAuth(core).introspect.execute({ token: tokens.refreshToken, hint: 'refresh_token' })
    expect(result).to.include({ active: true, type: 'refresh', username: 'alice' })
  })

  it('answers only inactive for a token revoked by jti, by family or by user', async () => {
    const { introspect } = forwardAuth(core)
    await core.revokeToken.execute({ token: tokens.accessToken, type: 'access' })
    expect(await introspect.execute({ token: tokens.accessToken })).to.deep.equal({ active: false })
    const second = await core.login.execute({ username: 'alice', password: PASSWORD })
    await core.revokeToken.execute({ token: second.refreshToken, type: 'refresh' })
    expect(await introspect.execute({ token: second.accessToken })).to.deep.equal({ active: false })
    expect(await introspect.execute({ token: second.refreshToken })).to.deep.equal({ active: false })
    const third = await core.login.execute({ username: 'alice', password: PASSWORD })
    core.clock.advance(10)
    await core.revokeToken.execute({ token: third.accessToken, type: 'access', everywhere: true })
    expect(await introspect.execute({ token: third.refreshToken })).to.deep.equal({ active: false })
  })

  it('answers only inactive for garbage, a bad signature and an expired token', async () => {
    const { introspect } = forwardAuth(core)
    for (const token of ['x', tampered(tokens.accessToken), 'a.b.c']) {
      expect(await introspect.execute({ token })).to.deep.equal({ active: false })
    }
    core.clock.advance(901_000)
    expect(await introspect.execute({ token: tokens.accessToken })).to.deep.equal({ active: false })
  })

  it('answers inactive for a refresh token whose account is gone', async () => {
    const [alice] = await core.users.list()
    await core.users.delete(alice!.username)
    expect(await forwardAuth(core).introspect.execute({ token: tokens.refreshToken })).to.deep.equal({ active: false })
  })

  it('fails closed with service_unavailable when the blocklist cannot answer, never active', async () => {
    const down = new SwitchableRevocationStore(core.clock)
    down.down = true
    const identity = new TokenIdentity({ verifier: core.verifier })
    await rejectsWith(
      new IntrospectToken({ identity, revocations: down, users: core.users }).execute({ token: tokens.accessToken }),
      'service_unavailable',
    )
  })
})

describe('RevokeAnyToken', () => {
  let core: Core
  let tokens: TokenPair
  beforeEach(async () => {
    core = await createCore()
    tokens = await core.registerUser.execute({ username: 'alice', password: PASSWORD })
  })

  it('revokes an access token by its jti and leaves its session working', async () => {
    expect(await forwardAuth(core).revoke.execute({ token: tokens.accessToken })).to.equal('token')
    await rejectsWith(core.checkClaims.execute({ token: tokens.accessToken, type: 'access' }), 'token_revoked')
    await core.refreshAccess.execute({ token: tokens.refreshToken })
  })

  it("revokes a refresh token's whole family, so its access tokens stop working too, even given the wrong hint", async () => {
    expect(await forwardAuth(core).revoke.execute({ token: tokens.refreshToken, hint: 'access_token' })).to.equal(
      'session',
    )
    await rejectsWith(core.checkClaims.execute({ token: tokens.accessToken, type: 'access' }), 'token_revoked')
    await rejectsWith(core.refreshAccess.execute({ token: tokens.refreshToken }), 'token_revoked')
  })

  it('does nothing, without an error, for a token that does not verify, and again for one already revoked', async () => {
    const { revoke } = forwardAuth(core)
    expect(await revoke.execute({ token: 'garbage' })).to.equal(undefined)
    expect(await revoke.execute({ token: tampered(tokens.accessToken) })).to.equal(undefined)
    await core.checkClaims.execute({ token: tokens.accessToken, type: 'access' })
    expect(await revoke.execute({ token: tokens.accessToken })).to.equal('token')
    expect(await revoke.execute({ token: tokens.accessToken })).to.equal('token')
  })

  it('keeps a revoked refresh family refused as long as any token of it can live', async () => {
    await forwardAuth(core).revoke.execute({ token: tokens.refreshToken })
    core.clock.advance(29 * 86_400_000)
    await rejectsWith(core.checkClaims.execute({ token: tokens.refreshToken, type: 'refresh' }), 'token_revoked')
  })
})
