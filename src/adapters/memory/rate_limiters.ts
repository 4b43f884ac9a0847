import { RateLimiterMemory } from 'rate-limiter-flexible'
import type { AuthLimits, Budget, LimitSettings } from '../http/rate_limits.ts'

// RateLimiterMemory expires each key with a timer, and Node fires a timer longer than 2^31-1 ms
// (24.8 days) after 1 ms: a 30-day window would forget every count at once. Windows are
// capped below that instead.
const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000)

/** Brute-force limiters in process memory (one instance's counts only), windows capped at 24 days. */
export function createMemoryLimits(settings: LimitSettings): AuthLimits {
  const make = (keyPrefix: string, budget: Budget) =>
    new RateLimiterMemory({
      keyPrefix,
      points: budget.points,
      duration: Math.min(budget.durationSeconds, MAX_TIMER_SECONDS),
    })
  return {
    perIp: make('ip', settings.perIp),
    loginFailsPerUserIp: make('login_fail_user_ip', settings.loginFailsPerUserIp),
    loginFailsPerUser: make('login_fail_user', settings.loginFailsPerUser),
    knownAddresses: make('login_known_address', { points: 1, durationSeconds: settings.knownAddressSeconds }),
    knownAddressSeconds: Math.min(settings.knownAddressSeconds, MAX_TIMER_SECONDS),
  }
}
