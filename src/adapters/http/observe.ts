import type { Middleware } from 'koa'
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

/**
 * The outermost middleware: a request id (a valid `X-Request-Id`, else a new one, echoed
 * back), one log line per request (method, route pattern, status, duration, id: never a
 * header, body or token) and the request metrics.
 */
export function observe(logger: Logger, metrics: Metrics): Middleware {
  return async (ctx, next) => {
    const started = performance.now()
    const given = ctx.get('X-Request-Id')
    const id = REQUEST_ID.test(given) ? given : crypto.randomUUID()
    ctx.set('X-Request-Id', id)
    try {
      await next()
    } finally {
      const seconds = (performance.now() - started) / 1000
      // @koa/router leaves the matched pattern here; anything else is one bounded label.
      const route = (ctx as { _matchedRoute?: unknown })._matchedRoute
      const pattern = typeof route === 'string' ? route : 'unmatched'
      const body = ctx.body as { error?: unknown; message?: unknown } | undefined
      const error = ctx.status >= 400 && typeof body?.error === 'string' ? body.error : undefined
      if (error === 'service_unavailable') metrics.storeError(storeOf(String(body?.message)))
      metrics.observe(ctx.method, pattern, ctx.status, seconds, error)
      if (logger.isLevelEnabled('info')) { // no log object built when it would be dropped
        logger.info({
          req_id: id,
          method: ctx.method,
          route: pattern,
          status: ctx.status,
          ms: Math.round(seconds * 1e4) / 10,
          error,
        }, 'request')
      }
    }
  }
}
