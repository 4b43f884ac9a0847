import type { UserRepository } from './ports/user_repository.ts'
import { revokeUsersTokens, type UserRevocationDeps } from './user_revocation.ts'

/** Dependencies of {@linkcode DeleteAllUsers}. */
export interface DeleteAllUsersDeps extends UserRevocationDeps {
  readonly users: UserRepository
}

/**
 * Deletes every account (the seed system's `DELETE /users`) and revokes their tokens.
 * Admin only: the caller checks that with {@linkcode CheckClaims} first.
 * Returns how many were deleted.
 */
export class DeleteAllUsers {
  readonly #deps: DeleteAllUsersDeps

  constructor(deps: DeleteAllUsersDeps) {
    this.#deps = deps
  }

  async execute(): Promise<number> {
    const deleted = await this.#deps.users.deleteAll()
    await revokeUsersTokens(this.#deps, deleted)
    return deleted.length
  }
}
