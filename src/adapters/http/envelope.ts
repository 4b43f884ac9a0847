import type { Context, Middleware } from 'koa'
import { AuthError } from '../../domain/auth_error.ts'
import type { Logger } from '../logger.ts'
import { auditRequest, type AuditTrail } from './audit.ts'
import type { AuthState } from './auth_middleware.ts'
import { answerError } from './errors.ts'
import type { InFlightRequests } from './in_flight.ts'
import type { Metrics } from './metrics.ts'
import { recordRequest, requestId } from './observe.ts'
import { assertRequestTarget } from './request_target.ts'

/** What every request passes through, around the routes. */
export interface EnvelopeDeps {
  readonly logger: Logger
  readonly metrics: Metrics
  readonly inFlight: InFlightRequests
  readonly audit: AuditTrail
}

/**
 * The outermost middleware: what every request goes through before and after its route, in
 * this order (each step in its own module):
 *
 * 1. given a request id (`observe.ts`);
 * 2. counted in flight, for a shutdown that waits on its handler (`in_flight.ts`);
 * 3. given the security headers, its target checked (`request_target.ts`);
 * 4. the rest of the app; a route-less answer becomes `not_found` / `method_not_allowed`;
 * 5. any error answered as `{error, message}` (`errors.ts`);
 * 6. its audit event recorded, if it is one (`audit.ts`);
 * 7. its log line and metrics written (`observe.ts`), and it leaves the in-flight count.
 *
 * One middleware rather than seven: each Koa middleware is an async frame, a promise and a
 * bound dispatch on every request, and on `/secret` they cost as much as the route itself.
 */
export function requestEnvelope(deps: EnvelopeDeps): Middleware<AuthState> {
  const { logger, metrics, inFlight, audit } = deps
  return async (ctx, next) => {
    const started = performance.now()
    const id = requestId(ctx)
    inFlight.enter()
    try {
      try {
        setSecurityHeaders(ctx.res)
        assertRequestTarget(ctx)
        await next()
        assertRouted(ctx)
      } catch (thrown) {
        answerError(ctx, thrown, logger)
      }
      auditRequest(audit, ctx, id)
    } finally {
      try {
        recordRequest(logger, metrics, ctx, id, started)
      } finally {
        inFlight.leave()
      }
    }
  }
}

// Responses carry tokens and account data: never cache them, never sniff them.
function setSecurityHeaders(res: { setHeader(name: string, value: string): unknown }): void {
  res.setHeader('Cache-Control', 'no-store')
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('Referrer-Policy', 'no-referrer')
}

/** A request no route answered: Koa's bare 404, or the router's 405/501 with no body. */
function assertRouted(ctx: Context): void {
  if (ctx.body !== undefined && ctx.body !== null) return
  if (ctx.status === 405 || ctx.status === 501) {
    throw new AuthError('method_not_allowed', `Cannot ${ctx.method} ${ctx.path}: method not allowed`)
  }
  if (ctx.status === 404) throw new AuthError('not_found', `Cannot ${ctx.method} ${ctx.path}: no such route`)
}
