import { AuthError } from '../domain/auth_error.ts'
import type { CheckClaims } from './check_claims.ts'
import type { CredentialsCheck } from './credentials_check.ts'
import type { Clock } from './ports/clock.ts'
import type { TokenMinter } from './token_minter.ts'

/** Dependencies of {@linkcode FreshLogin}. */
export interface FreshLoginDeps {
  readonly credentials: CredentialsCheck
  readonly checkClaims: CheckClaims
  readonly minter: TokenMinter
  readonly clock: Clock
}

/** The session a fresh login joins, if any. */
export interface FreshLoginOptions {
  /**
   * A refresh token of the caller's current login session: the fresh token joins its family,
   * so logging that session out (or its reuse detection) revokes the fresh token too.
   */
  readonly refreshToken?: string | undefined
}

/** What a fresh login answers: a fresh access token and nothing else. */
export interface FreshLoginResult {
  readonly accessToken: string
}

/**
 * Re-checks the password for a fresh access token (for sensitive actions), without a new
 * refresh token. With the session's refresh token the fresh token belongs to that session;
 * without one it is a session of its own, reached by `/logout/access` with the token itself
 * and by `/logout/all`.
 * @throws `invalid_request`, `invalid_credentials`; with a refresh token, the errors of
 *   {@linkcode CheckClaims} and `invalid_token` when it belongs to another account
 */
export class FreshLogin {
  readonly #deps: FreshLoginDeps

  constructor(deps: FreshLoginDeps) {
    this.#deps = deps
  }

  async execute(body: unknown, options: FreshLoginOptions = {}): Promise<FreshLoginResult> {
    const { credentials, checkClaims, minter, clock } = this.#deps
    const startedAt = clock.now()
    const session = options.refreshToken === undefined
      ? undefined
      : await checkClaims.execute({ token: options.refreshToken, type: 'refresh', consistent: true })
    const user = await credentials.execute(body)
    if (session !== undefined && session.sub !== user.id) {
      throw new AuthError('invalid_token', 'Cannot log in fresh: the refresh token belongs to another account')
    }
    const fam = session?.fam ?? minter.newFamily()
    const csrf = session === undefined ? minter.newCsrf() : session.csrf
    const access = await minter.mint(user, 'access', { fresh: true, fam, startedAt, csrf })
    return { accessToken: access.token }
  }
}
