import type { Context } from 'koa'
import type { TokenPair } from '../../application/token_minter.ts'
import { AuthError } from '../../domain/auth_error.ts'
import type { BrowserConfig } from '../cookie_config.ts'

/** Cookie mode's settings, as the HTTP adapter applies them. */
export interface CookieOptions extends BrowserConfig {
  readonly accessTtlSeconds: number
  readonly refreshTtlSeconds: number
}

/** The only path the refresh cookie is sent to: the one route that takes it. */
export const REFRESH_COOKIE_PATH = '/token/refresh'

/** The names of the three cookies: prefixed (`__Host-`, `__Secure-`) when they are Secure. */
export function cookieNames(secure: boolean): { access: string; refresh: string; csrf: string } {
  // __Host- needs Secure, Path=/ and no Domain; the refresh cookie's path rules it out, so __Secure-.
  return secure
    ? { access: '__Host-hexauth-access', refresh: '__Secure-hexauth-refresh', csrf: '__Host-hexauth-csrf' }
    : { access: 'hexauth-access', refresh: 'hexauth-refresh', csrf: 'hexauth-csrf' }
}

/**
 * The value of cookie `name` in a `Cookie` header: `undefined` when absent. A name sent twice
 * (a cookie planted for another path or a parent domain beside ours) is refused, never guessed.
 * @throws `invalid_request`
 */
export function readCookie(header: string, name: string): string | undefined {
  let found: string | undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue
    if (found !== undefined) throw new AuthError('invalid_request', `Invalid cookies: "${name}" is sent more than once`)
    found = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1')
  }
  return found
}

function cookie(
  name: string,
  value: string,
  attributes: { path: string; maxAge: number; httpOnly: boolean },
  options: CookieOptions,
): string {
  return [
    `${name}=${value}`,
    `Path=${attributes.path}`,
    `Max-Age=${attributes.maxAge}`,
    ...attributes.httpOnly ? ['HttpOnly'] : [],
    ...options.secure ? ['Secure'] : [],
    `SameSite=${options.sameSite}`,
  ].join('; ')
}

/** Sets the token cookies of `pair` (the refresh one only when there is one) and the readable CSRF cookie. */
export function setTokenCookies(
  ctx: Context,
  pair: Partial<TokenPair> & { accessToken: string },
  options: CookieOptions,
): void {
  const names = cookieNames(options.secure)
  ctx.append(
    'Set-Cookie',
    cookie(names.access, pair.accessToken, { path: '/', maxAge: options.accessTtlSeconds, httpOnly: true }, options),
  )
  if (pair.refreshToken !== undefined) {
    const attributes = { path: REFRESH_COOKIE_PATH, maxAge: options.refreshTtlSeconds, httpOnly: true }
    ctx.append('Set-Cookie', cookie(names.refresh, pair.refreshToken, attributes, options))
  }
  // Readable by the page's scripts (not HttpOnly): that is the double submit.
  if (pair.csrf !== undefined) {
    ctx.append(
      'Set-Cookie',
      cookie(names.csrf, pair.csrf, { path: '/', maxAge: options.refreshTtlSeconds, httpOnly: false }, options),
    )
  }
}

/** Clears every cookie {@linkcode setTokenCookies} sets, with the same attributes and `Max-Age=0`. */
export function clearTokenCookies(ctx: Context, options: CookieOptions): void {
  const names = cookieNames(options.secure)
  ctx.append('Set-Cookie', cookie(names.access, '', { path: '/', maxAge: 0, httpOnly: true }, options))
  ctx.append('Set-Cookie', cookie(names.refresh, '', { path: REFRESH_COOKIE_PATH, maxAge: 0, httpOnly: true }, options))
  ctx.append('Set-Cookie', cookie(names.csrf, '', { path: '/', maxAge: 0, httpOnly: false }, options))
}

/**
 * Answers minted tokens: as cookies in cookie mode, in the body (`access_token`,
 * `refresh_token`) in header mode, both with `headers,cookies`. In cookie mode the body also
 * carries `csrf_token`, for a page on another origin, which cannot read hexauth's cookies.
 */
export function answerTokens(
  ctx: Context,
  pair: Partial<TokenPair> & { accessToken: string },
  options: CookieOptions | undefined,
  extra: Record<string, unknown> = {},
): void {
  const cookies = options?.cookies === true
  if (cookies) setTokenCookies(ctx, pair, options!)
  const inBody = !cookies || options!.headers
  ctx.body = {
    ...extra,
    ...inBody
      ? {
        access_token: pair.accessToken,
        ...pair.refreshToken === undefined ? {} : { refresh_token: pair.refreshToken },
      }
      : {},
    ...cookies && pair.csrf !== undefined ? { csrf_token: pair.csrf } : {},
  }
}
