import type { TokenClaims, TokenType } from '../domain/token_claims.ts'
import { toNumericDate } from '../domain/token_claims.ts'
import type { CheckClaims, CsrfProof } from './check_claims.ts'
import type { Clock } from './ports/clock.ts'
import type { RevocationStore } from './ports/revocation_store.ts'
import { blockIssuedUpTo, blockUntil, type TokenPolicy } from './token_minter.ts'

/** Dependencies of {@linkcode RevokeToken}. */
export interface RevokeTokenDeps {
  readonly checkClaims: CheckClaims
  readonly revocations: RevocationStore
  readonly clock: Clock
  readonly policy: TokenPolicy
}

/** Which token to revoke, and how widely. */
export interface RevokeTokenInput {
  readonly token: string | undefined
  readonly type: TokenType
  /** With an access token: revoke every token of its user issued up to now. */
  readonly everywhere?: boolean
  /** With an access token: revoke its whole login session (family), as `POST /logout` does. */
  readonly session?: boolean
  /** The token came in a cookie: the request's CSRF proof, checked before anything is revoked. */
  readonly csrf?: CsrfProof
}

/** What was revoked. */
export type RevokeTokenResult = 'token' | 'session' | 'everywhere'

/**
 * Logs out. An access token revokes itself (or, `everywhere`, every token of its user issued
 * up to now; `session`, its login session); a refresh token revokes its whole family, the
 * login session it belongs to.
 * @throws the errors of {@linkcode CheckClaims}
 */
export class RevokeToken {
  readonly #deps: RevokeTokenDeps

  constructor(deps: RevokeTokenDeps) {
    this.#deps = deps
  }

  async execute(input: RevokeTokenInput): Promise<RevokeTokenResult> {
    return (await this.revoke(input)).scope
  }

  /** As {@linkcode execute}, answering the revoked token's claims too (for the audit trail). */
  async revoke(input: RevokeTokenInput): Promise<{ scope: RevokeTokenResult; claims: TokenClaims }> {
    const { checkClaims, revocations, clock, policy } = this.#deps
    const claims = await checkClaims.execute({ token: input.token, type: input.type, csrf: input.csrf })
    const now = toNumericDate(clock.now())
    // Later tokens of a family or a user outlive this one: keep the entry as long as any can.
    const longest = blockIssuedUpTo(now, policy)
    if (input.type === 'refresh' || input.session === true) {
      await revocations.revokeFamily(claims.fam, longest)
      return { scope: 'session', claims }
    }
    if (input.everywhere === true) {
      await revocations.revokeSubject(claims.sub, now, longest)
      return { scope: 'everywhere', claims }
    }
    await revocations.revokeToken(claims.jti, blockUntil(claims.exp, policy))
    return { scope: 'token', claims }
  }
}
