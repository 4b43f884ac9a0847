import { AuthError } from '../domain/auth_error.ts'
import type { TokenClaims } from '../domain/token_claims.ts'
import { toNumericDate } from '../domain/token_claims.ts'
import type { CheckClaims } from './check_claims.ts'
import type { Clock } from './ports/clock.ts'
import type { RevocationStore } from './ports/revocation_store.ts'
import type { UserRepository } from './ports/user_repository.ts'
import { blockIssuedUpTo, blockUntil, type TokenMinter, type TokenPair, type TokenPolicy } from './token_minter.ts'

/** Dependencies of {@linkcode RefreshAccess}. */
export interface RefreshAccessDeps {
  readonly checkClaims: CheckClaims
  readonly revocations: RevocationStore
  readonly users: UserRepository
  readonly minter: TokenMinter
  readonly clock: Clock
  readonly policy: TokenPolicy
}

/** The refresh token presented. */
export interface RefreshAccessInput {
  readonly token: string | undefined
}

/**
 * Trades a refresh token for a new (not fresh) access token and a new refresh token of the
 * same family, retiring the presented one. A retired token presented again within the grace
 * window (two tabs refreshing at once) is served too; later, it means the token was copied,
 * so the whole family is revoked and the answer is `token_reused`. The admin flag is read
 * again from the user, so a change takes effect at the next refresh.
 * @throws the errors of {@linkcode CheckClaims}; `token_reused`; `token_revoked` when the user is gone
 */
export class RefreshAccess {
  readonly #deps: RefreshAccessDeps

  constructor(deps: RefreshAccessDeps) {
    this.#deps = deps
  }

  async execute(input: RefreshAccessInput): Promise<TokenPair> {
    const { checkClaims, users, minter } = this.#deps
    const claims = await checkClaims.execute({ token: input.token, type: 'refresh' })
    const user = await users.findById(claims.sub)
    if (user === undefined) {
      throw new AuthError('token_revoked', 'Cannot refresh access: the user no longer exists')
    }
    // Retire only once nothing else can fail, so a store outage never burns a token unused.
    await this.#retire(claims)
    const [access, refresh] = await Promise.all([
      minter.mint(user, 'access', { fresh: false, fam: claims.fam }),
      minter.mint(user, 'refresh', { fresh: false, fam: claims.fam }),
    ])
    return { accessToken: access.token, refreshToken: refresh.token }
  }

  async #retire(claims: TokenClaims): Promise<void> {
    const { revocations, clock, policy } = this.#deps
    const firstUse = await revocations.retire(claims.jti, blockUntil(claims.exp, policy))
    if (firstUse === undefined) return
    const now = toNumericDate(clock.now())
    if (now - firstUse <= policy.refreshReuseGraceSeconds) return
    await revocations.revokeFamily(claims.fam, blockIssuedUpTo(now, policy))
    throw new AuthError('token_reused', 'Cannot refresh access: the refresh token was already used, its session is revoked')
  }
}
