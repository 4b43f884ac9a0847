import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { createLogger } from '../../../src/adapters/logger.ts'
import {
  closeRedisClient,
  createRedisClient,
  type RedisClient,
  waitUntilReady,
} from '../../../src/adapters/redis/redis_client.ts'
import { parseRedisUrl } from '../../../src/adapters/redis/redis_url.ts'
import {
  keyBuilder,
  RedisRevocationStore,
  type RedisRevocationStoreDeps,
} from '../../../src/adapters/redis/revocation_store.ts'
import { RedisServerCheck } from '../../../src/adapters/redis/server_check.ts'
import { StoreHealth } from '../../../src/adapters/store_health.ts'
import { SystemClock } from '../../../src/adapters/system_clock.ts'
import { isAuthError } from '../../../src/domain/auth_error.ts'
import { startFakeRedis } from '../../support/fake_redis.ts'
import { acquireRedisOrSkip, type RedisHandle, redisServerOnPath } from '../../support/redis_server.ts'
import { type ReplicatedRedis, startRedisReplicated } from '../../support/redis_topologies.ts'
import { requireOrSkip } from '../../support/requirements.ts'

describe('RedisRevocationStore: replica acknowledgements (WAIT) and the server check', function () {
  let redis: RedisHandle
  const clients: RedisClient[] = []
  const clock = new SystemClock()
  const logger = createLogger('silent')
  const health = new StoreHealth({ logger, clock })

  async function client(url = redis.url): Promise<RedisClient> {
    const made = createRedisClient({ target: parseRedisUrl(url), commandTimeoutMs: 1000 })
    clients.push(made)
    await waitUntilReady(made, 2000)
    return made
  }

  /** A store on a fresh prefix with `deps` changed, and its keys. */
  async function storeWith(deps: Partial<RedisRevocationStoreDeps>) {
    const prefix = `test:${crypto.randomUUID()}:`
    const made = new RedisRevocationStore({ client: await client(), clock, prefix, logger, health, ...deps })
    await made.ensureEpoch()
    return { store: made, keys: keyBuilder(prefix) }
  }

  before(async function () {
    redis = await acquireRedisOrSkip(this)
  })

  after(async () => {
    await Promise.all(clients.map(closeRedisClient))
    await redis?.stop()
  })

  it('refuses a revocation no replica acknowledged within the wait, and keeps it on the primary for the retry', async () => {
    const { store: s, keys } = await storeWith({ wait: { replicas: 1, timeoutMs: 600 }, commandTimeoutMs: 3000 })
    const started = Date.now()
    const error = await s.revokeToken('unconfirmed', Math.ceil(clock.now() / 1000) + 60).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(Date.now() - started).to.be.at.least(550)
    expect(isAuthError(error, 'service_unavailable'), String(error)).to.equal(true)
    expect((error as Error).message).to.equal(
      'Cannot record the revocation: Redis is unavailable, or no replica acknowledged it in time',
    )
    expect(((error as Error).cause as Error).message).to.equal(
      'Cannot confirm a revocation: 0 of 1 Redis replicas acknowledged it in time',
    )
    expect(await (await client()).exists(keys.jti('unconfirmed'))).to.equal(1)
  })

  it('answers the failed write, not the missing acknowledgement, as the cause', async () => {
    const { store: s, keys } = await storeWith({ wait: { replicas: 1, timeoutMs: 50 } })
    await (await client()).hset(keys.jti('hash'), 'field', 'value') // the script's GET fails on it
    const error = await s.revokeToken('hash', Math.ceil(clock.now() / 1000) + 60).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isAuthError(error, 'service_unavailable'), String(error)).to.equal(true)
    expect(((error as Error).cause as Error).message).to.match(/WRONGTYPE/)
  })

  it('waits for no replica with "auto" when no server check says how many there are', async () => {
    const { store: s } = await storeWith({ wait: { replicas: 'auto', timeoutMs: 50 } })
    await s.revokeToken('unwaited', Math.ceil(clock.now() / 1000) + 60)
  })

  describe('with a server check', () => {
    /** A server check of a fake Redis reporting `version` and `replicas` online replicas. */
    async function serverCheck(version: string, replicas: number) {
      const fake = await startFakeRedis(version)
      fake.replication = `# Replication\r\nrole:master\r\nconnected_slaves:${replicas}\r\n` +
        Array.from(
          { length: replicas },
          (_, i) => `slave${i}:ip=10.0.0.${i + 2},port=6379,state=online,offset=42,lag=0\r\n`,
        ).join('')
      const checked = await client(fake.url)
      const server = new RedisServerCheck({ client: checked, key: 'hexauth:revoked:seq' })
      await server.start()
      return {
        server,
        stop: async () => {
          server.close()
          await closeRedisClient(checked)
          await fake.close()
        },
      }
    }

    it('is usable only while the server check finds no problem, and then refuses every call', async () => {
      const [old, current] = [await serverCheck('6.2.14', 0), await serverCheck('7.2.4', 0)]
      try {
        const [refusing, serving] = [(await storeWith({})).store, (await storeWith({ server: current.server })).store]
        const oldStore = new RedisRevocationStore({
          client: await client(),
          clock,
          prefix: `test:${crypto.randomUUID()}:`,
          logger,
          health,
          server: old.server,
        })
        expect([oldStore.usable, serving.usable, refusing.usable]).to.deep.equal([false, true, true])
        const error = await oldStore.revokeToken('j', Math.ceil(clock.now() / 1000) + 60).then(
          () => undefined,
          (e: unknown) => e,
        )
        expect(isAuthError(error, 'service_unavailable'), String(error)).to.equal(true)
        expect(((error as Error).cause as Error).message).to.equal(
          'Cannot use Redis 6.2.14: hexauth needs Redis 7.0 or later',
        )
      } finally {
        await old.stop()
        await current.stop()
      }
    })

    it('waits for one replica with "auto" when the server check finds one online', async () => {
      const check = await serverCheck('7.2.4', 1)
      try {
        const { store: s } = await storeWith({ server: check.server, wait: { replicas: 'auto', timeoutMs: 50 } })
        const error = await s.revokeToken('waited', Math.ceil(clock.now() / 1000) + 60).then(
          () => undefined,
          (e: unknown) => e,
        )
        expect(((error as Error).cause as Error | undefined)?.message).to.equal(
          'Cannot confirm a revocation: 0 of 1 Redis replicas acknowledged it in time',
        )
      } finally {
        await check.stop()
      }
    })
  })
})

describe('RedisRevocationStore on a primary with a replica', function () {
  this.timeout(30_000)
  let topology: ReplicatedRedis
  const clients: RedisClient[] = []
  const clock = new SystemClock()
  const logger = createLogger('silent')

  async function storeOn(replicas: number) {
    const made = createRedisClient({ target: parseRedisUrl(topology.url), commandTimeoutMs: 2000 })
    clients.push(made)
    await waitUntilReady(made, 2000)
    const prefix = `test:${crypto.randomUUID()}:`
    const store = new RedisRevocationStore({
      client: made,
      clock,
      prefix,
      logger,
      health: new StoreHealth({ logger, clock }),
      wait: { replicas, timeoutMs: 500 },
      commandTimeoutMs: 2000,
    })
    await store.ensureEpoch()
    return { store, keys: keyBuilder(prefix) }
  }

  before(async function () {
    requireOrSkip(
      this,
      'redis-server',
      redisServerOnPath(),
      'the replication suite needs redis-server on PATH (apt-get install redis-server)',
    )
    topology = await startRedisReplicated()
  })

  after(async () => {
    topology?.resumeReplica()
    await Promise.all(clients.map(closeRedisClient))
    await topology?.stop()
  })

  it('answers a revocation once the replica acknowledged it, so the replica has it already', async () => {
    const { store, keys } = await storeOn(1)
    await store.revokeToken('copied', Math.ceil(clock.now() / 1000) + 60)
    const replica = createRedisClient({ target: parseRedisUrl(topology.replicaUrl), commandTimeoutMs: 1000 })
    clients.push(replica)
    await waitUntilReady(replica, 2000)
    expect([await replica.exists(keys.jti('copied')), store.sequence.highest]).to.deep.equal([1, 1])
  })
})
