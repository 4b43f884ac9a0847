import { parseCredentials } from '../domain/credentials.ts'
import type { User, UserId } from '../domain/user.ts'
import type { Clock } from './ports/clock.ts'
import type { PasswordHasher } from './ports/password_hasher.ts'
import type { UserRepository } from './ports/user_repository.ts'
import type { TokenMinter, TokenPair } from './token_minter.ts'

/** Dependencies of {@linkcode RegisterUser}. */
export interface RegisterUserDeps {
  readonly users: UserRepository
  readonly hasher: PasswordHasher
  readonly minter: TokenMinter
  readonly clock: Clock
}

/** What registering answers: the new user's name and a token pair. */
export interface RegisterUserResult extends TokenPair {
  readonly username: string
}

/**
 * Creates an account from `{username, password}` and signs the user in.
 * Uniqueness is the repository's job (a unique index), so concurrent sign-ups of one name
 * have exactly one winner and a taken name is never overwritten.
 * @throws `invalid_request`, `username_taken`
 */
export class RegisterUser {
  readonly #deps: RegisterUserDeps

  constructor(deps: RegisterUserDeps) {
    this.#deps = deps
  }

  async execute(body: unknown): Promise<RegisterUserResult> {
    const { username, password } = parseCredentials(body)
    const { users, hasher, minter, clock } = this.#deps
    const user: User = {
      id: crypto.randomUUID() as UserId,
      username,
      passwordHash: await hasher.hash(password),
      isAdmin: false,
      createdAt: new Date(clock.now()),
    }
    await users.create(user)
    return { username, ...await minter.mintPair(user) }
  }
}
