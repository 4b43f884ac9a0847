import type { PublicUser } from '../domain/user.ts'
import { toPublicUser } from '../domain/user.ts'
import type { UserRepository } from './ports/user_repository.ts'

/** Dependencies of {@linkcode ListUsers}. */
export interface ListUsersDeps {
  readonly users: UserRepository
}

/**
 * Lists every account without its password hash. Admin only: the caller checks that with
 * {@linkcode CheckClaims} first.
 */
export class ListUsers {
  readonly #deps: ListUsersDeps

  constructor(deps: ListUsersDeps) {
    this.#deps = deps
  }

  async execute(): Promise<readonly PublicUser[]> {
    const users = await this.#deps.users.list()
    return users.map((user) => toPublicUser(user))
  }
}
