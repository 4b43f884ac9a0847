/** What a revocation check needs to know of a token. Times in seconds since the epoch. */
export interface RevocationQuery {
  readonly jti: string
  readonly fam: string
  readonly sub: string
  readonly iat: number
}

/**
 * The blocklist. Entries expire with the tokens they block, so the store stays bounded.
 * A store that cannot answer throws `service_unavailable`: callers fail closed.
 */
export interface RevocationStore {
  /** Blocks one token until `expiresAt`. */
  revokeToken(jti: string, expiresAt: number): Promise<void>
  /** Blocks a whole refresh family (a login session) until `expiresAt`. */
  revokeFamily(fam: string, expiresAt: number): Promise<void>
  /** Blocks every token of `sub` issued at or before `issuedUpTo`, remembered until `expiresAt`. */
  revokeSubject(sub: string, issuedUpTo: number, expiresAt: number): Promise<void>
  /**
   * Marks a refresh token as used, atomically, until `expiresAt`. Answers `undefined` when
   * this call was the first use, else the time (seconds) of the first use: the token was
   * presented again.
   */
  retire(jti: string, expiresAt: number): Promise<number | undefined>
  /** Whether the token is blocked by its id, its family or its subject: one round trip. */
  isRevoked(query: RevocationQuery): Promise<boolean>
}

/** Injection token of {@linkcode RevocationStore}. */
export const RevocationStore = Symbol('RevocationStore')
