// The revocation feed's suites (test/adapters/redis/revocation_feed*.test.ts): one Redis per
// suite, instances started on fresh prefixes and closed after each test, and the ways those
// tests publish, write behind the feed's back and count what Redis ran.
import { after, afterEach, before } from 'mocha'
import { Redis } from 'ioredis'
import { createLogger } from '../../src/adapters/logger.ts'
import { duplicateClient, type RedisClient } from '../../src/adapters/redis/redis_client.ts'
import { RevocationFeed } from '../../src/adapters/redis/revocation_feed.ts'
import { RevocationSequence } from '../../src/adapters/redis/revocation_sequence.ts'
import { keyBuilder } from '../../src/adapters/redis/revocation_store.ts'
import { StoreHealth } from '../../src/adapters/store_health.ts'
import { SystemClock } from '../../src/adapters/system_clock.ts'
import { acquireRedisOrSkip, type RedisHandle } from './redis_server.ts'
import { type InstanceOptions, type RevocationInstance, startRevocationInstance } from './revocation_instance.ts'

// Far above the few milliseconds a heartbeat, a gap and a resync take on loopback.
export const BOUND_MS = 3000
// Heartbeats that never come during a test: what it shows is done by the message it publishes.
export const QUIET: InstanceOptions = { heartbeatMs: 60_000, staleAfterMs: 60_000 }

/**
 * A Cluster as the feed sees one: commands go to the first node, `nodes(role)` answers them all and
 * records the role asked for. (The nodes can be databases of one server: the feed only scans them.)
 */
export function fakeCluster(nodes: readonly [Redis, ...Redis[]], roles: string[]): RedisClient {
  const [first] = nodes
  return {
    status: 'ready',
    nodes: (role: string) => {
      roles.push(role)
      return [...nodes]
    },
    mget: (...keys: string[]) => first.mget(...keys),
    eval: (...args: Parameters<Redis['eval']>) => first.eval(...args),
  } as unknown as RedisClient
}

// QUIET, and a client that waits for a command held up behind another (whileResyncReads) far longer than that takes.
export const HELD_UP: InstanceOptions = { ...QUIET, commandTimeoutMs: 5000 }

/** Waits until `check` holds, failing after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 2))
  }
}

/** A started instance and the keys of its prefix. */
export type Started = RevocationInstance & { readonly keys: ReturnType<typeof keyBuilder> }

/**
 * Registers, in the calling `describe`, a Redis for the suite (skipped when none can be had),
 * an admin connection to it, and the closing of every instance after each test; answers the
 * helpers the feed's tests share.
 */
export function feedSuite() {
  let redis: RedisHandle
  let admin: Redis
  const opened: RevocationInstance[] = []

  /** An instance on `prefix` (a fresh one unless given, for keys written before it starts). */
  async function instance(options: InstanceOptions, prefix = `feed:${crypto.randomUUID()}:`): Promise<Started> {
    const started = await startRevocationInstance(redis.url, prefix, options)
    opened.push(started)
    return { ...started, keys: keyBuilder(prefix) }
  }

  const query = () => ({
    jti: crypto.randomUUID(),
    fam: crypto.randomUUID(),
    sub: crypto.randomUUID(),
    iat: Date.now() / 1000,
  })
  /** A token issued now, once the clock moved past its `iat`: an epoch moved to now refuses it. */
  async function issuedJustBefore() {
    const token = query()
    await until(() => Date.now() / 1000 > token.iat + 0.002, BOUND_MS)
    return token
  }
  const later = () => Math.ceil(Date.now() / 1000) + 600

  /** A revocation message of token `jti`, numbered `seq`, as the revoke script publishes it. */
  const revocationMessage = (seq: number, jti: string) =>
    JSON.stringify({ seq, kind: 'jti', id: jti, value: 0, expiresAt: later() })

  /** Writes a revocation as the revoke script does, numbered, but announces it to no one. */
  async function writeUnannounced(keys: ReturnType<typeof keyBuilder>, jti: string): Promise<number> {
    await admin.set(keys.jti(jti), '0', 'EXAT', later())
    return admin.incr(keys.sequence)
  }

  /** What `feed.live` was right after the feed handled each message containing `marker`. */
  function liveWhenHeard(started: RevocationInstance, marker: string): boolean[] {
    const seen: boolean[] = []
    // Registered after the feed's own listener, so it runs just after the feed handled it.
    started.subscriber.on('message', (_channel: string, message: string) => {
      if (message.includes(marker)) seen.push(started.feed.live)
    })
    return seen
  }

  /** Publishes a revocation without a sequence number, as an instance from before them does: a resync trigger. */
  async function publishUnnumbered(keys: ReturnType<typeof keyBuilder>): Promise<void> {
    await admin.publish(
      keys.channel,
      JSON.stringify({ kind: 'jti', id: crypto.randomUUID(), value: 0, expiresAt: later() }),
    )
  }

  /**
   * Starts a resync of `a` and runs `act` while the resync waits for its read of the sequence
   * (held up behind a BLPOP on a's client, released once `act` is done): what `act` publishes
   * is heard before that read answers.
   */
  async function whileResyncReads(a: Started, act: () => Promise<void>): Promise<void> {
    const gate = `${a.keys.prefix}gate`
    const blocked = a.client.blpop(gate, 5).catch(() => null) // the client gives up at its command timeout
    const trigger = crypto.randomUUID()
    const heard = liveWhenHeard(a, trigger)
    await admin.publish(a.keys.channel, JSON.stringify({ kind: 'jti', id: trigger, value: 0, expiresAt: later() }))
    await until(() => heard.length === 1, BOUND_MS)
    await act()
    await admin.lpush(gate, 'go')
    await blocked
  }

  /** Publishes `message` on a's channel and waits until a's feed handled it. */
  async function publishHeard(a: Started, message: string): Promise<void> {
    const heard = liveWhenHeard(a, message)
    await admin.publish(a.keys.channel, message)
    await until(() => heard.length === 1, BOUND_MS)
  }

  /** How many times Redis ran `command` (`INFO commandstats`), every client together. */
  async function calls(command: string): Promise<number> {
    const match = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(await admin.info('commandstats'))
    return Number(match?.[1] ?? 0)
  }

  /** A feed wired by hand: commands through `client`, its own subscriber on `node`, the heartbeats of QUIET. */
  function feedOn(node: Redis, client: RedisClient, keys: ReturnType<typeof keyBuilder>): RevocationFeed {
    const [clock, logger] = [new SystemClock(), createLogger('silent')]
    return new RevocationFeed({
      subscriber: duplicateClient(node, 'hexauth-feed'),
      client,
      clock,
      keys,
      sequence: new RevocationSequence({ client: node, clock, logger, keys }),
      health: new StoreHealth({ logger, clock }),
      ...QUIET,
    })
  }

  before(async function () {
    redis = await acquireRedisOrSkip(this)
    admin = new Redis(redis.url)
  })

  afterEach(async () => {
    for (const started of opened.splice(0)) await started.close()
  })

  after(async () => {
    await admin?.quit()
    await redis?.stop()
  })

  return {
    /** The suite's Redis. */
    get redis(): RedisHandle {
      return redis
    },
    /** A plain connection to it, for what a test does behind the feed's back. */
    get admin(): Redis {
      return admin
    },
    instance,
    query,
    issuedJustBefore,
    later,
    revocationMessage,
    writeUnannounced,
    liveWhenHeard,
    publishUnnumbered,
    whileResyncReads,
    publishHeard,
    calls,
    feedOn,
  }
}
