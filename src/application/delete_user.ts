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
 * with {@linkcode CheckClaims} first.
 * @throws `invalid_request`, `not_found`, `service_unavailable`
 */
export class DeleteUser {
  readonly #deps: DeleteUserDeps

  constructor(deps: DeleteUserDeps) {
    this.#deps = deps
  }

  async execute(input: DeleteUserInput): Promise<void> {
    const username = parseUsername(input.username)
    const deleted = await this.#deps.users.delete(username)
    if (deleted === undefined) {
      throw new AuthError('not_found', `Cannot delete user "${username}": no such user`)
    }
    await revokeUsersTokens(this.#deps, [deleted])
  }
}
