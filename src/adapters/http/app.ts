import { Router } from '@koa/router'
import Koa from 'koa'
import { AuthError } from '../../domain/auth_error.ts'
import type { Logger } from '../logger.ts'
import { type AccountRoutesDeps, addAccountRoutes } from './account_routes.ts'
import type { AuthState } from './auth_middleware.ts'
import { errorMiddleware } from './error_middleware.ts'
import { addItemRoutes, type ItemRoutesDeps } from './item_routes.ts'
import { addUserRoutes, type UserRoutesDeps } from './user_routes.ts'

/** Everything the HTTP adapter needs: resolved use cases and a logger. */
export interface HttpDeps extends AccountRoutesDeps, UserRoutesDeps, ItemRoutesDeps {
  readonly logger: Logger
}

/** Builds the Koa app; listening is the caller's business (only `main.ts` listens). */
export function createHttpApp(deps: HttpDeps): Koa<AuthState> {
  const app = new Koa<AuthState>()
  app.proxy = false
  // Errors never reach Koa's default handler: errorMiddleware answers them all.
  app.silent = true

  const router = new Router<AuthState>()
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' }
  })
  addAccountRoutes(router, deps)
  addUserRoutes(router, deps)
  addItemRoutes(router, deps)

  app.use(errorMiddleware(deps.logger))
  app.use(securityHeaders)
  app.use(unmatched)
  app.use(router.routes())
  app.use(router.allowedMethods())
  return app
}

const securityHeaders: Koa.Middleware = async (ctx, next) => {
  // Responses carry tokens and account data: never cache them, never sniff them.
  ctx.set('Cache-Control', 'no-store')
  ctx.set('X-Content-Type-Options', 'nosniff')
  ctx.set('Referrer-Policy', 'no-referrer')
  await next()
}

const unmatched: Koa.Middleware = async (ctx, next) => {
  await next()
  if (ctx.body !== undefined && ctx.body !== null) return
  if (ctx.status === 405 || ctx.status === 501) {
    throw new AuthError('method_not_allowed', `Cannot ${ctx.method} ${ctx.path}: method not allowed`)
  }
  if (ctx.status === 404) throw new AuthError('not_found', `Cannot ${ctx.method} ${ctx.path}: no such route`)
}
