import type { Context, Middleware } from 'koa'
import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible'
import { AuthError, isAuthError } from '../../domain/auth_error.ts'
import { isJsonObject } from '../../domain/credentials.ts'
import type { StoreHealth } from '../store_health.ts'
import { clientKey } from './client_key.ts'

/** A budget: `points` per `durationSeconds`, e.g. 10 failed logins per 15 minutes. */
export interface Budget {
  readonly points: number
  readonly durationSeconds: number
}

/** The brute-force budgets, each configurable. */
export interface LimitSettings {
  /** Requests per client address to the credential and refresh routes. @default 100 per minute */
  readonly perIp: Budget
  /** Failed logins per username and client address. @default 10 per 15 minutes */
  readonly loginFailsPerUserIp: Budget
  /** Failed logins per username from addresses it never logged in from: against distributed guessing. @default 100 per day */
  readonly loginFailsPerUser: Budget
  /** How long an address a username logged in from is exempt from `loginFailsPerUser`, in seconds. @default the refresh lifetime */
  readonly knownAddressSeconds: number
}

/** The limiters behind {@linkcode LimitSettings}, on memory or Redis. */
export interface AuthLimits {
  readonly perIp: RateLimiterAbstract
  readonly loginFailsPerUserIp: RateLimiterAbstract
  readonly loginFailsPerUser: RateLimiterAbstract
  /** Not a budget: per username and address, a successful login, kept `knownAddressSeconds`. */
  readonly knownAddresses: RateLimiterAbstract
  /** How long a known address is remembered, in seconds. */
  readonly knownAddressSeconds: number
}

/** One budget a request draws on: a limiter and the key it counts under. */
type Draw = readonly [limiter: RateLimiterAbstract, key: string]

/**
 * Counts every request per client address and refuses those over budget with 429
 * `rate_limited` and `Retry-After`, or 503 when the limiter store cannot answer.
 */
export function limitPerIp(limits: AuthLimits, health?: StoreHealth): Middleware {
  return async (ctx, next) => {
    await take([[limits.perIp, clientKey(ctx.ip)]], 'Too many requests from this address', health)
    await next()
  }
}

/**
 * Brute-force protection for the routes that check a password, after the body is validated:
 * an attempt takes its failure points before the check and keeps them only for a wrong password.
 */
export function limitLoginFailures(limits: AuthLimits, health?: StoreHealth): Middleware {
  return limitFailuresOf(limits, (ctx) => {
    const body: unknown = ctx.request.body
    return isJsonObject(body) && typeof body.username === 'string' ? body.username : undefined
  }, health)
}

/**
 * The failed-login budgets of {@linkcode limitLoginFailures} for any route that checks a
 * password, counted under the username `usernameOf` finds (a body's, a token's): a wrong
 * current password on `/password` is a failed login like any other.
 */
export function limitFailuresOf(
  limits: AuthLimits,
  usernameOf: (ctx: Context) => string | undefined,
  health?: StoreHealth,
): Middleware {
  return async (ctx, next) => {
    const raw = usernameOf(ctx)
    if (raw === undefined) return next() // refused as invalid_request by the route
    const user = `u:${raw.toLowerCase()}`
    const userIp = `${user}:ip:${clientKey(ctx.ip)}`
    const why = 'Too many failed logins for this username'
    // The budget from anywhere stops guessing spread over many addresses; an address this
    // username logged in from is exempt, so nobody can lock the owner out (README, Security).
    // A store that cannot answer refuses (503): never an attempt let through uncounted.
    const known = await limits.knownAddresses.get(userIp).catch((error: unknown) => {
      health?.failed('limiter', error)
      throw refusal(error, why)
    })
    // consumedPoints is NaN for a record that is not a count (or that Redis answered with an
    // error inside MULTI, which the limiter does not reject on): no exemption then.
    const fromAnywhere: Draw[] = known !== null && known.consumedPoints >= 1 ? [] : [[limits.loginFailsPerUser, user]]
    const draws: Draw[] = [[limits.loginFailsPerUserIp, userIp], ...fromAnywhere]
    // Taken before the check, so concurrent attempts pass at most the budget; over it, 429.
    await take(draws, why, health)
    try {
      await next()
    } catch (error) {
      if (!isAuthError(error, 'invalid_credentials')) await giveBack(draws)
      throw error
    }
    // A success gives its point back, clears this address's count and remembers the address;
    // the answer is decided, so a store error from here on only makes the limits stricter.
    await Promise.allSettled([
      giveBack(fromAnywhere),
      limits.loginFailsPerUserIp.delete(userIp),
      limits.knownAddresses.set(userIp, 1, limits.knownAddressSeconds),
    ])
  }
}

/**
 * Takes one point from every budget at once; over any of them (429) or with a store that
 * cannot answer (503), gives back what was taken and throws. Tells `health` how the store did.
 */
async function take(draws: readonly Draw[], why: string, health: StoreHealth | undefined): Promise<void> {
  const results = await Promise.allSettled(draws.map(([limiter, key]) => limiter.consume(key)))
  const rejections = results.flatMap((result) => result.status === 'rejected' ? [result.reason as unknown] : [])
  const failure = rejections.find((reason) => !(reason instanceof RateLimiterRes))
  if (failure === undefined) health?.recovered('limiter')
  else health?.failed('limiter', failure)
  if (rejections.length === 0) return
  // A consume over budget counted too, but the window it counts in never grows: left as is.
  await giveBack(draws.filter((_, i) => results[i]?.status === 'fulfilled'))
  const broken = rejections.find((reason) => !(reason instanceof RateLimiterRes))
  const overs = rejections.filter((reason): reason is RateLimiterRes => reason instanceof RateLimiterRes)
  throw refusal(broken ?? overs.reduce((a, b) => (a.msBeforeNext >= b.msBeforeNext ? a : b)), why)
}

async function giveBack(draws: readonly Draw[]): Promise<void> {
  // Best effort: a point not given back only makes the limit stricter.
  await Promise.allSettled(draws.map(([limiter, key]) => limiter.reward(key)))
}

function refusal(rejection: unknown, why: string): AuthError {
  if (rejection instanceof AuthError) return rejection
  if (rejection instanceof RateLimiterRes) {
    const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000))
    return new AuthError('rate_limited', `${why}: try again in ${retryAfterSeconds} s`, { retryAfterSeconds })
  }
  return new AuthError('service_unavailable', 'Cannot check the request rate: the limiter store is unavailable', {
    cause: rejection,
  })
}
