import type { Clock } from '../../src/application/ports/clock.ts'
import type { Logger } from '../../src/adapters/logger.ts'
import { createLogger } from '../../src/adapters/logger.ts'
import { NearCachedRevocationStore } from '../../src/adapters/redis/near_cached_revocation_store.ts'
import {
  closeRedisClient,
  createRedisClient,
  duplicateClient,
  type RedisClient,
  waitUntilReady,
} from '../../src/adapters/redis/redis_client.ts'
import { parseRedisUrl } from '../../src/adapters/redis/redis_url.ts'
import { RevocationFeed } from '../../src/adapters/redis/revocation_feed.ts'
import { keyBuilder, RedisRevocationStore } from '../../src/adapters/redis/revocation_store.ts'
import { StoreHealth } from '../../src/adapters/store_health.ts'
import { SystemClock } from '../../src/adapters/system_clock.ts'

/** One service instance's revocation adapters, as the container wires them with the near-cache on. */
export interface RevocationInstance {
  /** The near-cached store the use cases would get. */
  readonly store: NearCachedRevocationStore
  /** The Redis store behind it. */
  readonly redis: RedisRevocationStore
  readonly feed: RevocationFeed
  readonly client: RedisClient
  /** The feed's subscriber connection (`hexauth-feed` in `CLIENT LIST`). */
  readonly subscriber: RedisClient
  close(): Promise<void>
}

/** Timing and logging of a {@linkcode RevocationInstance}. */
export interface InstanceOptions {
  readonly heartbeatMs?: number
  readonly staleAfterMs?: number
  /** @default a silent logger */
  readonly logger?: Logger
  /** How long the instance's client waits for a reply, in ms. @default 300 */
  readonly commandTimeoutMs?: number
  /** Whether the feed starts only once its subscriber connection is ready (else while it connects). @default false */
  readonly readySubscriber?: boolean
  /** The clock of the store and the feed (a `FakeClock` moves the live boundary). @default the system clock */
  readonly clock?: Clock
  /** Whether the feed's resyncs read in a worker thread, as the composed app's do. @default false */
  readonly resyncInWorker?: boolean
  /** With `resyncInWorker`: the sequence from which it does. @default 0 */
  readonly resyncWorkerFrom?: number
  /** With `resyncInWorker`: the Redis the worker reads. @default the instance's */
  readonly resyncWorkerUrl?: string
}

/**
 * Starts an instance's client, Redis store, subscriber and feed on `prefix`, and waits until
 * the feed is live (subscribed and resynced).
 */
export async function startRevocationInstance(
  url: string,
  prefix: string,
  options: InstanceOptions = {},
): Promise<RevocationInstance> {
  const clock = options.clock ?? new SystemClock()
  const logger = options.logger ?? createLogger('silent')
  const health = new StoreHealth({ logger, clock })
  const clientOptions = { target: parseRedisUrl(url), commandTimeoutMs: options.commandTimeoutMs ?? 300 }
  const client = createRedisClient(clientOptions)
  await waitUntilReady(client, 2000)
  const redis = new RedisRevocationStore({ client, clock, prefix, logger, health })
  await redis.ensureEpoch()
  const subscriber = duplicateClient(client, 'hexauth-feed')
  if (options.readySubscriber === true) await waitUntilReady(subscriber, 2000)
  const { heartbeatMs, staleAfterMs } = options
  const feed = new RevocationFeed({
    subscriber,
    client,
    clock,
    keys: keyBuilder(prefix),
    sequence: redis.sequence,
    health,
    ...heartbeatMs === undefined ? {} : { heartbeatMs },
    ...staleAfterMs === undefined ? {} : { staleAfterMs },
    ...options.resyncInWorker === true
      ? {
        resyncWorker: options.resyncWorkerUrl === undefined
          ? clientOptions
          : { ...clientOptions, target: parseRedisUrl(options.resyncWorkerUrl) },
        resyncWorkerFrom: options.resyncWorkerFrom ?? 0,
      }
      : {},
  })
  feed.start()
  const close = async () => {
    await feed.close()
    await closeRedisClient(client)
  }
  const deadline = Date.now() + 3000
  while (!feed.live) {
    if (Date.now() > deadline) {
      await close()
      throw new Error('the feed did not go live within 3 s')
    }
    await new Promise((r) => setTimeout(r, 2))
  }
  return { store: new NearCachedRevocationStore({ redis, feed }), redis, feed, client, subscriber, close }
}
