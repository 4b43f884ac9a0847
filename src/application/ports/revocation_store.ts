/** What a revocation check needs to know of a token. Times in seconds since the epoch. */
export interface RevocationQuery {
  readonly jti: string
  readonly fam: string
  readonly sub: string
  readonly iat: number
}

/** How a check is answered. */
export interface RevocationCheckOptions {
  /**
   * Ask the store of record, never a copy of it that may lag (the near-cache): for the checks
   * that decide whether to mint new tokens, which would outlive a revocation missed here.
   * @default false
   */
  readonly consistent?: boolean
}

/** What the first use of a refresh token leaves behind, for {@linkcode RevocationStore.retire}. */
export interface Rotation {
  /** Until when the token counts as used: its whole accepted life, seconds since the epoch. */
  readonly expiresAt: number
  /** What the first use answered, opaque to the store (the successor tokens' claims). */
  readonly successor: string
  /** Until when `successor` is kept: the end of the reuse grace window. */
  readonly successorUntil: number
}

/** An earlier use of a refresh token, as {@linkcode RevocationStore.retire} reports it. */
export interface EarlierUse {
  /** When the token was first used, seconds since the epoch. */
  readonly at: number
  /** The successor the first use recorded, while it is kept; `undefined` after. */
  readonly successor: string | undefined
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
   * Marks a refresh token as used, atomically, with what its first use answered. Answers
   * `undefined` when this call was the first use, else the earlier use: the token was
   * presented again.
   */
  retire(jti: string, rotation: Rotation): Promise<EarlierUse | undefined>
  /** Whether the token is blocked by its id, its family or its subject: one round trip. */
  isRevoked(query: RevocationQuery, options?: RevocationCheckOptions): Promise<boolean>
}

/** Injection token of {@linkcode RevocationStore}. */
export const RevocationStore = Symbol('RevocationStore')
