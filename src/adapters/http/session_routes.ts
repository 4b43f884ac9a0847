import type { Router } from '@koa/router'
import type { CheckClaims } from '../../application/check_claims.ts'
import type { ListSessions } from '../../application/list_sessions.ts'
import type { RevokeSessions } from '../../application/revoke_sessions.ts'
import type { RevokeToken } from '../../application/revoke_token.ts'
import { isAuthError } from '../../domain/auth_error.ts'
import { type AuthState, requireAccess } from './auth_middleware.ts'
import { clearTokenCookies } from './cookies.ts'
import { readRequestToken } from './request_token.ts'

/** The use cases behind the session routes. */
export interface SessionRoutesDeps {
  readonly checkClaims: CheckClaims
  readonly listSessions: ListSessions
  readonly revokeSessions: RevokeSessions
  readonly revokeToken: RevokeToken
}

/** `GET /sessions`, `DELETE /sessions[/:id]` and `POST /logout`: the caller's login sessions. */
export function addSessionRoutes(router: Router<AuthState>, deps: SessionRoutesDeps): void {
  const access = requireAccess(deps.checkClaims)

  router.get('/sessions', access, async (ctx) => {
    const sessions = await deps.listSessions.execute(ctx.state.auth!)
    ctx.body = {
      sessions: sessions.map((session) => ({
        id: session.id,
        created_at: session.createdAt.toISOString(),
        last_used_at: session.lastUsedAt.toISOString(),
        user_agent: session.userAgent ?? null,
        ip: session.ip ?? null,
        current: session.current,
      })),
    }
  })

  router.delete('/sessions/:id', access, async (ctx) => {
    await deps.revokeSessions.execute({ caller: ctx.state.auth!, id: ctx.params.id })
    ctx.body = { message: 'The session has been revoked', revoked: 1 }
  })

  router.delete('/sessions', access, async (ctx) => {
    const revoked = await deps.revokeSessions.execute({ caller: ctx.state.auth!, allButCurrent: true })
    ctx.body = { message: `Revoked ${revoked} other sessions`, revoked }
  })

  router.post('/logout', async (ctx) => {
    const cookies = ctx.state.cookies
    try {
      const { token, csrf } = readRequestToken(ctx, 'access', cookies)
      const { claims } = await deps.revokeToken.revoke({ token, csrf, type: 'access', session: true })
      ctx.state.actor = {
        sub: claims.sub,
        ...claims.preferredUsername === undefined ? {} : { username: claims.preferredUsername },
      }
    } catch (error) {
      // The browser forgets its cookies even when the token could not be revoked (expired, say);
      // not on a CSRF failure, which changes nothing.
      if (cookies?.cookies === true && !isAuthError(error, 'csrf_failed')) clearTokenCookies(ctx, cookies)
      throw error
    }
    if (cookies?.cookies === true) clearTokenCookies(ctx, cookies)
    ctx.body = { message: 'Logged out: the session has been revoked' }
  })
}
