import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import type {
  EarlierUse,
  RevocationQuery,
  RevocationStore,
  Rotation,
} from '../../src/application/ports/revocation_store.ts'
import type { TokenPair } from '../../src/application/token_minter.ts'
import { type Core, createCore, PASSWORD, rejectsWith } from '../support/core_fixtures.ts'

describe('RefreshAccess', () => {
  let core: Core
  let session: TokenPair
  beforeEach(async () => {
    core = await createCore()
    session = await core.registerUser.execute({ username: 'alice', password: PASSWORD })
    core.clock.advance(60_000)
  })

  it('answers with a non-fresh access token and a refresh token of the same family', async () => {
    const original = await core.verifier.verify(session.refreshToken, 'refresh')
    const result = await core.refreshAccess.execute({ token: session.refreshToken })
    const access = await core.checkClaims.execute({ token: result.accessToken, type: 'access' })
    const refresh = await core.checkClaims.execute({ token: result.refreshToken, type: 'refresh' })
    expect(access).to.include({ fresh: false, sub: original.sub, fam: original.fam })
    expect(refresh).to.include({ sub: original.sub, fam: original.fam })
    expect(refresh.jti).not.to.equal(original.jti)
    await rejectsWith(
      core.checkClaims.execute({ token: result.accessToken, type: 'access', fresh: true }),
      'fresh_token_required',
    )
  })

  it('serves a used refresh token again within the grace window, for two tabs refreshing at once', async () => {
    await core.refreshAccess.execute({ token: session.refreshToken })
    core.clock.advance(core.policy.refreshReuseGraceSeconds * 1000 - 1)
    const second = await core.refreshAccess.execute({ token: session.refreshToken })
    await core.checkClaims.execute({ token: second.accessToken, type: 'access' })
  })

  it('answers every use within the grace window with the same successor, so the family keeps one head', async () => {
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => core.refreshAccess.execute({ token: session.refreshToken })),
    )
    const jtis = async (type: 'access' | 'refresh') =>
      new Set(
        await Promise.all(answers.map(async (pair) =>
          (await core.verifier.verify(type === 'access' ? pair.accessToken : pair.refreshToken, type)).jti
        )),
      )
    expect((await jtis('refresh')).size).to.equal(1)
    expect((await jtis('access')).size).to.equal(1)
  })

  it('serves a late tab the successor the first tab got, with the same times and claims', async () => {
    const first = await core.refreshAccess.execute({ token: session.refreshToken })
    core.clock.advance(2_000)
    const second = await core.refreshAccess.execute({ token: session.refreshToken })
    expect(await core.verifier.verify(second.refreshToken, 'refresh')).to.deep.equal(
      await core.verifier.verify(first.refreshToken, 'refresh'),
    )
    expect(await core.verifier.verify(second.accessToken, 'access')).to.deep.equal(
      await core.verifier.verify(first.accessToken, 'access'),
    )
  })

  it('never forks a family: once the shared successor is rotated, any copy of it is a reuse', async () => {
    const [tabA, tabB] = await Promise.all(
      [1, 2].map(() => core.refreshAccess.execute({ token: session.refreshToken })),
    )
    const next = await core.refreshAccess.execute({ token: tabA!.refreshToken })
    core.clock.advance(core.policy.refreshReuseGraceSeconds * 1000 + 1)
    await rejectsWith(core.refreshAccess.execute({ token: tabB!.refreshToken }), 'token_reused')
    await rejectsWith(core.refreshAccess.execute({ token: next.refreshToken }), 'token_revoked')
  })

  it('answers token_reused for a used refresh token after the grace window', async () => {
    await core.refreshAccess.execute({ token: session.refreshToken })
    core.clock.advance(core.policy.refreshReuseGraceSeconds * 1000 + 1)
    await rejectsWith(core.refreshAccess.execute({ token: session.refreshToken }), 'token_reused')
  })

  it('revokes the whole family on reuse, the rotated tokens included', async () => {
    const rotated = await core.refreshAccess.execute({ token: session.refreshToken })
    core.clock.advance(core.policy.refreshReuseGraceSeconds * 1000 + 1)
    await rejectsWith(core.refreshAccess.execute({ token: session.refreshToken }), 'token_reused')
    await rejectsWith(core.refreshAccess.execute({ token: rotated.refreshToken }), 'token_revoked')
    await rejectsWith(core.checkClaims.execute({ token: rotated.accessToken, type: 'access' }), 'token_revoked')
    await rejectsWith(core.checkClaims.execute({ token: session.accessToken, type: 'access' }), 'token_revoked')
  })

  it('keeps other sessions of the user alive when one family is revoked for reuse', async () => {
    const other = await core.login.execute({ username: 'alice', password: PASSWORD })
    await core.refreshAccess.execute({ token: session.refreshToken })
    core.clock.advance(core.policy.refreshReuseGraceSeconds * 1000 + 1)
    await rejectsWith(core.refreshAccess.execute({ token: session.refreshToken }), 'token_reused')
    await core.refreshAccess.execute({ token: other.refreshToken })
  })

  it('lets each rotated refresh token be used in turn', async () => {
    const first = await core.refreshAccess.execute({ token: session.refreshToken })
    core.clock.advance(60_000)
    const second = await core.refreshAccess.execute({ token: first.refreshToken })
    core.clock.advance(60_000)
    await core.refreshAccess.execute({ token: second.refreshToken })
  })

  it('keeps the tokens of the session that were not presented', async () => {
    await core.refreshAccess.execute({ token: session.refreshToken })
    await core.checkClaims.execute({ token: session.accessToken, type: 'access', fresh: true })
  })

  it('refuses an access token with invalid_token', async () => {
    await rejectsWith(core.refreshAccess.execute({ token: session.accessToken }), 'invalid_token')
  })

  it('requires a token', async () => {
    await rejectsWith(core.refreshAccess.execute({ token: undefined }), 'authorization_required')
  })

  it('refuses an expired refresh token with token_expired', async () => {
    core.clock.advance(core.policy.refreshTtlSeconds * 1000)
    await rejectsWith(core.refreshAccess.execute({ token: session.refreshToken }), 'token_expired')
  })

  it('refuses a refresh token of a deleted user with token_revoked', async () => {
    await core.deleteUser.execute({ username: 'alice' })
    await rejectsWith(core.refreshAccess.execute({ token: session.refreshToken }), 'token_revoked')
  })

  it('refuses with token_revoked when the user is gone though no token was revoked', async () => {
    await core.users.delete((await core.users.list())[0]!.username)
    await rejectsWith(core.refreshAccess.execute({ token: session.refreshToken }), 'token_revoked')
  })

  it('reads the admin flag again, so a promotion takes effect at the next refresh', async () => {
    await core.setAdmin.execute({ username: 'alice', isAdmin: true })
    const result = await core.refreshAccess.execute({ token: session.refreshToken })
    await core.checkClaims.execute({ token: result.accessToken, type: 'access', admin: true })
    await rejectsWith(
      core.checkClaims.execute({ token: session.accessToken, type: 'access', admin: true }),
      'admin_required',
    )
  })
})

/**
 * A blocklist that keeps every successor past the grace window (as a store on a lagging clock
 * may), and answers a second use with what the test makes of the first use's time and successor.
 */
class KeptSuccessors implements RevocationStore {
  readonly #inner: RevocationStore
  readonly #successors = new Map<string, string>()
  at: (at: number) => number = (at) => at
  successor: (text: string) => string = (text) => text

  constructor(inner: RevocationStore) {
    this.#inner = inner
  }

  revokeToken(jti: string, expiresAt: number): Promise<void> {
    return this.#inner.revokeToken(jti, expiresAt)
  }

  revokeFamily(fam: string, expiresAt: number): Promise<void> {
    return this.#inner.revokeFamily(fam, expiresAt)
  }

  revokeSubject(sub: string, issuedUpTo: number, expiresAt: number): Promise<void> {
    return this.#inner.revokeSubject(sub, issuedUpTo, expiresAt)
  }

  async retire(jti: string, rotation: Rotation): Promise<EarlierUse | undefined> {
    const earlier = await this.#inner.retire(jti, rotation)
    if (earlier === undefined) {
      this.#successors.set(jti, rotation.successor)
      return undefined
    }
    return { at: this.at(earlier.at), successor: this.successor(this.#successors.get(jti)!) }
  }

  isRevoked(query: RevocationQuery): Promise<boolean> {
    return this.#inner.isRevoked(query)
  }
}

describe('RefreshAccess: the successor a first use recorded', () => {
  let core: Core
  let kept: KeptSuccessors
  let session: TokenPair
  beforeEach(async () => {
    core = await createCore({ blocklist: (memory) => (kept = new KeptSuccessors(memory)) })
    session = await core.registerUser.execute({ username: 'alice', password: PASSWORD })
    core.clock.advance(60_000)
  })

  it('is served to a second use at the very end of the grace window', async () => {
    const first = await core.refreshAccess.execute({ token: session.refreshToken })
    kept.at = () => core.clock.now() / 1000 - core.policy.refreshReuseGraceSeconds
    const second = await core.refreshAccess.execute({ token: session.refreshToken })
    expect(second).to.deep.equal(first)
  })

  it('is not served after the grace window though the store still holds it: that use is a reuse', async () => {
    await core.refreshAccess.execute({ token: session.refreshToken })
    core.clock.advance(core.policy.refreshReuseGraceSeconds * 1000 + 1000)
    await rejectsWith(core.refreshAccess.execute({ token: session.refreshToken }), 'token_reused')
  })

  type Claims = Record<string, unknown>
  const edit = (type: 'access' | 'refresh', change: (claims: Claims) => unknown) => (text: string) => {
    const successor = JSON.parse(text) as Record<string, Claims>
    return JSON.stringify({ ...successor, [type]: change(successor[type]!) })
  }
  const cases: Array<[string, (text: string) => string]> = [
    ['that is not JSON', () => '{"access":'],
    ['whose access token is of another user', edit('access', (claims) => ({ ...claims, sub: 'mallory' }))],
    ['whose refresh token is of another user', edit('refresh', (claims) => ({ ...claims, sub: 'mallory' }))],
    ['whose access token is of another family', edit('access', (claims) => ({ ...claims, fam: 'other' }))],
    ['whose refresh token is of another family', edit('refresh', (claims) => ({ ...claims, fam: 'other' }))],
    ['whose access token is a refresh token', edit('access', (claims) => ({ ...claims, type: 'refresh' }))],
    ['whose refresh token is an access token', edit('refresh', (claims) => ({ ...claims, type: 'access' }))],
    ['whose access token has no id', edit('access', ({ jti: _, ...claims }) => claims)],
    ['whose refresh token has a numeric id', edit('refresh', (claims) => ({ ...claims, jti: 7 }))],
    [
      'whose access token has an issue time that is not a number',
      edit('access', (claims) => ({ ...claims, iat: String(claims.iat) })),
    ],
    ['whose refresh token has no expiry', edit('refresh', ({ exp: _, ...claims }) => claims)],
    ['whose access token is null', edit('access', () => null)],
    ['whose refresh token is a string', edit('refresh', () => 'refresh')],
  ]
  for (const [what, change] of cases) {
    it(`is taken for a reuse, and the family revoked, when it is one ${what}`, async () => {
      const first = await core.refreshAccess.execute({ token: session.refreshToken })
      kept.successor = change
      await rejectsWith(core.refreshAccess.execute({ token: session.refreshToken }), 'token_reused')
      await rejectsWith(core.checkClaims.execute({ token: first.accessToken, type: 'access' }), 'token_revoked')
    })
  }
})
