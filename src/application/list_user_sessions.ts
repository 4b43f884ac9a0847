import { AuthError } from '../domain/auth_error.ts'
import { parseUsername } from '../domain/username.ts'
import { type ListSessionsDeps, liveSessions } from './list_sessions.ts'
import type { Session } from './ports/session_store.ts'
import type { UserRepository } from './ports/user_repository.ts'

/** Dependencies of {@linkcode ListUserSessions}. */
export interface ListUserSessionsDeps extends ListSessionsDeps {
  readonly users: UserRepository
}

/**
 * An operator's view of one user's live login sessions (the CLI's `sessions`), newest first.
 * @throws `invalid_request`, `not_found`, `service_unavailable`
 */
export class ListUserSessions {
  readonly #deps: ListUserSessionsDeps

  constructor(deps: ListUserSessionsDeps) {
    this.#deps = deps
  }

  async execute(input: { readonly username: unknown }): Promise<readonly Session[]> {
    const username = parseUsername(input.username)
    const user = await this.#deps.users.findByUsername(username)
    if (user === undefined) throw new AuthError('not_found', `Cannot list the sessions of "${username}": no such user`)
    return liveSessions(this.#deps, user.id)
  }
}
