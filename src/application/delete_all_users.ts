import type { UserRepository } from './ports/user_repository.ts'
import { revokeUsersTokens, type UserRevocationDeps } from './user_revocation.ts'

/** Dependencies of {@linkcode DeleteAllUsers}. */
export interface DeleteAllUsersDeps extends UserRevocationDeps {
  readonly users: UserRepository
}

/**
 * Deletes every account (the seed system's `DELETE /users`) and revokes their tokens, before
 * (so an interrupted delete leaves no live token) and after (for accounts read meanwhile).
 * Admin only: the caller checks that with {@linkcode CheckClaims} first.
 * Returns how many were deleted.
 */
export class DeleteAllUsers {
  readonly #deps: DeleteAllUsersDeps

  constructor(deps: DeleteAllUsersDeps) {
    this.#deps = deps
  }

  async execute(): Promise<number> {
    const { users } = this.#deps
    await revokeUsersTokens(this.#deps, await users.list())
    const deleted = await users.deleteAll()
    await revokeUsersTokens(this.#deps, deleted)
    return deleted.length
  }
}
