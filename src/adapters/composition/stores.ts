import { Clock } from '../../application/ports/clock.ts'
import { ItemRepository } from '../../application/ports/item_repository.ts'
import { RevocationStore } from '../../application/ports/revocation_store.ts'
import { SessionStore } from '../../application/ports/session_store.ts'
import { UserRepository } from '../../application/ports/user_repository.ts'
import type { Logger as LoggerValue } from '../logger.ts'
import { MemoryItemRepository } from '../memory/item_repository.ts'
import { MemorySessionStore } from '../memory/session_store.ts'
import { createMemoryLimits } from '../memory/rate_limiters.ts'
import { MemoryRevocationStore } from '../memory/revocation_store.ts'
import { MemoryUserRepository } from '../memory/user_repository.ts'
import { MongoItemRepository } from '../mongo/item_repository.ts'
import { MongoConnection } from '../mongo/mongo_connection.ts'
import { MongoSessionStore } from '../mongo/session_store.ts'
import { MongoUserRepository } from '../mongo/user_repository.ts'
import { NearCachedRevocationStore } from '../redis/near_cached_revocation_store.ts'
import { createRedisLimits } from '../redis/rate_limiters.ts'
import {
  closeRedisClient,
  createRedisClient,
  duplicateClient,
  type RedisClient as RedisClientValue,
  waitUntilReady,
} from '../redis/redis_client.ts'
import { keyPrefixFor, parseRedisUrl } from '../redis/redis_url.ts'
import { RevocationFeed } from '../redis/revocation_feed.ts'
import { RESYNC_WORKER_FROM, resyncsInWorkerOn } from '../redis/scan_worker.ts'
import { keyBuilder, RedisRevocationStore } from '../redis/revocation_store.ts'
import { RedisServerCheck } from '../redis/server_check.ts'
import type { StoreHealth } from '../store_health.ts'
import type { Capability } from './capability.ts'
import {
  Feed,
  Health,
  Limits,
  Logger,
  Mongo,
  Probe,
  RedisClient,
  RedisRevocations,
  RedisServer,
  RedisWriter,
  SharedBlocklist,
} from './ids.ts'

/** `MONGO_URL` set: users, items and login sessions in MongoDB, one connection with its readiness probe; else in memory. */
export const userStores: Capability = ({ bind }, { config, overrides: o }) => {
  const url = config.mongoUrl
  if (url !== undefined) {
    bind(Mongo).toResolvedValue(
      (health: StoreHealth) => new MongoConnection({ url, timeoutMs: config.mongoTimeoutMs, health }),
      [Health],
    )
      .onDeactivation((mongo) => mongo.close())
    bind(Probe).toResolvedValue((mongo: MongoConnection) => ({ name: 'mongodb', check: () => mongo.ping() }), [Mongo])
  }
  if (o.users !== undefined) bind(UserRepository).toConstantValue(o.users)
  else if (url === undefined) bind(UserRepository).toConstantValue(new MemoryUserRepository())
  else bind(UserRepository).toResolvedValue((mongo: MongoConnection) => new MongoUserRepository(mongo), [Mongo])
  if (o.items !== undefined) bind(ItemRepository).toConstantValue(o.items)
  else if (url === undefined) bind(ItemRepository).toConstantValue(new MemoryItemRepository())
  else bind(ItemRepository).toResolvedValue((mongo: MongoConnection) => new MongoItemRepository(mongo), [Mongo])
  if (o.sessions !== undefined) bind(SessionStore).toConstantValue(o.sessions)
  else if (url === undefined) bind(SessionStore).toConstantValue(new MemorySessionStore())
  else bind(SessionStore).toResolvedValue((mongo: MongoConnection) => new MongoSessionStore(mongo), [Mongo])
}

/**
 * `REDIS_URL` set: the blocklist in Redis, shared by every instance, behind the near-cache
 * unless `REVOCATION_CACHE=off`; else in memory, which no other instance sees.
 */
export const revocationStore: Capability = (options, { config, overrides: o }) => {
  const { bind } = options
  const url = config.redisUrl
  bind(SharedBlocklist).toConstantValue(o.revocations !== undefined || url !== undefined)
  if (o.revocations !== undefined) {
    bind(RevocationStore).toConstantValue(o.revocations)
    return
  }
  if (url === undefined) {
    bind(RevocationStore).toResolvedValue((clock: Clock) => new MemoryRevocationStore({ clock }), [Clock])
    return
  }
  const timeout = config.redisCommandTimeoutMs
  const prefix = keyPrefixFor(parseRedisUrl(url), config.redisKeyPrefix)
  bind(RedisClient).toResolvedValue(async () => {
    const client = createRedisClient({ target: parseRedisUrl(url), commandTimeoutMs: timeout })
    await waitUntilReady(client, Math.max(2 * timeout, 2000))
    return client
  }).onDeactivation((client) => closeRedisClient(client))
  bind(RedisWriter).toResolvedValue(async (client: RedisClientValue) => {
    const writer = duplicateClient(client, 'hexauth-writer')
    // Redis answers the shared client: the first logout must not find this one still connecting.
    if (client.status === 'ready') await waitUntilReady(writer, Math.max(2 * timeout, 2000))
    return writer
  }, [RedisClient]).onDeactivation((writer) => closeRedisClient(writer))
  bind(RedisServer).toResolvedValue(async (client: RedisClientValue) => {
    const server = new RedisServerCheck({ client, key: keyBuilder(prefix).sequence })
    await server.start() // Redis down: read on its 'ready'
    return server
  }, [RedisClient]).onDeactivation((server) => server.close())
  bind(Probe).toResolvedValue((client: RedisClientValue, server: RedisServerCheck) => ({
    name: 'redis',
    check: async () => {
      await client.ping()
      server.assertUsable()
    },
  }), [RedisClient, RedisServer])
  bind(RedisRevocations).toResolvedValue(
    async (
      client: RedisClientValue,
      writer: RedisClientValue,
      server: RedisServerCheck,
      clock: Clock,
      logger: LoggerValue,
      health: StoreHealth,
    ) => {
      const wait = { replicas: config.redisWaitReplicas, timeoutMs: config.redisWaitTimeoutMs }
      const store = new RedisRevocationStore({
        client,
        writer,
        server,
        clock,
        prefix,
        logger,
        health,
        wait,
        commandTimeoutMs: timeout,
      })
      // Mark the epoch now if this Redis has none; if Redis is down, the first check does it.
      await store.ensureEpoch().catch(() => {})
      return store
    },
    [RedisClient, RedisWriter, RedisServer, Clock, Logger, Health],
  )
  if (!config.revocationCache) {
    bind(RevocationStore).toResolvedValue((redis: RedisRevocationStore) => redis, [RedisRevocations])
    return
  }
  bind(Feed).toResolvedValue(
    (client: RedisClientValue, clock: Clock, redis: RedisRevocationStore, health: StoreHealth) => {
      const subscriber = duplicateClient(client, 'hexauth-feed')
      const feed = new RevocationFeed({
        subscriber,
        client,
        clock,
        keys: keyBuilder(prefix),
        sequence: redis.sequence,
        health,
        ...resyncsInWorkerOn(process.versions.node)
          ? {
            resyncWorker: { target: parseRedisUrl(url), commandTimeoutMs: timeout },
            resyncWorkerFrom: RESYNC_WORKER_FROM,
          }
          : {},
      })
      feed.start()
      return feed
    },
    [RedisClient, Clock, RedisRevocations, Health],
  ).onDeactivation((feed) => feed.close())
  bind(RevocationStore).toResolvedValue(
    (redis: RedisRevocationStore, feed: RevocationFeed) => new NearCachedRevocationStore({ redis, feed }),
    [RedisRevocations, Feed],
  )
}

/** Brute-force limiters: in Redis with `REDIS_URL` (counts shared by the instances), else in memory; none with `RATE_LIMIT=off`. */
export const limits: Capability = ({ bind }, { config, overrides: o }) => {
  const settings = config.rateLimits
  const url = config.redisUrl
  if (o.limits !== undefined) bind(Limits).toConstantValue(o.limits)
  else if (settings === undefined) bind(Limits).toConstantValue(undefined)
  else if (url === undefined) bind(Limits).toConstantValue(createMemoryLimits(settings))
  else {
    const prefix = keyPrefixFor(parseRedisUrl(url), config.redisKeyPrefix)
    bind(Limits).toResolvedValue(
      (client: RedisClientValue) => createRedisLimits(client, prefix, settings, config.redisCommandTimeoutMs),
      [RedisClient],
    )
  }
}
