import { toNumericDate } from '../domain/token_claims.ts'
import type { Clock } from './ports/clock.ts'
import type { RevocationStore } from './ports/revocation_store.ts'
import type { TokenIdentity, TokenIdentityInput } from './token_identity.ts'
import { blockIssuedUpTo, blockUntil, type TokenPolicy } from './token_minter.ts'

/** Dependencies of {@linkcode RevokeAnyToken}. */
export interface RevokeAnyTokenDeps {
  readonly identity: TokenIdentity
  readonly revocations: RevocationStore
  readonly clock: Clock
  readonly policy: TokenPolicy
}

/** What was revoked: `undefined` when the token was no token of this issuer (nothing to do). */
export type RevokeAnyTokenResult = 'token' | 'session' | undefined

/**
 * RFC 7009 revocation on behalf of a resource server: an access token's jti is revoked, a
 * refresh token's whole family (its session, access tokens included). A token that does not
 * verify (garbage, expired, another issuer's) needs nothing and is not an error; one already
 * revoked is revoked again, harmlessly.
 * @throws `service_unavailable`
 */
export class RevokeAnyToken {
  readonly #deps: RevokeAnyTokenDeps

  constructor(deps: RevokeAnyTokenDeps) {
    this.#deps = deps
  }

  async execute(input: TokenIdentityInput): Promise<RevokeAnyTokenResult> {
    const { identity, revocations, clock, policy } = this.#deps
    const found = await identity.execute(input)
    if (found === undefined) return undefined
    if (found.type === 'refresh') {
      // Later tokens of the family outlive this one: keep the entry as long as any can.
      await revocations.revokeFamily(found.claims.fam, blockIssuedUpTo(toNumericDate(clock.now()), policy))
      return 'session'
    }
    await revocations.revokeToken(found.claims.jti, blockUntil(found.claims.exp, policy))
    return 'token'
  }
}
