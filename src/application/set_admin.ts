import { AuthError } from '../domain/auth_error.ts'
import { type PublicUser, toPublicUser } from '../domain/user.ts'
import { parseUsername } from '../domain/username.ts'
import type { UserRepository } from './ports/user_repository.ts'
import { revokeUsersTokens, type UserRevocationDeps } from './user_revocation.ts'

/** Dependencies of {@linkcode SetAdmin}. */
export interface SetAdminDeps extends UserRevocationDeps {
  readonly users: UserRepository
}

/** Whom to promote or demote. */
export interface SetAdminInput {
  readonly username: unknown
  /** `true` promotes, `false` demotes. */
  readonly isAdmin: boolean
}

/** The user as it now stands, and whether its tokens were revoked. */
export interface SetAdminResult {
  readonly user: PublicUser
  readonly tokensRevoked: boolean
}

/**
 * Sets a user's stored admin flag (the CLI's `promote` and `demote`). A promotion shows in
 * the tokens of the next login or refresh. A demotion also revokes every token the user
 * holds, since any of them may carry `is_admin`. No token is checked here: the caller is an
 * operator with access to the stores.
 * @throws `invalid_request`, `not_found`, `service_unavailable`
 */
export class SetAdmin {
  readonly #deps: SetAdminDeps

  constructor(deps: SetAdminDeps) {
    this.#deps = deps
  }

  async execute(input: SetAdminInput): Promise<SetAdminResult> {
    const verb = input.isAdmin ? 'promote' : 'demote'
    const username = parseUsername(input.username)
    // Flag first, then revoke: a refresh in between would mint a token with the old flag.
    const user = await this.#deps.users.setAdmin(username, input.isAdmin)
    if (user === undefined) {
      throw new AuthError('not_found', `Cannot ${verb} user "${username}": no such user`)
    }
    if (!input.isAdmin) await revokeUsersTokens(this.#deps, [user])
    return { user: toPublicUser(user), tokensRevoked: !input.isAdmin }
  }
}
