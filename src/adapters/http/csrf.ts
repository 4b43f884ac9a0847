import type { Middleware } from 'koa'
import { AuthError } from '../../domain/auth_error.ts'
import { isSafeMethod } from './request_token.ts'

/** Where unsafe requests may come from: hexauth's own origin and the listed ones. */
export interface OriginPolicy {
  /** `CORS_ORIGINS`. */
  readonly allowed: readonly string[]
  /** `PUBLIC_URL`, when hexauth is reached under another origin than the one it sees. */
  readonly publicUrl?: string | undefined
}

/**
 * Fetch Metadata and `Origin` checks for cookie mode (OWASP's CSRF cheat sheet): an unsafe
 * request that a browser marks `Sec-Fetch-Site: cross-site`, or whose `Origin` is neither
 * hexauth's own nor listed, is refused with 403 `csrf_failed` before any route runs. Requests
 * without those headers (non-browser clients, old browsers) go on to the token's own check.
 */
export function refuseCrossSite(policy: OriginPolicy): Middleware {
  const listed = new Set(policy.allowed)
  const publicOrigin = policy.publicUrl === undefined ? undefined : new URL(policy.publicUrl).origin
  return async (ctx, next) => {
    if (isSafeMethod(ctx.method)) return next()
    const origin = ctx.get('Origin')
    const own = origin !== '' && (origin === `${ctx.protocol}://${ctx.host}` || origin === publicOrigin)
    const trusted = own || listed.has(origin)
    if (ctx.get('Sec-Fetch-Site').toLowerCase() === 'cross-site' && !trusted) {
      throw new AuthError(
        'csrf_failed',
        'Cannot accept the request: the browser marks it cross-site (Sec-Fetch-Site) and its origin is not allowed',
      )
    }
    if (origin !== '' && !trusted) {
      throw new AuthError(
        'csrf_failed',
        "Cannot accept the request: its Origin is neither hexauth's own nor in CORS_ORIGINS",
      )
    }
    await next()
  }
}
