import { before, describe, it } from 'mocha'
import { expect } from 'chai'
import { Redis } from 'ioredis'
import { decodeJwt } from 'jose'
import { call, type CallResult, login, register, startTestServer } from '../../support/http_harness.ts'
import { freePort, LocalRedis, redisServerOnPath } from '../../support/redis_server.ts'
import { requireOrSkip } from '../../support/requirements.ts'

async function eventually(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

// Restoring an older snapshot, an AOF `everysec` crash and a failover to a lagging replica all
// keep the epoch marker but lose the latest revocations: the wipe check alone cannot see it.
describe('Redis restarted from an older snapshot (lost its latest revocations)', function () {
  before(function () {
    requireOrSkip(
      this,
      'redis-server',
      redisServerOnPath(),
      'the snapshot suite needs a redis-server binary on PATH (apt-get install redis-server)',
    )
  })

  for (const cache of ['off', 'on']) {
    it(`keeps refusing a session logged out after the snapshot, with REVOCATION_CACHE=${cache}`, async () => {
      const redis = new LocalRedis(await freePort())
      await redis.start()
      const prefix = `rollback-${cache}:`
      const app = await startTestServer({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix, REVOCATION_CACHE: cache })
      try {
        const a = await register(app.url, 'snapshot-user')
        const b = await login(app.url, 'snapshot-user')
        expect((await call(app.url, '/logout/access', { method: 'POST', token: a.accessToken })).status).to.equal(200)
        await redis.snapshot()
        expect((await call(app.url, '/logout/refresh', { method: 'POST', token: b.refreshToken })).status).to.equal(200)
        await redis.kill()
        await redis.start()
        // The premise: Redis came back with its epoch marker, and without b's revocation.
        const admin = new Redis(redis.url)
        const held = [
          await admin.exists(`${prefix}revoked:epoch`),
          await admin.exists(`${prefix}revoked:fam:${decodeJwt(b.refreshToken).fam}`),
        ]
        await admin.quit()
        expect(held).to.deep.equal([1, 0])
        let answer: CallResult | undefined
        await eventually(async () => {
          answer = await call(app.url, '/secret', { token: b.accessToken })
          return answer.status !== 503 // reconnecting
        })
        expect([answer?.status, answer?.body.error]).to.deep.equal([401, 'token_revoked'])
        // A refresh asks Redis itself, even with the near-cache: no new tokens for b's session.
        const refreshed = await call(app.url, '/token/refresh', { method: 'POST', token: b.refreshToken })
        expect([refreshed.status, refreshed.body.error]).to.deep.equal([401, 'token_revoked'])
        expect((await call(app.url, '/secret', { token: a.accessToken })).status).to.equal(401)
        // Signing in again works: only tokens from before the loss are refused.
        const again = await login(app.url, 'snapshot-user')
        expect((await call(app.url, '/secret', { token: again.accessToken })).status).to.equal(200)
      } finally {
        await app.close()
        await redis.stop()
      }
    })
  }
})
