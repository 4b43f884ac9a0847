import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import { JoseTokenIssuer } from '../../src/adapters/crypto/jose_token_issuer.ts'
import { HmacSigningKeys } from '../../src/adapters/crypto/hmac_signing_keys.ts'
import { CheckClaims } from '../../src/application/check_claims.ts'
import type { EarlierUse, RevocationStore } from '../../src/application/ports/revocation_store.ts'
import { TokenMinter } from '../../src/application/token_minter.ts'
import { AuthError } from '../../src/domain/auth_error.ts'
import type { User } from '../../src/domain/user.ts'
import { type Core, createCore, PASSWORD, rejectsWith } from '../support/core_fixtures.ts'

/** A blocklist that cannot answer, like Redis when it is down. */
class DownRevocationStore implements RevocationStore {
  #down(): Promise<never> {
    return Promise.reject(new AuthError('service_unavailable', 'Cannot check revocations: the store is down'))
  }
  revokeToken(): Promise<void> {
    return this.#down()
  }
  revokeFamily(): Promise<void> {
    return this.#down()
  }
  revokeSubject(): Promise<void> {
    return this.#down()
  }
  retire(): Promise<EarlierUse | undefined> {
    return this.#down()
  }
  isRevoked(): Promise<boolean> {
    return this.#down()
  }
}

function withPayload(token: string, change: (payload: Record<string, unknown>) => void): string {
  const [header, payload, signature] = token.split('.')
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>
  change(claims)
  return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.')
}

describe('CheckClaims', () => {
  let core: Core
  let user: User
  let session: { accessToken: string; refreshToken: string }
  beforeEach(async () => {
    core = await createCore()
    session = await core.registerUser.execute({ username: 'alice', password: PASSWORD })
    user = (await core.users.list())[0]!
  })

  it('returns the claims of a valid access token', async () => {
    const claims = await core.checkClaims.execute({ token: session.accessToken, type: 'access' })
    expect(claims).to.include({ sub: user.id, type: 'access', fresh: true, isAdmin: false })
  })

  it('requires authorization when no token was sent', async () => {
    for (const type of ['access', 'refresh'] as const) {
      await rejectsWith(core.checkClaims.execute({ token: undefined, type }), 'authorization_required')
    }
  })

  it('rejects garbage with invalid_token', async () => {
    for (const token of ['', 'garbage', 'a.b.c', `${session.accessToken}x`, 'x'.repeat(10_000)]) {
      await rejectsWith(core.checkClaims.execute({ token, type: 'access' }), 'invalid_token')
    }
  })

  it('rejects a token of the wrong type with invalid_token, both ways', async () => {
    await rejectsWith(core.checkClaims.execute({ token: session.refreshToken, type: 'access' }), 'invalid_token')
    await rejectsWith(core.checkClaims.execute({ token: session.accessToken, type: 'refresh' }), 'invalid_token')
  })

  it('rejects a token whose claims were changed after signing', async () => {
    const forged = withPayload(session.accessToken, (payload) => {
      payload.is_admin = true
    })
    await rejectsWith(core.checkClaims.execute({ token: forged, type: 'access', admin: true }), 'invalid_token')
  })

  it('rejects a token signed with another key or for another issuer', async () => {
    const otherKeys = await HmacSigningKeys.create(
      new TextEncoder().encode('another-secret-of-at-least-32-bytes!'),
      core.clock.now(),
    )
    for (const settings of [{ ...core.settings, keys: otherKeys }, { ...core.settings, issuer: 'elsewhere' }]) {
      const minter = new TokenMinter({
        issuer: new JoseTokenIssuer(settings),
        revocations: core.revocations,
        policy: core.policy,
      })
      const { token } = await minter.mint(user, 'access', {
        fresh: true,
        fam: minter.newFamily(),
        startedAt: core.clock.now(),
      })
      await rejectsWith(core.checkClaims.execute({ token, type: 'access' }), 'invalid_token')
    }
  })

  it('accepts a token until its expiry and answers token_expired from then on', async () => {
    const { exp } = await core.verifier.verify(session.accessToken, 'access')
    core.clock.advance(exp * 1000 - core.clock.now() - 1)
    await core.checkClaims.execute({ token: session.accessToken, type: 'access' })
    core.clock.advance(1)
    await rejectsWith(core.checkClaims.execute({ token: session.accessToken, type: 'access' }), 'token_expired')
  })

  it('rejects a revoked token with token_revoked', async () => {
    const claims = await core.verifier.verify(session.accessToken, 'access')
    await core.revocations.revokeToken(claims.jti, claims.exp)
    await rejectsWith(core.checkClaims.execute({ token: session.accessToken, type: 'access' }), 'token_revoked')
  })

  it('rejects a token of a revoked family or subject with token_revoked', async () => {
    const claims = await core.verifier.verify(session.refreshToken, 'refresh')
    await core.revocations.revokeFamily(claims.fam, claims.exp)
    await rejectsWith(core.checkClaims.execute({ token: session.refreshToken, type: 'refresh' }), 'token_revoked')
    core.clock.advance(10)
    const other = await core.login.execute({ username: 'alice', password: PASSWORD })
    await core.revocations.revokeSubject(user.id, core.clock.now() / 1000, claims.exp)
    await rejectsWith(core.checkClaims.execute({ token: other.accessToken, type: 'access' }), 'token_revoked')
  })

  it('requires a fresh token when asked, with fresh_token_required', async () => {
    const refreshed = await core.refreshAccess.execute({ token: session.refreshToken })
    await core.checkClaims.execute({ token: refreshed.accessToken, type: 'access' })
    await rejectsWith(
      core.checkClaims.execute({ token: refreshed.accessToken, type: 'access', fresh: true }),
      'fresh_token_required',
    )
    await core.checkClaims.execute({ token: session.accessToken, type: 'access', fresh: true })
  })

  it('requires the is_admin claim when asked, with admin_required', async () => {
    await rejectsWith(
      core.checkClaims.execute({ token: session.accessToken, type: 'access', admin: true }),
      'admin_required',
    )
  })

  it('lets in a user whose stored admin flag is set', async () => {
    await core.setAdmin.execute({ username: 'alice', isAdmin: true })
    core.clock.advance(1)
    const root = await core.login.execute({ username: 'alice', password: PASSWORD })
    const claims = await core.checkClaims.execute({ token: root.accessToken, type: 'access', admin: true })
    expect(claims.isAdmin).to.equal(true)
  })

  it('fails closed with service_unavailable when the blocklist cannot answer', async () => {
    const check = new CheckClaims({ verifier: core.verifier, revocations: new DownRevocationStore() })
    await rejectsWith(check.execute({ token: session.accessToken, type: 'access' }), 'service_unavailable')
  })
})
