import type { CredentialsCheck } from './credentials_check.ts'
import type { Clock } from './ports/clock.ts'
import type { TokenMinter, TokenPair } from './token_minter.ts'

/** Dependencies of {@linkcode Login}. */
export interface LoginDeps {
  readonly credentials: CredentialsCheck
  readonly minter: TokenMinter
  readonly clock: Clock
}

/** What logging in answers: the user's name, a fresh access token and a new refresh family. */
export interface LoginResult extends TokenPair {
  readonly username: string
}

/**
 * Exchanges `{username, password}` for a fresh access token and a refresh token.
 * @throws `invalid_request`, `invalid_credentials`; `token_revoked` when the account's tokens
 *   were revoked while the login ran (deleted, demoted, logged out everywhere)
 */
export class Login {
  readonly #deps: LoginDeps

  constructor(deps: LoginDeps) {
    this.#deps = deps
  }

  async execute(body: unknown): Promise<LoginResult> {
    // Before the user is read: a revocation while the password is checked covers these tokens.
    const startedAt = this.#deps.clock.now()
    const user = await this.#deps.credentials.execute(body)
    return { username: user.username, ...await this.#deps.minter.mintPair(user, { startedAt }) }
  }
}
