import type { Middleware } from 'koa'
import type { CheckClaims } from '../../application/check_claims.ts'
import type { TokenClaims } from '../../domain/token_claims.ts'
import { readBearerToken } from './bearer.ts'

/** What the auth middleware leaves for route handlers. */
export interface AuthState {
  /** The verified access token's claims; absent on an anonymous optional-auth request. */
  auth?: TokenClaims
}

/** What a route needs of its access token. */
export interface AccessNeeds {
  readonly fresh?: boolean
  readonly admin?: boolean
}

/** Requires a valid, unrevoked access token meeting `needs`; puts its claims in `ctx.state.auth`. */
export function requireAccess(checkClaims: CheckClaims, needs: AccessNeeds = {}): Middleware<AuthState> {
  return async (ctx, next) => {
    const token = readBearerToken(ctx.get('Authorization'))
    ctx.state.auth = await checkClaims.execute({ token, type: 'access', ...needs })
    await next()
  }
}

/**
 * Optional authentication: no header is an anonymous caller, but a header that is there
 * must hold a valid token (a bad token is a 401, never a silent downgrade).
 */
export function optionalAccess(checkClaims: CheckClaims): Middleware<AuthState> {
  return async (ctx, next) => {
    const token = readBearerToken(ctx.get('Authorization'))
    if (token !== undefined) ctx.state.auth = await checkClaims.execute({ token, type: 'access' })
    await next()
  }
}
