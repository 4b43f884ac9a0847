import { AuthError } from '../domain/auth_error.ts'
import { parseCredentials } from '../domain/credentials.ts'
import type { User, UserId } from '../domain/user.ts'
import { type UsernameKey, usernameKey } from '../domain/username.ts'
import type { Clock } from './ports/clock.ts'
import type { CommonPasswords } from './ports/common_passwords.ts'
import type { PasswordHasher } from './ports/password_hasher.ts'
import type { SessionStore } from './ports/session_store.ts'
import { refuseCommonPassword } from './new_password.ts'
import { type ClientInfo, recordLogin } from './session_record.ts'
import type { UserRepository } from './ports/user_repository.ts'
import type { TokenMinter, TokenPair } from './token_minter.ts'

/** Dependencies of {@linkcode RegisterUser}. */
export interface RegisterUserDeps {
  readonly users: UserRepository
  readonly hasher: PasswordHasher
  readonly minter: TokenMinter
  readonly clock: Clock
  /**
   * Case-folded usernames only an operator may register (`ADMIN_USERNAMES`): the accounts it
   * creates with them are admins. Self-service registration answers them as taken.
   */
  readonly reservedUsernames: ReadonlySet<UsernameKey>
  /** Passwords refused as too common; none, no such check. */
  readonly commonPasswords?: CommonPasswords
  /** Where the new login session is recorded; none, nothing recorded. */
  readonly sessions?: SessionStore
}

/** Who registers. */
export interface RegisterUserOptions {
  /**
   * An operator with access to the stores (the CLI), not a caller over the network: a
   * reserved name is allowed, and its account gets the stored admin flag.
   * @default false
   */
  readonly byOperator?: boolean
  /** The client the login session is recorded with. */
  readonly client?: ClientInfo
}

/** What registering answers: the new user's name, whether it is an admin, and a token pair. */
export interface RegisterUserResult extends TokenPair {
  readonly username: string
  readonly userId: string
  readonly isAdmin: boolean
}

/**
 * Creates an account from `{username, password}` and signs the user in.
 * Uniqueness is the repository's job (a unique index), so concurrent sign-ups of one name
 * have exactly one winner and a taken name is never overwritten. No self-service
 * registration ever makes an admin: reserved names are refused as taken (the same answer, so
 * the admin names are not disclosed), and the admin flag is stored only for an operator.
 * A password on the common-password list is refused (`fields.password`).
 * @throws `invalid_request`, `username_taken`
 */
export class RegisterUser {
  readonly #deps: RegisterUserDeps

  constructor(deps: RegisterUserDeps) {
    this.#deps = deps
  }

  async execute(body: unknown, options: RegisterUserOptions = {}): Promise<RegisterUserResult> {
    const { username, password } = parseCredentials(body)
    const { users, hasher, minter, clock, reservedUsernames, commonPasswords, sessions } = this.#deps
    refuseCommonPassword(commonPasswords, password, 'password')
    const startedAt = clock.now()
    // Hashed first: a reserved name costs what a taken one does, so timing does not tell them apart.
    const passwordHash = await hasher.hash(password)
    const reserved = reservedUsernames.has(usernameKey(username))
    if (reserved && options.byOperator !== true) {
      throw new AuthError('username_taken', `Cannot register "${username}": the username is taken`)
    }
    const user: User = {
      id: crypto.randomUUID() as UserId,
      username,
      passwordHash,
      isAdmin: reserved,
      createdAt: new Date(startedAt),
    }
    await users.create(user)
    const { refresh, ...pair } = await minter.mintPair(user, { startedAt })
    await recordLogin(sessions, refresh, options.client, clock.now())
    return { username, userId: user.id, isAdmin: user.isAdmin, ...pair }
  }
}
