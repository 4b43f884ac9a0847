import type { Middleware } from 'koa'
import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible'
import { AuthError, isAuthError } from '../../domain/auth_error.ts'
import { isJsonObject } from '../../domain/credentials.ts'

/** A budget: `points` per `durationSeconds`, e.g. 10 failed logins per 15 minutes. */
export interface Budget {
  readonly points: number
  readonly durationSeconds: number
}

/** The brute-force budgets, each configurable. */
export interface LimitSettings {
  /** Requests per client IP to the credential and refresh routes. @default 100 per minute */
  readonly perIp: Budget
  /** Failed logins per username and client IP. @default 10 per 15 minutes */
  readonly loginFailsPerUserIp: Budget
  /** Failed logins per username from anywhere: slower, against distributed guessing. @default 100 per day */
  readonly loginFailsPerUser: Budget
}

/** The limiters behind {@linkcode LimitSettings}, on memory or Redis. */
export interface AuthLimits {
  readonly perIp: RateLimiterAbstract
  readonly loginFailsPerUserIp: RateLimiterAbstract
  readonly loginFailsPerUser: RateLimiterAbstract
}

/**
 * Counts every request per client IP and refuses those over budget with 429 `rate_limited`
 * and `Retry-After`. A limiter store that cannot answer refuses too (503): the door never
 * opens because the counter is down.
 */
export function limitPerIp(limits: AuthLimits): Middleware {
  return async (ctx, next) => {
    try {
      await limits.perIp.consume(ctx.ip)
    } catch (rejection) {
      throw refusal(rejection, 'Too many requests from this address')
    }
    await next()
  }
}

/**
 * Brute-force protection for routes that check a password: a username that failed too often
 * (from this IP, or from anywhere) is refused before its password is even checked; a failure
 * counts against both budgets, a success clears this IP's count for the username.
 * Runs after the body is parsed.
 */
export function limitLoginFailures(limits: AuthLimits): Middleware {
  return async (ctx, next) => {
    const body: unknown = ctx.request.body
    const raw = isJsonObject(body) && typeof body.username === 'string' ? body.username : undefined
    if (raw === undefined) return next() // refused as invalid_request by the route
    const user = `u:${raw.toLowerCase()}`
    const userIp = `${user}:ip:${ctx.ip}`
    try {
      const [byUserIp, byUser] = await Promise.all([
        limits.loginFailsPerUserIp.get(userIp), limits.loginFailsPerUser.get(user),
      ])
      const blocked = [
        [byUserIp, limits.loginFailsPerUserIp] as const, [byUser, limits.loginFailsPerUser] as const,
      ].find(([res, limiter]) => res !== null && res.consumedPoints >= limiter.points)
      if (blocked !== undefined) throw blocked[0]
    } catch (rejection) {
      throw refusal(rejection, 'Too many failed logins for this username')
    }
    try {
      await next()
    } catch (error) {
      if (isAuthError(error, 'invalid_credentials')) {
        // Count the failure; a store error here changes nothing about the answer (a 401).
        await Promise.allSettled([limits.loginFailsPerUserIp.consume(userIp), limits.loginFailsPerUser.consume(user)])
      }
      throw error
    }
    await limits.loginFailsPerUserIp.delete(userIp).catch(() => false)
  }
}

function refusal(rejection: unknown, why: string): AuthError {
  if (rejection instanceof AuthError) return rejection
  if (rejection instanceof RateLimiterRes) {
    const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000))
    return new AuthError('rate_limited', `${why}: try again in ${retryAfterSeconds} s`, { retryAfterSeconds })
  }
  return new AuthError('service_unavailable', 'Cannot check the request rate: the limiter store is unavailable', { cause: rejection })
}
