import type { RedisClient } from './redis_client.ts'
import { RateLimiterRedis, RLWrapperTimeouts } from 'rate-limiter-flexible'
import type { AuthLimits, Budget, LimitSettings } from '../http/rate_limits.ts'

/**
 * Brute-force limiters in Redis, so every instance shares the counts. A Redis that is not
 * ready rejects at once (`rejectIfRedisNotReady`), and one that hangs within `timeoutMs` of
 * the request asking (rate-limiter-flexible's RLWrapperTimeouts: ioredis's own timeout counts
 * from when a command is sent, which auto-pipelining can delay); the routes refuse: fail closed.
 */
export function createRedisLimits(
  client: RedisClient,
  prefix: string,
  settings: LimitSettings,
  timeoutMs = 1000,
): AuthLimits {
  const make = (name: string, budget: Budget) =>
    new RLWrapperTimeouts({
      timeoutMs,
      limiter: new RateLimiterRedis({
        storeClient: client,
        keyPrefix: `${prefix}rl:${name}`,
        points: budget.points,
        duration: budget.durationSeconds,
        rejectIfRedisNotReady: true,
      }),
    })
  return {
    perIp: make('ip', settings.perIp),
    loginFailsPerUserIp: make('login_fail_user_ip', settings.loginFailsPerUserIp),
    loginFailsPerUser: make('login_fail_user', settings.loginFailsPerUser),
    knownAddresses: make('login_known_address', { points: 1, durationSeconds: settings.knownAddressSeconds }),
    knownAddressSeconds: settings.knownAddressSeconds,
  }
}
