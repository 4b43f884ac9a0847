import type { Router } from '@koa/router'
import type { ChangePassword } from '../../application/change_password.ts'
import type { CheckClaims } from '../../application/check_claims.ts'
import type { DeleteAccount } from '../../application/delete_account.ts'
import type { GetMe } from '../../application/get_me.ts'
import type { Middleware } from 'koa'
import { clientOf } from './account_routes.ts'
import { type AuthState, requireAccess } from './auth_middleware.ts'
import { answerTokens, clearTokenCookies } from './cookies.ts'
import { jsonBody } from './json_body.ts'
import { type AuthLimits, limitFailuresOf } from './rate_limits.ts'
import type { StoreHealth } from '../store_health.ts'

/** The use cases behind the self-service routes. */
export interface SelfServiceRoutesDeps {
  readonly checkClaims: CheckClaims
  readonly getMe: GetMe
  readonly changePassword: ChangePassword
  readonly deleteAccount: DeleteAccount
  readonly limits: AuthLimits | undefined
  readonly health?: StoreHealth
}

const pass: Middleware = (_ctx, next) => next()

/** `GET /me`, `POST /password` and `DELETE /me`: a signed-in caller's own account. */
export function addSelfServiceRoutes(router: Router<AuthState>, deps: SelfServiceRoutesDeps): void {
  const access = requireAccess(deps.checkClaims)
  const fresh = requireAccess(deps.checkClaims, { fresh: true })
  // A wrong current password is a failed login of the caller's username: the same budgets.
  const failures = deps.limits === undefined ? pass : limitFailuresOf(deps.limits, (ctx) => {
    // Tokens older than preferred_username count under their subject instead: never uncounted.
    const claims = (ctx.state as AuthState).auth
    return claims?.preferredUsername ?? (claims === undefined ? undefined : `sub:${claims.sub}`)
  }, deps.health)

  router.get('/me', access, async (ctx) => {
    const me = await deps.getMe.execute(ctx.state.auth!)
    ctx.body = { id: me.id, username: me.username, is_admin: me.isAdmin, created_at: me.createdAt.toISOString() }
  })

  router.post('/password', access, jsonBody, failures, async (ctx) => {
    const pair = await deps.changePassword.execute({
      caller: ctx.state.auth!,
      body: ctx.request.body,
      client: clientOf(ctx),
    })
    answerTokens(ctx, pair, ctx.state.cookies, { message: 'Password changed; every other session has been revoked' })
  })

  router.delete('/me', fresh, jsonBody, failures, async (ctx) => {
    const username = await deps.deleteAccount.execute({ caller: ctx.state.auth!, body: ctx.request.body })
    if (ctx.state.cookies?.cookies === true) clearTokenCookies(ctx, ctx.state.cookies)
    ctx.body = { message: `User ${username} was deleted` }
  })
}
