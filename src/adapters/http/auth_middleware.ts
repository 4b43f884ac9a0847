import type { Middleware } from 'koa'
import type { CheckClaims } from '../../application/check_claims.ts'
import type { TokenClaims } from '../../domain/token_claims.ts'
import type { CookieOptions } from './cookies.ts'
import { readRequestToken } from './request_token.ts'

/** What the auth middleware leaves for route handlers. */
export interface AuthState {
  /** The verified access token's claims; absent on an anonymous optional-auth request. */
  auth?: TokenClaims
  /** Cookie mode's settings, put here by the app for every route; absent in header mode. */
  cookies?: CookieOptions
  /** Who a credential route acted for (registration, login), for the audit trail. */
  actor?: { readonly sub?: string; readonly username?: string }
}

/** What a route needs of its access token. */
export interface AccessNeeds {
  readonly fresh?: boolean
  readonly admin?: boolean
}

/**
 * Requires a valid, unrevoked access token meeting `needs` (from the header, or in cookie mode
 * from its cookie with the CSRF rule); puts its claims in `ctx.state.auth`.
 */
export function requireAccess(checkClaims: CheckClaims, needs: AccessNeeds = {}): Middleware<AuthState> {
  return async (ctx, next) => {
    const { token, csrf } = readRequestToken(ctx, 'access', ctx.state.cookies)
    ctx.state.auth = await checkClaims.execute({ token, type: 'access', csrf, ...needs })
    await next()
  }
}

/**
 * Optional authentication: no token is an anonymous caller, but a token that is there
 * must be valid (a bad token is a 401, never a silent downgrade).
 */
export function optionalAccess(checkClaims: CheckClaims): Middleware<AuthState> {
  return async (ctx, next) => {
    const { token, csrf } = readRequestToken(ctx, 'access', ctx.state.cookies)
    if (token !== undefined) ctx.state.auth = await checkClaims.execute({ token, type: 'access', csrf })
    await next()
  }
}
