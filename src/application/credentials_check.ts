import { AuthError } from '../domain/auth_error.ts'
import { parseCredentials } from '../domain/credentials.ts'
import type { User } from '../domain/user.ts'
import type { PasswordHasher } from './ports/password_hasher.ts'
import type { UserRepository } from './ports/user_repository.ts'

/** Dependencies of {@linkcode CredentialsCheck}. */
export interface CredentialsCheckDeps {
  readonly users: UserRepository
  readonly hasher: PasswordHasher
}

/**
 * Checks a username and password, the step Login and FreshLogin share. An unknown user and a
 * wrong password cost the same (a verify against a dummy hash) and fail the same way.
 */
export class CredentialsCheck {
  readonly #deps: CredentialsCheckDeps
  #dummyHash: Promise<string> | undefined

  constructor(deps: CredentialsCheckDeps) {
    this.#deps = deps
  }

  /**
   * The user whose credentials `body` holds.
   * @throws `invalid_request` for a malformed body, `invalid_credentials` otherwise
   */
  async execute(body: unknown): Promise<User> {
    const { username, password } = parseCredentials(body)
    const user = await this.#deps.users.findByUsername(username)
    return this.verify(user, password, 'Cannot log in: unknown username or wrong password')
  }

  /**
   * `user` when `password` is its password. No user (gone) costs a verify against the dummy
   * hash all the same, so the answer takes as long either way.
   * @throws `invalid_credentials` with `failure` as its message
   */
  async verify(user: User | undefined, password: string, failure: string): Promise<User> {
    const { users, hasher } = this.#deps
    const encoded = user?.passwordHash ?? await this.#dummy()
    const matches = await hasher.verify(encoded, password)
    if (user === undefined || !matches) throw new AuthError('invalid_credentials', failure)
    if (hasher.needsRehash(user.passwordHash)) {
      // Parameters were raised since this hash was made: upgrade it while the password is known.
      await users.updatePasswordHash(user.id, await hasher.hash(password))
    }
    return user
  }

  #dummy(): Promise<string> {
    // Made with the configured parameters, so verifying against it costs what a real verify does.
    this.#dummyHash ??= this.#deps.hasher.hash(crypto.randomUUID()).catch((error: unknown) => {
      this.#dummyHash = undefined // a failure is not remembered: the next login tries again
      throw error
    })
    return this.#dummyHash
  }
}
