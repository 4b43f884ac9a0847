import { RateLimiterMemory } from 'rate-limiter-flexible'
import type { AuthLimits, Budget, LimitSettings } from '../http/rate_limits.ts'

/** Brute-force limiters in process memory: one instance's counts only. */
export function createMemoryLimits(settings: LimitSettings): AuthLimits {
  const make = (keyPrefix: string, budget: Budget) =>
    new RateLimiterMemory({ keyPrefix, points: budget.points, duration: budget.durationSeconds })
  return {
    perIp: make('ip', settings.perIp),
    loginFailsPerUserIp: make('login_fail_user_ip', settings.loginFailsPerUserIp),
    loginFailsPerUser: make('login_fail_user', settings.loginFailsPerUser),
  }
}
