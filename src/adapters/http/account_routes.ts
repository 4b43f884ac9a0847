import type { Router } from '@koa/router'
import type { FreshLogin } from '../../application/fresh_login.ts'
import type { Login } from '../../application/login.ts'
import type { RefreshAccess } from '../../application/refresh_access.ts'
import type { RegisterUser } from '../../application/register_user.ts'
import type { RevokeToken } from '../../application/revoke_token.ts'
import type { Context, Middleware } from 'koa'
import type { ClientInfo } from '../../application/session_record.ts'
import type { TokenClaims } from '../../domain/token_claims.ts'
import { isAuthError } from '../../domain/auth_error.ts'
import { decodeJwt } from 'jose'
import type { AuthState } from './auth_middleware.ts'
import { readBearerToken } from './bearer.ts'
import { answerTokens } from './cookies.ts'
import { jsonBody } from './json_body.ts'
import type { StoreHealth } from '../store_health.ts'
import { type AuthLimits, limitLoginFailures, limitPerIp } from './rate_limits.ts'
import { readRequestToken } from './request_token.ts'
import { CredentialsBody } from './schemas.ts'
import { validateBody } from './validate.ts'

/** The use cases behind the account routes. */
export interface AccountRoutesDeps {
  readonly registerUser: RegisterUser
  readonly login: Login
  readonly freshLogin: FreshLogin
  readonly refreshAccess: RefreshAccess
  readonly revokeToken: RevokeToken
  /** Brute-force limits; `undefined` turns them off (benchmarks). */
  readonly limits: AuthLimits | undefined
  /** Told how the limiter store answers, to log the cause of an outage once. */
  readonly health?: StoreHealth
}

const pass: Middleware = (_ctx, next) => next()

/** The client a session is recorded with: its user agent and address (`TRUST_PROXY` applied). */
export function clientOf(ctx: Context): ClientInfo {
  return { userAgent: ctx.get('User-Agent'), ip: ctx.ip }
}

/** Records whose token a logout revoked, for the audit trail. */
function actorOf(ctx: { state: AuthState }, claims: TokenClaims): void {
  ctx.state.actor = {
    sub: claims.sub,
    ...claims.preferredUsername === undefined ? {} : { username: claims.preferredUsername },
  }
}

/** `/registration`, `/login`, `/fresh-login`, `/token/refresh` and `/logout/*`. */
export function addAccountRoutes(router: Router<AuthState>, deps: AccountRoutesDeps): void {
  const perIp = deps.limits === undefined ? pass : limitPerIp(deps.limits, deps.health)
  const failures = deps.limits === undefined ? pass : limitLoginFailures(deps.limits, deps.health)
  // Bodies are validated before the failure budgets: a malformed one never draws on them.
  const credentials = validateBody(CredentialsBody)

  router.post('/registration', perIp, jsonBody, credentials, async (ctx) => {
    const result = await deps.registerUser.execute(ctx.request.body, { client: clientOf(ctx) })
    ctx.state.actor = { sub: result.userId, username: result.username }
    ctx.status = 201
    answerTokens(ctx, result, ctx.state.cookies, { message: `User ${result.username} was created` })
  })

  router.post('/login', perIp, jsonBody, credentials, failures, async (ctx) => {
    const result = await deps.login.execute(ctx.request.body, clientOf(ctx))
    ctx.state.actor = { sub: result.userId, username: result.username }
    answerTokens(ctx, result, ctx.state.cookies, { message: `Logged in as ${result.username}` })
  })

  router.post('/fresh-login', perIp, jsonBody, credentials, failures, async (ctx) => {
    if (ctx.state.cookies?.cookies === true) {
      // The refresh cookie is not sent here: a fresh login in cookie mode is a login, with a new
      // session and one CSRF value for its access and refresh cookies.
      const result = await deps.login.execute(ctx.request.body, clientOf(ctx))
      ctx.state.actor = { sub: result.userId, username: result.username }
      answerTokens(ctx, result, ctx.state.cookies)
      return
    }
    // Optional: the session's refresh token, so the fresh token belongs to that session.
    const refreshToken = readBearerToken(ctx.get('Authorization'))
    const result = await deps.freshLogin.execute(ctx.request.body, { refreshToken })
    ctx.body = { access_token: result.accessToken }
  })

  router.post('/token/refresh', perIp, async (ctx) => {
    const { token, csrf } = readRequestToken(ctx, 'refresh', ctx.state.cookies)
    try {
      answerTokens(ctx, await deps.refreshAccess.execute({ token, csrf, client: clientOf(ctx) }), ctx.state.cookies)
    } catch (error) {
      // token_reused comes only after the signature was verified: its subject is the victim's.
      if (isAuthError(error, 'token_reused') && token !== undefined) ctx.state.actor = { sub: decodeJwt(token).sub }
      throw error
    }
  })

  router.post('/logout/access', async (ctx) => {
    const { token, csrf } = readRequestToken(ctx, 'access', ctx.state.cookies)
    actorOf(ctx, (await deps.revokeToken.revoke({ token, csrf, type: 'access' })).claims)
    ctx.body = { message: 'Access token has been revoked' }
  })

  router.post('/logout/refresh', async (ctx) => {
    const { token, csrf } = readRequestToken(ctx, 'refresh', ctx.state.cookies)
    actorOf(ctx, (await deps.revokeToken.revoke({ token, csrf, type: 'refresh' })).claims)
    ctx.body = { message: 'Refresh token and its session have been revoked' }
  })

  router.post('/logout/all', async (ctx) => {
    const { token, csrf } = readRequestToken(ctx, 'access', ctx.state.cookies)
    actorOf(ctx, (await deps.revokeToken.revoke({ token, csrf, type: 'access', everywhere: true })).claims)
    ctx.body = { message: 'Every token of the user has been revoked' }
  })
}
