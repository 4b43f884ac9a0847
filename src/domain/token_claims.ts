import type { UserId } from './user.ts'

/** The two kinds of token; one can never stand in for the other. */
export type TokenType = 'access' | 'refresh'

/**
 * What a verified token says. Times are seconds since the epoch; `iat` keeps millisecond
 * precision (a JWT NumericDate may be fractional) so "revoke everything issued up to now"
 * never catches a token issued a moment later in the same second.
 */
export interface TokenClaims {
  readonly sub: UserId
  readonly jti: string
  readonly type: TokenType
  readonly iat: number
  readonly nbf: number
  readonly exp: number
  /** Issued straight from a password check, not from a refresh. */
  readonly fresh: boolean
  readonly isAdmin: boolean
  /** The login session (refresh family) the token belongs to. */
  readonly fam: string
  /**
   * The username (OIDC's `preferred_username`), in access tokens: services that verify the
   * token themselves get it without asking. Usernames never change. Absent from refresh tokens,
   * and from access tokens issued before it was added.
   */
  readonly preferredUsername?: string
  /**
   * The login session's CSRF value (cookie mode): one per session, shared by its access and
   * refresh tokens; a request carrying the token in a cookie must echo it in `X-CSRF-Token`.
   */
  readonly csrf?: string
}

/** Seconds since the epoch with millisecond precision, from a millisecond clock reading. */
export function toNumericDate(epochMs: number): number {
  return Math.floor(epochMs) / 1000
}
