import { AuthError } from '../domain/auth_error.ts'
import { parseUsername } from '../domain/username.ts'
import type { UserRepository } from './ports/user_repository.ts'
import { revokeUsersTokens, type UserRevocationDeps } from './user_revocation.ts'

/** Dependencies of {@linkcode RevokeUserTokens}. */
export interface RevokeUserTokensDeps extends UserRevocationDeps {
  readonly users: UserRepository
}

/** Whose tokens to revoke. */
export interface RevokeUserTokensInput {
  readonly username: unknown
}

/**
 * Revokes every token of a user issued up to now, by username (the CLI's `revoke-all`: a
 * logout everywhere an operator starts). Tokens issued later work. No token is checked
 * here: the caller is an operator with access to the stores.
 * @throws `invalid_request`, `not_found`, `service_unavailable`
 */
export class RevokeUserTokens {
  readonly #deps: RevokeUserTokensDeps

  constructor(deps: RevokeUserTokensDeps) {
    this.#deps = deps
  }

  async execute(input: RevokeUserTokensInput): Promise<void> {
    const username = parseUsername(input.username)
    const user = await this.#deps.users.findByUsername(username)
    if (user === undefined) {
      throw new AuthError('not_found', `Cannot revoke the tokens of user "${username}": no such user`)
    }
    await revokeUsersTokens(this.#deps, [user])
  }
}
