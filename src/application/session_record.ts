import type { TokenClaims } from '../domain/token_claims.ts'
import type { Session, SessionStore } from './ports/session_store.ts'

/** Longest `User-Agent` kept with a session, in characters: the rest is cut. */
export const USER_AGENT_MAX_LENGTH = 256

/** Who is on the other end of a request, as the inbound adapter saw it. */
export interface ClientInfo {
  readonly userAgent?: string | undefined
  readonly ip?: string | undefined
}

/** The session metadata a refresh token stands for, at `now` (ms since the epoch). */
function sessionOf(refresh: TokenClaims, client: ClientInfo | undefined, now: number): Session {
  const agent = client?.userAgent === undefined || client.userAgent === ''
    ? undefined
    : [...client.userAgent].slice(0, USER_AGENT_MAX_LENGTH).join('')
  return {
    id: refresh.fam,
    userId: refresh.sub,
    createdAt: new Date(now),
    lastUsedAt: new Date(now),
    expiresAt: new Date(refresh.exp * 1000),
    refreshJti: refresh.jti,
    refreshIat: refresh.iat,
    userAgent: agent,
    ip: client?.ip === '' ? undefined : client?.ip,
  }
}

/** Records the login session a new refresh token opens; nothing without a store. */
export async function recordLogin(
  sessions: SessionStore | undefined,
  refresh: TokenClaims,
  client: ClientInfo | undefined,
  now: number,
): Promise<void> {
  await sessions?.save(sessionOf(refresh, client, now))
}

/**
 * Records a refresh of a session: last use, client, the new refresh token. A session the store
 * does not know (opened before sessions were recorded) is recorded from now on.
 */
export async function recordRefresh(
  sessions: SessionStore | undefined,
  refresh: TokenClaims,
  client: ClientInfo | undefined,
  now: number,
): Promise<void> {
  if (sessions === undefined) return
  const { createdAt: _, id: __, userId: ___, ...use } = sessionOf(refresh, client, now)
  if (!await sessions.touch(refresh.fam, use)) await sessions.save(sessionOf(refresh, client, now))
}
