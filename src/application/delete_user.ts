import { AuthError } from '../domain/auth_error.ts'
import { parseUsername } from '../domain/username.ts'
import type { UserRepository } from './ports/user_repository.ts'
import { revokeUsersTokens, type UserRevocationDeps } from './user_revocation.ts'

/** Dependencies of {@linkcode DeleteUser}. */
export interface DeleteUserDeps extends UserRevocationDeps {
  readonly users: UserRepository
}

/** The account to delete. */
export interface DeleteUserInput {
  readonly username: unknown
}

/**
 * Deletes one account and revokes every token it holds. Admin only: the caller checks that
 * with {@linkcode CheckClaims} first. The tokens are revoked before the account goes, so an
 * interrupted delete leaves an account with no live token (a retry finishes it), and again
 * after, for a login that read the account in between.
 * @throws `invalid_request`, `not_found`, `service_unavailable`
 */
export class DeleteUser {
  readonly #deps: DeleteUserDeps

  constructor(deps: DeleteUserDeps) {
    this.#deps = deps
  }

  async execute(input: DeleteUserInput): Promise<void> {
    const username = parseUsername(input.username)
    const { users } = this.#deps
    const user = await users.findByUsername(username)
    if (user === undefined) {
      throw new AuthError('not_found', `Cannot delete user "${username}": no such user`)
    }
    await revokeUsersTokens(this.#deps, [user])
    const deleted = await users.delete(username)
    await revokeUsersTokens(this.#deps, [deleted ?? user])
  }
}
