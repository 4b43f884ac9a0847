import { describe, it } from 'mocha'
import { expect } from 'chai'
import type { MemoryRevocationStore } from '../../src/adapters/memory/revocation_store.ts'
import type {
  EarlierUse,
  RevocationCheckOptions,
  RevocationQuery,
  RevocationStore,
  Rotation,
} from '../../src/application/ports/revocation_store.ts'
import { type Core, createCore, PASSWORD, rejectsWith } from '../support/core_fixtures.ts'
import { GatedHasher, GatedIssuer, GatedUsers, Gates } from '../support/gates.ts'

/**
 * A near-cache that has not heard of any revocation yet: ordinary checks answer "not
 * revoked", consistent ones go to the store of record. What a lagging feed looks like.
 */
class LaggingCache implements RevocationStore {
  readonly #store: MemoryRevocationStore

  constructor(store: MemoryRevocationStore) {
    this.#store = store
  }
  revokeToken(jti: string, expiresAt: number): Promise<void> {
    return this.#store.revokeToken(jti, expiresAt)
  }
  revokeFamily(fam: string, expiresAt: number): Promise<void> {
    return this.#store.revokeFamily(fam, expiresAt)
  }
  revokeSubject(sub: string, issuedUpTo: number, expiresAt: number): Promise<void> {
    return this.#store.revokeSubject(sub, issuedUpTo, expiresAt)
  }
  retire(jti: string, rotation: Rotation): Promise<EarlierUse | undefined> {
    return this.#store.retire(jti, rotation)
  }
  isRevoked(query: RevocationQuery, options: RevocationCheckOptions = {}): Promise<boolean> {
    return options.consistent === true ? this.#store.isRevoked(query) : Promise.resolve(false)
  }
}

/** Each test stops one step of a login or refresh at a gate, lands a revocation, and lets it go on. */
describe('Tokens whose minting overlapped a revocation', () => {
  async function gatedCore(): Promise<
    { core: Core; hasher: GatedHasher; users: GatedUsers; issuer: { gated?: GatedIssuer } }
  > {
    const hasher = new GatedHasher()
    const users = new GatedUsers()
    const issuer: { gated?: GatedIssuer } = {}
    const core = await createCore({
      hasher,
      users,
      issuer: (jose) => (issuer.gated = new GatedIssuer(jose)),
      reservedUsernames: ['root'],
    })
    return { core, hasher, users, issuer }
  }

  it("answers token_revoked to a login whose password check overlapped the account's deletion", async () => {
    const { core, hasher } = await gatedCore()
    await core.registerUser.execute({ username: 'root', password: PASSWORD }, { byOperator: true })
    hasher.gates = new Gates()
    const login = core.login.execute({ username: 'root', password: PASSWORD })
    await hasher.gates.at(0).reached // the user was read, the password is being checked
    core.clock.advance(5)
    await core.deleteUser.execute({ username: 'root' })
    core.clock.advance(5) // the check ends after the deletion
    hasher.gates.openAll()
    await rejectsWith(login, 'token_revoked')
  })

  it("dates a login's tokens from before the user was read, so a revocation landing while they are signed covers them", async () => {
    const { core, issuer } = await gatedCore()
    await core.registerUser.execute({ username: 'alice', password: PASSWORD })
    core.clock.advance(1)
    issuer.gated!.gates = new Gates()
    const login = core.login.execute({ username: 'alice', password: PASSWORD })
    await issuer.gated!.gates.at(0).reached // checked against the blocklist already, now signing
    core.clock.advance(10)
    await core.revokeUserTokens.execute({ username: 'alice' }) // logout everywhere, from another device
    core.clock.advance(10)
    issuer.gated!.gates.openAll()
    const { accessToken, refreshToken } = await login
    await rejectsWith(core.checkClaims.execute({ token: accessToken, type: 'access' }), 'token_revoked')
    await rejectsWith(core.refreshAccess.execute({ token: refreshToken }), 'token_revoked')
  })

  it('gives a demoted admin whose login overlapped the demotion no admin token', async () => {
    const { core, hasher } = await gatedCore()
    await core.registerUser.execute({ username: 'root', password: PASSWORD }, { byOperator: true })
    core.clock.advance(1)
    hasher.gates = new Gates()
    const login = core.login.execute({ username: 'root', password: PASSWORD })
    await hasher.gates.at(0).reached // read while still an admin
    core.clock.advance(5)
    await core.setAdmin.execute({ username: 'root', isAdmin: false })
    core.clock.advance(5)
    hasher.gates.openAll()
    await rejectsWith(login, 'token_revoked')
    core.clock.advance(1)
    const again = await core.login.execute({ username: 'root', password: PASSWORD })
    expect((await core.checkClaims.execute({ token: again.accessToken, type: 'access' })).isAdmin).to.equal(false)
  })

  it('answers token_revoked to a stolen refresh token replayed while its owner logs out everywhere', async () => {
    const { core, users } = await gatedCore()
    const session = await core.registerUser.execute({ username: 'alice', password: PASSWORD })
    core.clock.advance(1_000)
    users.gates = new Gates()
    const replay = core.refreshAccess.execute({ token: session.refreshToken })
    await users.gates.at(0).reached // the refresh token passed its checks, the user is being read
    core.clock.advance(5)
    await core.revokeToken.execute({ token: session.accessToken, type: 'access', everywhere: true })
    core.clock.advance(5)
    users.gates.openAll()
    await rejectsWith(replay, 'token_revoked')
  })

  it('dates refreshed tokens from before the checks, so a logout landing while they are signed covers them', async () => {
    const { core, issuer } = await gatedCore()
    const session = await core.registerUser.execute({ username: 'alice', password: PASSWORD })
    core.clock.advance(1_000)
    issuer.gated!.gates = new Gates()
    const refresh = core.refreshAccess.execute({ token: session.refreshToken })
    await issuer.gated!.gates.at(0).reached
    core.clock.advance(10)
    await core.revokeToken.execute({ token: session.accessToken, type: 'access', everywhere: true })
    core.clock.advance(10)
    issuer.gated!.gates.openAll()
    const pair = await refresh
    await rejectsWith(core.checkClaims.execute({ token: pair.accessToken, type: 'access' }), 'token_revoked')
    await rejectsWith(core.refreshAccess.execute({ token: pair.refreshToken }), 'token_revoked')
  })

  it('refuses to refresh a token revoked before the refresh began, though a lagging near-cache has not heard of it', async () => {
    const core = await createCore({ blocklist: (memory) => new LaggingCache(memory) })
    const session = await core.registerUser.execute({ username: 'alice', password: PASSWORD })
    core.clock.advance(1_000)
    await core.revokeToken.execute({ token: session.accessToken, type: 'access', everywhere: true })
    core.clock.advance(1_000)
    // The cache answers ordinary checks as if nothing was revoked...
    await core.checkClaims.execute({ token: session.accessToken, type: 'access' })
    // ...but minting asks the store of record, so no new pair outlives the logout.
    await rejectsWith(core.refreshAccess.execute({ token: session.refreshToken }), 'token_revoked')
  })

  it('refuses a fresh login into a session ended before it began, though a lagging near-cache has not heard of it', async () => {
    const core = await createCore({ blocklist: (memory) => new LaggingCache(memory) })
    const session = await core.registerUser.execute({ username: 'alice', password: PASSWORD })
    core.clock.advance(1_000)
    await core.revokeToken.execute({ token: session.accessToken, type: 'access', everywhere: true })
    core.clock.advance(1_000)
    await rejectsWith(
      core.freshLogin.execute({ username: 'alice', password: PASSWORD }, { refreshToken: session.refreshToken }),
      'token_revoked',
    )
  })
})
