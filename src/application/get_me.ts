import { AuthError } from '../domain/auth_error.ts'
import type { TokenClaims } from '../domain/token_claims.ts'
import { type PublicUser, toPublicUser } from '../domain/user.ts'
import type { UserRepository } from './ports/user_repository.ts'

/** Dependencies of {@linkcode GetMe}. */
export interface GetMeDeps {
  readonly users: UserRepository
}

/**
 * The caller's own account (never its hash), from its verified access token's claims.
 * @throws `token_revoked` when the account is gone
 */
export class GetMe {
  readonly #deps: GetMeDeps

  constructor(deps: GetMeDeps) {
    this.#deps = deps
  }

  async execute(caller: TokenClaims): Promise<PublicUser> {
    const user = await this.#deps.users.findById(caller.sub)
    if (user === undefined) throw new AuthError('token_revoked', 'Cannot read the account: it no longer exists')
    return toPublicUser(user)
  }
}
