import type { Router } from '@koa/router'
import type Koa from 'koa'
import type { AuthState } from './auth_middleware.ts'
import type { CookieOptions } from './cookies.ts'
import { refuseCrossSite } from './csrf.ts'
import { addSelfServiceRoutes, type SelfServiceRoutesDeps } from './self_service_routes.ts'
import { addSessionRoutes, type SessionRoutesDeps } from './session_routes.ts'

/** What the browser and self-service part of the app needs (issue 15). */
export interface BrowserRoutesDeps extends SelfServiceRoutesDeps, SessionRoutesDeps {}

/** Cookie mode and the origins its CSRF checks trust. */
export interface BrowserOptions {
  /** Cookie mode's settings; absent, tokens travel in headers only. */
  readonly cookies?: CookieOptions | undefined
  /** `PUBLIC_URL`: an origin of hexauth's own besides the one a request reaches. */
  readonly publicUrl?: string | undefined
}

/** `/me`, `/password`, `/sessions` and `/logout`. */
export function addBrowserRoutes(router: Router<AuthState>, deps: BrowserRoutesDeps): void {
  addSelfServiceRoutes(router, deps)
  addSessionRoutes(router, deps)
}

/**
 * Cookie mode's middleware, after CORS: tells the routes where tokens travel and, when they
 * travel in cookies, refuses cross-site unsafe requests before any route runs.
 */
export function cookieMiddleware(options: BrowserOptions, corsOrigins: readonly string[]): Koa.Middleware<AuthState>[] {
  const cookies = options.cookies
  if (cookies === undefined || !cookies.cookies) return []
  const state: Koa.Middleware<AuthState> = (ctx, next) => {
    ctx.state.cookies = cookies
    return next()
  }
  return [state, refuseCrossSite({ allowed: corsOrigins, publicUrl: options.publicUrl })]
}
