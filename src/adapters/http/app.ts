import cors from '@koa/cors'
import { Router } from '@koa/router'
import Koa from 'koa'
import type { Logger } from '../logger.ts'
import { type AccountRoutesDeps, addAccountRoutes } from './account_routes.ts'
import type { AuthState } from './auth_middleware.ts'
import { AuditTrail } from './audit.ts'
import { addBrowserRoutes, type BrowserOptions, type BrowserRoutesDeps, cookieMiddleware } from './browser_routes.ts'
import { addDocsRoutes } from './docs.ts'
import { requestEnvelope } from './envelope.ts'
import type { InFlightRequests } from './in_flight.ts'
import { addItemRoutes, type ItemRoutesDeps } from './item_routes.ts'
import type { Metrics } from './metrics.ts'
import { addForwardAuthRoutes, type ForwardAuthRoutesDeps } from './forward_auth_routes.ts'
import { addIntrospectionRoutes, type IntrospectionRoutesDeps } from './introspection_routes.ts'
import { openApiDocument } from './openapi.ts'
import { readiness, type ReadinessProbe } from './readiness.ts'
import { routes } from './routing.ts'
import { addUserRoutes, type UserRoutesDeps } from './user_routes.ts'
import { addWellKnownRoutes, type WellKnownRoutesDeps } from './well_known_routes.ts'

/** How the app sits in its network. */
export interface HttpOptions {
  /**
   * Trusted reverse proxies in front of the app, each appending its peer to `X-Forwarded-For`:
   * the client address is the entry the outermost one wrote; 0 ignores the header. @default 0
   */
  readonly trustProxy: number
  /** Origins allowed to call from a browser; empty turns CORS off. @default [] */
  readonly corsOrigins: readonly string[]
}

/** Everything the HTTP adapter needs: resolved use cases, limits, a logger and options. */
export interface HttpDeps
  extends
    AccountRoutesDeps,
    UserRoutesDeps,
    ItemRoutesDeps,
    WellKnownRoutesDeps,
    IntrospectionRoutesDeps,
    ForwardAuthRoutesDeps,
    BrowserRoutesDeps {
  readonly logger: Logger
  readonly options: HttpOptions
  readonly metrics: Metrics
  /** Counts running handlers, for a shutdown that waits on them. */
  readonly inFlight: InFlightRequests
  /** One per configured store, for `/readyz`. */
  readonly probes: readonly ReadinessProbe[]
  /** Cookie mode and CSRF (issue 15). @default header mode */
  readonly browserOptions?: BrowserOptions
}

/** Builds the Koa app; listening is the caller's business (only `main.ts` listens). */
export function createHttpApp(deps: HttpDeps): Koa<AuthState> {
  const app = new Koa<AuthState>()
  app.proxy = deps.options.trustProxy > 0
  // Only the last N entries were written by trusted proxies; any before them, by the client.
  app.maxIpsCount = deps.options.trustProxy
  // Errors never reach Koa's default handler: the request envelope answers them all.
  app.silent = true

  const router = new Router<AuthState>()
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' }
  })
  // Under Kubernetes' default probe timeout (1 s), whatever the stores do.
  router.get('/readyz', readiness(deps.probes, READINESS_TIMEOUT_MS))
  router.get('/metrics', async (ctx) => {
    ctx.type = deps.metrics.registry.contentType
    ctx.body = await deps.metrics.registry.metrics()
  })
  const document = openApiDocument()
  router.get('/openapi.json', (ctx) => {
    ctx.body = document
  })
  addDocsRoutes(router)
  addAccountRoutes(router, deps)
  addUserRoutes(router, deps)
  addItemRoutes(router, deps)
  addWellKnownRoutes(router, deps)
  addIntrospectionRoutes(router, deps)
  addForwardAuthRoutes(router, deps)
  addBrowserRoutes(router, deps)

  const audit = new AuditTrail(deps.logger, deps.metrics)
  app.use(requestEnvelope({ logger: deps.logger, metrics: deps.metrics, inFlight: deps.inFlight, audit }))
  if (deps.options.corsOrigins.length > 0) app.use(corsFor(deps.options.corsOrigins))
  for (const middleware of cookieMiddleware(deps.browserOptions ?? {}, deps.options.corsOrigins)) app.use(middleware)
  app.use(routes(router))
  app.use(router.allowedMethods())
  return app
}

/** How long /readyz waits for a store, in ms: an answer within a 1 s probe timeout, loaded machine included. */
export const READINESS_TIMEOUT_MS = 700

function corsFor(origins: readonly string[]): Koa.Middleware {
  const allowed = new Set(origins)
  return cors({
    // Only listed origins are echoed back; any other gets no CORS headers at all.
    origin: (ctx) => allowed.has(ctx.get('Origin')) ? ctx.get('Origin') : '',
    allowMethods: ['GET', 'POST', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'X-CSRF-Token'],
    // Cookie mode: a listed origin's fetch with credentials: 'include' may read the answer.
    credentials: true,
    exposeHeaders: ['WWW-Authenticate', 'Retry-After'],
    maxAge: 600,
  })
}
