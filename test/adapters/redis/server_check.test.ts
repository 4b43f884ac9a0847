import { Writable } from 'node:stream'
import { afterEach, beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import { createLogger } from '../../../src/adapters/logger.ts'
import {
  closeRedisClient,
  createRedisClient,
  type RedisClient,
  waitUntilReady,
} from '../../../src/adapters/redis/redis_client.ts'
import { parseRedisUrl } from '../../../src/adapters/redis/redis_url.ts'
import { RedisRevocationStore } from '../../../src/adapters/redis/revocation_store.ts'
import { RedisServerCheck } from '../../../src/adapters/redis/server_check.ts'
import { StoreHealth } from '../../../src/adapters/store_health.ts'
import { SystemClock } from '../../../src/adapters/system_clock.ts'
import { isAuthError } from '../../../src/domain/auth_error.ts'
import { type FakeRedis, startFakeRedis } from '../../support/fake_redis.ts'
import { call, register, startTestServer } from '../../support/http_harness.ts'

// No Redis older than 7.0 can be installed here: a fake server reports one (see fake_redis.ts).
const OLD = 'Cannot use Redis 6.2.14: hexauth needs Redis 7.0 or later'

async function until(check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('RedisServerCheck', () => {
  let fake: FakeRedis
  let client: RedisClient
  let server: RedisServerCheck

  beforeEach(async () => {
    fake = await startFakeRedis('6.2.14')
    client = createRedisClient({ target: parseRedisUrl(fake.url), commandTimeoutMs: 500 })
    expect(await waitUntilReady(client, 2000)).to.equal(true)
    server = new RedisServerCheck({ client, key: 'hexauth:revoked:seq' })
  })

  afterEach(async () => {
    server.close()
    await closeRedisClient(client)
    await fake.close()
  })

  it('finds a Redis older than 7.0 unusable, naming its version and the one hexauth needs', async () => {
    await server.start()
    expect(server.problem?.message).to.equal(OLD)
    let thrown: unknown
    try {
      server.assertUsable()
    } catch (error) {
      thrown = error
    }
    expect(isAuthError(thrown, 'service_unavailable')).to.equal(true)
    expect((thrown as Error).message).to.equal(OLD)
  })

  it('reads the version again on every reconnection, as after an upgrade or a failover', async () => {
    await server.start()
    fake.version = '7.2.4'
    fake.dropConnections()
    await until(() => server.problem === undefined, 5000)
    fake.version = '6.0.9'
    fake.dropConnections()
    await until(() => server.problem?.message === 'Cannot use Redis 6.0.9: hexauth needs Redis 7.0 or later', 5000)
  })

  it('counts only the replicas that are online behind the primary', async () => {
    fake.replication = '# Replication\r\nrole:master\r\nconnected_slaves:2\r\n' +
      'slave0:ip=10.0.0.2,port=6379,state=online,offset=42,lag=0\r\nslave1:ip=10.0.0.3,port=6379,state=wait_bgsave,offset=0,lag=0\r\n'
    await server.start()
    expect(server.replicas).to.equal(1)
  })

  it('fails every revocation check closed on such a Redis, with the version as the cause', async () => {
    await server.start()
    const clock = new SystemClock()
    const store = new RedisRevocationStore({
      client,
      server,
      clock,
      prefix: 'hexauth:',
      logger: createLogger('silent'),
      health: new StoreHealth({ logger: createLogger('silent'), clock }),
    })
    const error = await store.isRevoked({ jti: 'j', fam: 'f', sub: 's', iat: clock.now() / 1000 }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isAuthError(error, 'service_unavailable'), String(error)).to.equal(true)
    expect(((error as Error).cause as Error).message).to.equal(OLD)
    // Not a single command reached the old server for it: the check never ran there.
    expect(fake.received.filter(([name]) => name === 'MGET')).to.deep.equal([])
  })
})

describe('hexauth on a Redis older than 7.0', () => {
  let fake: FakeRedis

  beforeEach(async () => {
    fake = await startFakeRedis('6.2.14')
  })

  afterEach(() => fake.close())

  it('answers /readyz 503 naming the version, protected routes 503, and logs the cause once', async () => {
    const lines: string[] = []
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk))
        done()
      },
    })
    const app = await startTestServer({ REDIS_URL: fake.url }, {}, createLogger('error', sink))
    // Tokens from an instance with a working blocklist, signed with the same test secret.
    const issuer = await startTestServer({ REDIS_URL: '' })
    try {
      const { accessToken } = await register(issuer.url, 'old-redis-user')
      const ready = await call(app.url, '/readyz')
      expect(ready.status).to.equal(503)
      expect(ready.body.checks).to.deep.equal({ redis: 'unavailable' })
      expect(ready.body.message).to.equal(`Not ready: redis unavailable (${OLD})`)
      for (let i = 0; i < 20; i++) {
        const secret = await call(app.url, '/secret', { token: accessToken })
        expect([secret.status, secret.body.error]).to.deep.equal([503, 'service_unavailable'])
      }
      const logged = lines.map((line) =>
        JSON.parse(line) as { level: number; store?: string; cause?: { message: string } }
      )
      expect(logged.map((line) => [line.level, line.store, line.cause?.message])).to.deep.equal([[50, 'redis', OLD]])
    } finally {
      await app.close()
      await issuer.close()
    }
  })
})
