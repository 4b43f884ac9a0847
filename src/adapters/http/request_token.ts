import type { CsrfProof } from '../../application/check_claims.ts'
import { AuthError } from '../../domain/auth_error.ts'
import type { TokenType } from '../../domain/token_claims.ts'
import { readBearerToken } from './bearer.ts'
import { cookieNames, type CookieOptions, readCookie } from './cookies.ts'

/** What a request offers: a header getter and the method to apply the CSRF rule to. */
export interface TokenRequest {
  get(name: string): string
  /** The method the CSRF rule is applied to: the request's own, or the one a proxy reports (`/auth/verify`). */
  readonly method: string
}

/** A request's token and, when it came in a cookie on an unsafe method, the CSRF proof to check. */
export interface RequestToken {
  readonly token: string | undefined
  readonly csrf: CsrfProof | undefined
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * The method a forward-auth request stands for: the one the proxy reports
 * (`X-Forwarded-Method`: Traefik, Caddy; `X-Original-Method`: nginx `auth_request`), else the
 * request's own. `/auth/verify` passes it as {@linkcode TokenRequest.method}, so a cookie token
 * on a proxied `POST` needs its CSRF value as it would here.
 */
export function forwardedMethod(request: { get(name: string): string; readonly method: string }): string {
  const reported = request.get('X-Forwarded-Method') || request.get('X-Original-Method')
  return /^[A-Za-z]{1,16}$/.test(reported) ? reported.toUpperCase() : request.method
}

/** Whether `method` is one the CSRF rule leaves alone (RFC 9110 safe methods). */
export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase())
}

/**
 * The `type` token of a request: from `Authorization: Bearer` (header mode), else from its
 * cookie (cookie mode). A cookie token on an unsafe method comes with the `X-CSRF-Token`
 * header as the proof that {@linkcode CheckClaims} compares with its `csrf` claim; a header
 * token needs none. A header and a cookie that hold different tokens are refused, so a
 * request never acts for an account other than the one its caller meant.
 * @throws `authorization_required` (a garbled header), `invalid_request` (a cookie sent twice,
 *   two different tokens)
 */
export function readRequestToken(
  request: TokenRequest,
  type: TokenType,
  cookies: CookieOptions | undefined,
): RequestToken {
  const headers = cookies === undefined || cookies.headers
  const fromHeader = headers ? readBearerToken(request.get('Authorization')) : undefined
  const names = cookies?.cookies === true ? cookieNames(cookies.secure) : undefined
  const fromCookie = names === undefined
    ? undefined
    : tokenCookie(request.get('Cookie'), type === 'access' ? names.access : names.refresh)
  if (fromHeader !== undefined && fromCookie !== undefined && fromHeader !== fromCookie) {
    throw new AuthError(
      'invalid_request',
      `Invalid request: the Authorization header and the ${type} cookie hold different tokens, send one`,
    )
  }
  if (fromHeader !== undefined || fromCookie === undefined) return { token: fromHeader, csrf: undefined }
  const csrf = isSafeMethod(request.method) ? undefined : { presented: request.get('X-CSRF-Token') }
  return { token: fromCookie, csrf }
}

/** A cookie's value; an empty one (what a clearing leaves) counts as absent. */
function tokenCookie(header: string, name: string): string | undefined {
  const value = readCookie(header, name)
  return value === '' ? undefined : value
}
