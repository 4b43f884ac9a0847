import type { Router } from '@koa/router'
import type { FreshLogin } from '../../application/fresh_login.ts'
import type { Login } from '../../application/login.ts'
import type { RefreshAccess } from '../../application/refresh_access.ts'
import type { RegisterUser } from '../../application/register_user.ts'
import type { RevokeToken } from '../../application/revoke_token.ts'
import type { Middleware } from 'koa'
import type { AuthState } from './auth_middleware.ts'
import { readBearerToken } from './bearer.ts'
import { jsonBody } from './json_body.ts'
import type { StoreHealth } from '../store_health.ts'
import { type AuthLimits, limitLoginFailures, limitPerIp } from './rate_limits.ts'
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

/** `/registration`, `/login`, `/fresh-login`, `/token/refresh` and `/logout/*`. */
export function addAccountRoutes(router: Router<AuthState>, deps: AccountRoutesDeps): void {
  const perIp = deps.limits === undefined ? pass : limitPerIp(deps.limits, deps.health)
  const failures = deps.limits === undefined ? pass : limitLoginFailures(deps.limits, deps.health)
  // Bodies are validated before the failure budgets: a malformed one never draws on them.
  const credentials = validateBody(CredentialsBody)

  router.post('/registration', perIp, jsonBody, credentials, async (ctx) => {
    const result = await deps.registerUser.execute(ctx.request.body)
    ctx.status = 201
    ctx.body = {
      message: `User ${result.username} was created`,
      access_token: result.accessToken,
      refresh_token: result.refreshToken,
    }
  })

  router.post('/login', perIp, jsonBody, credentials, failures, async (ctx) => {
    const result = await deps.login.execute(ctx.request.body)
    ctx.body = {
      message: `Logged in as ${result.username}`,
      access_token: result.accessToken,
      refresh_token: result.refreshToken,
    }
  })

  router.post('/fresh-login', perIp, jsonBody, credentials, failures, async (ctx) => {
    // Optional: the session's refresh token, so the fresh token belongs to that session.
    const refreshToken = readBearerToken(ctx.get('Authorization'))
    const result = await deps.freshLogin.execute(ctx.request.body, { refreshToken })
    ctx.body = { access_token: result.accessToken }
  })

  router.post('/token/refresh', perIp, async (ctx) => {
    const token = readBearerToken(ctx.get('Authorization'))
    const pair = await deps.refreshAccess.execute({ token })
    ctx.body = { access_token: pair.accessToken, refresh_token: pair.refreshToken }
  })

  router.post('/logout/access', async (ctx) => {
    await deps.revokeToken.execute({ token: readBearerToken(ctx.get('Authorization')), type: 'access' })
    ctx.body = { message: 'Access token has been revoked' }
  })

  router.post('/logout/refresh', async (ctx) => {
    await deps.revokeToken.execute({ token: readBearerToken(ctx.get('Authorization')), type: 'refresh' })
    ctx.body = { message: 'Refresh token and its session have been revoked' }
  })

  router.post('/logout/all', async (ctx) => {
    const token = readBearerToken(ctx.get('Authorization'))
    await deps.revokeToken.execute({ token, type: 'access', everywhere: true })
    ctx.body = { message: 'Every token of the user has been revoked' }
  })
}
