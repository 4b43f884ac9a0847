import type { CredentialsCheck } from './credentials_check.ts'
import type { Clock } from './ports/clock.ts'
import type { SessionStore } from './ports/session_store.ts'
import { type ClientInfo, recordLogin } from './session_record.ts'
import type { TokenMinter, TokenPair } from './token_minter.ts'

/** Dependencies of {@linkcode Login}. */
export interface LoginDeps {
  readonly credentials: CredentialsCheck
  readonly minter: TokenMinter
  readonly clock: Clock
  /** Where the new login session is recorded; none, nothing recorded. */
  readonly sessions?: SessionStore
}

/** What logging in answers: the user's name, a fresh access token and a new refresh family. */
export interface LoginResult extends TokenPair {
  readonly username: string
  readonly userId: string
  /** The new login session (refresh family). */
  readonly sessionId: string
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

  async execute(body: unknown, client?: ClientInfo): Promise<LoginResult> {
    const { credentials, minter, clock, sessions } = this.#deps
    // Before the user is read: a revocation while the password is checked covers these tokens.
    const startedAt = clock.now()
    const user = await credentials.execute(body)
    const { refresh, ...pair } = await minter.mintPair(user, { startedAt })
    await recordLogin(sessions, refresh, client, clock.now())
    return { username: user.username, userId: user.id, sessionId: refresh.fam, ...pair }
  }
}
