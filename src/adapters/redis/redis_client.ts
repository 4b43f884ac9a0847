import { once } from 'node:events'
import { Cluster, Redis, type RedisOptions } from 'ioredis'
import type { RedisTarget } from './redis_url.ts'

/** A connection to Redis: one server (or a Sentinel-managed primary), or a Cluster. */
export type RedisClient = Redis | Cluster

/** How hexauth talks to Redis. */
export interface RedisClientOptions {
  readonly target: RedisTarget
  /**
   * Longest wait for one command before the request fails with 503, in milliseconds.
   * @default 1000
   */
  readonly commandTimeoutMs: number
}

/**
 * An ioredis client tuned to fail fast and recover by itself: no offline queue and one
 * retry, so a request never waits on a Redis that cannot answer; a command timeout, so a
 * hung Redis is a 503, not a hang; reconnection with a capped back-off; auto-pipelining, so
 * concurrent requests share round trips.
 */
export function createRedisClient(options: RedisClientOptions): RedisClient {
  const tuning: RedisOptions = {
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: Math.max(options.commandTimeoutMs, 1000),
    retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
    reconnectOnError: () => false,
  }
  const { target } = options
  const auth = target.mode === 'single' ? {} : {
    ...target.auth.username === undefined ? {} : { username: target.auth.username },
    ...target.auth.password === undefined ? {} : { password: target.auth.password },
    ...target.auth.tls ? { tls: {} } : {},
  }
  const client: RedisClient = target.mode === 'single'
    ? new Redis(target.url, tuning)
    : target.mode === 'sentinel'
    ? new Redis({ ...tuning, ...auth, sentinels: [...target.sentinels], name: target.name, db: target.db })
    : new Cluster([...target.nodes], {
      enableAutoPipelining: true,
      enableOfflineQueue: false,
      clusterRetryStrategy: (attempt) => Math.min(50 * attempt, 1000),
      redisOptions: { ...tuning, ...auth },
    })
  // Connection errors surface on the commands that fail; keep them off the process's
  // unhandled-error path (ioredis emits 'error' on every failed reconnect).
  client.on('error', () => {})
  return client
}

/**
 * Waits until `client` is ready, at most `ms` milliseconds; never throws. A Redis that is
 * down at start-up does not stop hexauth: requests needing it are 503s until it answers.
 */
export function waitUntilReady(client: RedisClient, ms: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true)
  let timer: NodeJS.Timeout | undefined
  const ready = new Promise<boolean>((resolve) => {
    client.once('ready', () => resolve(true))
    timer = setTimeout(() => resolve(false), ms)
  })
  return ready.finally(() => clearTimeout(timer))
}

/** Closes `client`: a polite QUIT when connected, a hard disconnect otherwise. */
export async function closeRedisClient(client: RedisClient): Promise<void> {
  try {
    if (client.status === 'ready') {
      const ended = once(client, 'end')
      await client.quit()
      await ended
      return
    }
  } catch {
    // fall through to a hard disconnect
  }
  client.disconnect()
}

/**
 * A second connection like `client` (a subscriber needs one of its own), called `name` in
 * `CLIENT LIST` (a Cluster's subscriber connection: `ioredis-cluster(subscriber):<name>`).
 */
export function duplicateClient(client: RedisClient, name: string): RedisClient {
  const duplicate: RedisClient = client instanceof Cluster
    ? client.duplicate([], { redisOptions: { connectionName: name } })
    : client.duplicate({ connectionName: name })
  duplicate.on('error', () => {}) // as in createRedisClient
  return duplicate
}
