import { once } from 'node:events'
import { Redis } from 'ioredis'

/** How hexauth talks to Redis. */
export interface RedisClientOptions {
  readonly url: string
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
export function createRedisClient(options: RedisClientOptions): Redis {
  const client = new Redis(options.url, {
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: Math.max(options.commandTimeoutMs, 1000),
    retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
    reconnectOnError: () => false,
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
export async function waitUntilReady(client: Redis, ms: number): Promise<boolean> {
  if (client.status === 'ready') return true
  let timer: NodeJS.Timeout | undefined
  const ready = new Promise<boolean>((resolve) => {
    client.once('ready', () => resolve(true))
    timer = setTimeout(() => resolve(false), ms)
  })
  return ready.finally(() => clearTimeout(timer))
}

/** Closes `client`: a polite QUIT when connected, a hard disconnect otherwise. */
export async function closeRedisClient(client: Redis): Promise<void> {
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
