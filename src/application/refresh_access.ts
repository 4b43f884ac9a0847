import { AuthError } from '../domain/auth_error.ts'
import type { CheckClaims } from './check_claims.ts'
import type { RevocationStore } from './ports/revocation_store.ts'
import type { UserRepository } from './ports/user_repository.ts'
import type { TokenMinter, TokenPair } from './token_minter.ts'

/** Dependencies of {@linkcode RefreshAccess}. */
export interface RefreshAccessDeps {
  readonly checkClaims: CheckClaims
  readonly revocations: RevocationStore
  readonly users: UserRepository
  readonly minter: TokenMinter
}

/** The refresh token presented. */
export interface RefreshAccessInput {
  readonly token: string | undefined
}

/**
 * Trades a refresh token for a new (not fresh) access token and a new refresh token of the
 * same family; the presented one is retired, so each refresh token works once. The admin
 * flag is read again from the user, so a change takes effect at the next refresh.
 * @throws the errors of {@linkcode CheckClaims}; `token_revoked` when the user is gone
 */
export class RefreshAccess {
  readonly #deps: RefreshAccessDeps

  constructor(deps: RefreshAccessDeps) {
    this.#deps = deps
  }

  async execute(input: RefreshAccessInput): Promise<TokenPair> {
    const { checkClaims, revocations, users, minter } = this.#deps
    const claims = await checkClaims.execute({ token: input.token, type: 'refresh' })
    const user = await users.findById(claims.sub)
    if (user === undefined) {
      throw new AuthError('token_revoked', 'Cannot refresh access: the user no longer exists')
    }
    await revocations.revokeToken(claims.jti, claims.exp)
    const [access, refresh] = await Promise.all([
      minter.mint(user, 'access', { fresh: false, fam: claims.fam }),
      minter.mint(user, 'refresh', { fresh: false, fam: claims.fam }),
    ])
    return { accessToken: access.token, refreshToken: refresh.token }
  }
}
