import type { Context } from 'koa'
import type { Logger } from '../logger.ts'
import type { Metrics } from './metrics.ts'

const REQUEST_ID = /^[\w.:@-]{1,128}$/

/** Which store a `service_unavailable` message names (the adapters' own wording). */
function storeOf(message: string): 'redis' | 'mongodb' | 'limiter' | 'unknown' {
  if (message.includes('Redis')) return 'redis'
  if (message.includes('MongoDB')) return 'mongodb'
  if (message.includes('limiter')) return 'limiter'
  return 'unknown'
}

/** The request's id: a valid `X-Request-Id` it sent, else a new one; echoed in the response. */
export function requestId(ctx: Context): string {
  const given = ctx.req.headers['x-request-id']
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : crypto.randomUUID()
  ctx.res.setHeader('X-Request-Id', id)
  return id
}

/**
 * Records a finished request: one log line (method, route pattern, status, duration, id:
 * never a header, body or token) and the request metrics. `started` is `performance.now()`
 * at its start.
 */
export function recordRequest(logger: Logger, metrics: Metrics, ctx: Context, id: string, started: number): void {
  const seconds = (performance.now() - started) / 1000
  // @koa/router leaves the matched pattern here; anything else is one bounded label.
  const route = (ctx as { _matchedRoute?: unknown })._matchedRoute
  const pattern = typeof route === 'string' ? route : 'unmatched'
  const status = ctx.status
  const body = ctx.body as { error?: unknown; message?: unknown } | undefined
  const error = status >= 400 && typeof body?.error === 'string' ? body.error : undefined
  if (error === 'service_unavailable') metrics.storeError(storeOf(String(body?.message)))
  metrics.observe(ctx.method, pattern, status, seconds, error)
  if (logger.isLevelEnabled('info')) { // no log object built when it would be dropped
    logger.info({
      req_id: id,
      method: ctx.method,
      route: pattern,
      status,
      ms: Math.round(seconds * 1e4) / 10,
      error,
    }, 'request')
  }
}
