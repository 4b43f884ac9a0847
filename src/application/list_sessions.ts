import type { TokenClaims } from '../domain/token_claims.ts'
import type { UserId } from '../domain/user.ts'
import type { Clock } from './ports/clock.ts'
import type { RevocationStore } from './ports/revocation_store.ts'
import type { Session, SessionStore } from './ports/session_store.ts'

/** Dependencies of {@linkcode ListSessions}. */
export interface ListSessionsDeps {
  readonly sessions: SessionStore
  readonly revocations: RevocationStore
  readonly clock: Clock
}

/** A session as listed: whether it is the caller's own. */
export interface ListedSession extends Session {
  readonly current: boolean
}

/**
 * The live login sessions of a user: what the store holds, less those expired and those the
 * blocklist refuses (logged out, reused, revoked everywhere), however that came about.
 */
export async function liveSessions(deps: ListSessionsDeps, userId: UserId): Promise<readonly Session[]> {
  const stored = await deps.sessions.listByUser(userId, new Date(deps.clock.now()))
  const revoked = await Promise.all(
    stored.map((session) =>
      deps.revocations.isRevoked({
        jti: session.refreshJti,
        fam: session.id,
        sub: session.userId,
        iat: session.refreshIat,
      })
    ),
  )
  return stored.filter((_, i) => !revoked[i])
}

/**
 * The caller's own live login sessions, newest first; ids are family ids, never tokens.
 * @throws `service_unavailable`
 */
export class ListSessions {
  readonly #deps: ListSessionsDeps

  constructor(deps: ListSessionsDeps) {
    this.#deps = deps
  }

  async execute(caller: TokenClaims): Promise<readonly ListedSession[]> {
    const sessions = await liveSessions(this.#deps, caller.sub)
    return sessions.map((session) => ({ ...session, current: session.id === caller.fam }))
  }
}
