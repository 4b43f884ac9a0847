import type { UserId } from '../../domain/user.ts'

/** One login session (a refresh family) as the user sees it. Times are `Date`s. */
export interface Session {
  /** The family id: what tokens carry as `fam`, never a token. */
  readonly id: string
  readonly userId: UserId
  readonly createdAt: Date
  readonly lastUsedAt: Date
  /** When the session's latest refresh token expires: the store forgets it then. */
  readonly expiresAt: Date
  /** The latest refresh token's id and issue time (seconds), to check it against the blocklist. */
  readonly refreshJti: string
  readonly refreshIat: number
  /** The client's `User-Agent`, cut to a bounded length. */
  readonly userAgent: string | undefined
  /** The client address, as the HTTP adapter determined it. */
  readonly ip: string | undefined
}

/** What a refresh changes in a session. */
export type SessionUse = Pick<Session, 'lastUsedAt' | 'expiresAt' | 'refreshJti' | 'refreshIat' | 'userAgent' | 'ip'>

/**
 * Login sessions' metadata. Entries expire at `expiresAt`; a store that cannot answer throws
 * `service_unavailable`.
 */
export interface SessionStore {
  /** Records a new session (or replaces one of the same id). */
  save(session: Session): Promise<void>
  /** Records a use of a session (a refresh); false when it is unknown. */
  touch(id: string, use: SessionUse): Promise<boolean>
  /** The session `id`, if `userId` owns it and it has not expired by `now`. */
  find(id: string, userId: UserId, now: Date): Promise<Session | undefined>
  /** The user's sessions that have not expired by `now`, newest first. */
  listByUser(userId: UserId, now: Date): Promise<readonly Session[]>
  /** Forgets the sessions `ids` of `userId`; answers how many there were. */
  delete(userId: UserId, ids: readonly string[]): Promise<number>
  /** Forgets every session of `userId`; answers how many there were. */
  deleteByUser(userId: UserId): Promise<number>
}

/** Injection token of {@linkcode SessionStore}. */
export const SessionStore = Symbol('SessionStore')
