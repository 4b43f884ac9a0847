import type { Router, RouterMiddleware } from '@koa/router'
import type { CheckClaims } from '../../application/check_claims.ts'
import { AuthError } from '../../domain/auth_error.ts'
import { type AccessNeeds, type AuthState } from './auth_middleware.ts'
import { forwardedMethod, readRequestToken } from './request_token.ts'

/** What `/auth/verify` needs. */
export interface ForwardAuthRoutesDeps {
  readonly checkClaims: CheckClaims
}

/** The path reverse proxies ask. */
export const VERIFY_PATH = '/auth/verify'

/** The methods `/auth/verify` answers (HEAD comes with GET): a proxy may forward any of them. */
export const VERIFY_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'options'] as const

/** The identity headers `/auth/verify` answers with; proxies copy exactly these to the upstream. */
export const IDENTITY_HEADERS = ['X-Auth-Subject', 'X-Auth-Username', 'X-Auth-Admin'] as const

/**
 * `/auth/verify[?require=admin|fresh]`, any method, for nginx `auth_request`, Caddy
 * `forward_auth` and Traefik `ForwardAuth`: 200 with an empty body and the identity headers,
 * or the error every protected route answers (401 with `WWW-Authenticate`, 403, 503). The
 * body is never read. In cookie mode the token may come in the access cookie, and the CSRF
 * rule applies to the method the proxy reports (`X-Forwarded-Method`, `X-Original-Method`): a
 * proxied unsafe request with a cookie token needs its `X-CSRF-Token`. Answered from memory
 * when the caches are warm (verified tokens, revocation near-cache).
 */
export function addForwardAuthRoutes(router: Router<AuthState>, deps: ForwardAuthRoutesDeps): void {
  const verify: RouterMiddleware<AuthState> = async (ctx) => {
    const needs = needsOf(ctx.query.require)
    const { token, csrf } = readRequestToken(
      { get: (name) => ctx.get(name), method: forwardedMethod(ctx) },
      'access',
      ctx.state.cookies,
    )
    const claims = await deps.checkClaims.execute({ token, type: 'access', csrf, ...needs })
    ctx.set('X-Auth-Subject', claims.sub)
    ctx.set('X-Auth-Username', claims.preferredUsername ?? '')
    ctx.set('X-Auth-Admin', String(claims.isAdmin))
    ctx.body = ''
  }
  for (const method of VERIFY_METHODS) router[method](VERIFY_PATH, verify)
}

/** `?require=admin`, `?require=fresh`, both (repeated or comma-separated); anything else is a 400. */
function needsOf(raw: string | string[] | undefined): AccessNeeds {
  const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).flatMap((value) => value.split(','))
  const unknown = values.filter((value) => value !== 'admin' && value !== 'fresh')
  if (unknown.length > 0) {
    throw new AuthError(
      'invalid_request',
      `Invalid require parameter: "${unknown[0]!.slice(0, 32)}" is not admin or fresh`,
      { fields: { require: 'must be admin or fresh' } },
    )
  }
  return { admin: values.includes('admin'), fresh: values.includes('fresh') }
}
