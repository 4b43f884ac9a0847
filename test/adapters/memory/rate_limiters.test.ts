import { describe, it } from 'mocha'
import { expect } from 'chai'
import { RateLimiterRes } from 'rate-limiter-flexible'
import { createMemoryLimits } from '../../../src/adapters/memory/rate_limiters.ts'

const DAY = 86400

describe('createMemoryLimits', () => {
  it("keeps counting in a window longer than Node's longest timer (2^31 ms, 24.8 days)", async () => {
    const limits = createMemoryLimits({
      perIp: { points: 2, durationSeconds: 30 * DAY },
      loginFailsPerUserIp: { points: 2, durationSeconds: 60 },
      loginFailsPerUser: { points: 2, durationSeconds: 60 },
      knownAddressSeconds: 30 * DAY,
    })
    await limits.perIp.consume('k')
    await limits.perIp.consume('k')
    await limits.knownAddresses.set('k', 1, limits.knownAddresses.duration)
    // An overflowing timer fires after 1 ms: a later timer runs after it, whatever the load.
    await new Promise((resolve) => setTimeout(resolve, 20))
    const third = await limits.perIp.consume('k').catch((rejection: unknown) => rejection)
    expect(third).to.be.instanceOf(RateLimiterRes)
    expect((third as RateLimiterRes).consumedPoints).to.equal(3)
    expect((await limits.knownAddresses.get('k'))?.consumedPoints).to.equal(1)
  })
})
