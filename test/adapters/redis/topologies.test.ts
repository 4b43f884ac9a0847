import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { call, register, startTestServer, type TestServer } from '../../support/http_harness.ts'
import { redisServerOnPath } from '../../support/redis_server.ts'
import { startRedisCluster, startRedisSentinel, type Topology } from '../../support/redis_topologies.ts'
import { requireOrSkip } from '../../support/requirements.ts'

// REDIS_URL as a deployment outgrows one Redis: a Sentinel-managed primary, or a Cluster.
// Each runs the revocation flow, the near-cache and the brute-force limiter for real.
const topologies: ReadonlyArray<readonly [string, () => Promise<Topology>]> = [
  ['Redis Sentinel (redis+sentinel://)', startRedisSentinel],
  ['Redis Cluster (redis+cluster://)', startRedisCluster],
]

for (const [name, start] of topologies) {
  describe(`hexauth on ${name}`, function () {
    this.timeout(30_000)
    let topology: Topology
    const servers: TestServer[] = []

    before(async function () {
      requireOrSkip(
        this,
        'redis-server',
        redisServerOnPath(),
        `${name} needs redis-server on PATH (apt-get install redis-server)`,
      )
      topology = await start()
    })

    after(async () => {
      for (const server of servers) await server.close()
      await topology?.stop()
    })

    for (const cache of ['off', 'on']) {
      it(`revokes across two instances with REVOCATION_CACHE=${cache}`, async () => {
        const env = {
          REDIS_URL: topology.url,
          REDIS_KEY_PREFIX: `t${cache}:`,
          REVOCATION_CACHE: cache,
          RATE_LIMIT: 'on',
        }
        const [a, b] = [await startTestServer(env), await startTestServer(env)]
        servers.push(a, b)
        const tokens = await register(a.url, `user-${cache}`)
        const deadline = Date.now() + 5000
        while ((await call(b.url, '/secret', { token: tokens.accessToken })).status !== 200 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50))
        }
        const first = await call(b.url, '/secret', { token: tokens.accessToken })
        expect(first.status, JSON.stringify(first.body)).to.equal(200)
        expect((await call(a.url, '/logout/access', { method: 'POST', token: tokens.accessToken })).status).to.equal(
          200,
        )
        let refused = ''
        while (Date.now() < deadline + 5000) {
          refused = (await call(b.url, '/secret', { token: tokens.accessToken })).body.error
          if (refused === 'token_revoked') break
          await new Promise((r) => setTimeout(r, 10))
        }
        expect(refused).to.equal('token_revoked')
        // Users live in each instance's memory here: refresh where the account is.
        const refreshed = await call(a.url, '/token/refresh', { method: 'POST', token: tokens.refreshToken })
        expect(refreshed.status).to.equal(200)
        expect((await call(a.url, '/readyz')).body.checks).to.deep.equal({ redis: 'ok' })
      })
    }

    it('answers good tokens from the near-cache on this topology: its feed goes live (the resync works here)', async () => {
      const server = await startTestServer({ REDIS_URL: topology.url, REDIS_KEY_PREFIX: 'tlive:' })
      servers.push(server)
      const live = async () =>
        /^hexauth_revocation_feed_live 1$/m.test(String((await call(server.url, '/metrics')).body))
      const deadline = Date.now() + 10_000
      while (!await live() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      expect(await live(), 'the feed never went live: every check would go to Redis').to.equal(true)
    })
  })
}
