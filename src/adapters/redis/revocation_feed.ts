import type { Redis } from 'ioredis'
import type { RedisClient } from './redis_client.ts'
import type { Clock } from '../../application/ports/clock.ts'
import type { RevocationQuery } from '../../application/ports/revocation_store.ts'
import type { keyBuilder } from './revocation_store.ts'

/** One revocation as published on the feed (and read back by a resync). */
export interface FeedEntry {
  readonly kind: 'jti' | 'fam' | 'sub'
  readonly id: string
  /** For `sub`: tokens issued at or before this time are revoked; else 0. */
  readonly value: number
  /** Seconds since the epoch. */
  readonly expiresAt: number
}

/** Options of {@linkcode RevocationFeed}. */
export interface RevocationFeedDeps {
  /** A connection of its own: a subscribed connection can do nothing else. */
  readonly subscriber: RedisClient
  /** The shared client, for the resync and the heartbeat. */
  readonly client: RedisClient
  readonly clock: Clock
  readonly keys: ReturnType<typeof keyBuilder>
  /** How often this instance publishes a heartbeat, in ms. @default 1000 */
  readonly heartbeatMs?: number
  /** The feed counts as live only if a message arrived within this many ms. @default 3000 */
  readonly staleAfterMs?: number
}

/**
 * The revocations of every instance, held in this one's memory: fed by Redis pub/sub (every
 * write publishes in the same script) and filled by a full resync each time the subscription
 * (re)starts. It answers only while {@linkcode live}: subscribed, resynced since, and a
 * message (at least the heartbeats) seen within `staleAfterMs`. Otherwise callers ask Redis.
 */
export class RevocationFeed {
  readonly #deps: RevocationFeedDeps
  readonly #tokens = new Map<string, number>()
  readonly #families = new Map<string, number>()
  readonly #subjects = new Map<string, { issuedUpTo: number, expiresAt: number }>()
  #epoch: number | undefined
  #synced = false
  #lastMessage = 0
  #timer: ReturnType<typeof setInterval> | undefined
  #beats = 0
  #closed = false

  constructor(deps: RevocationFeedDeps) {
    this.#deps = deps
  }

  /** Whether the local copy may answer: subscribed, resynced, and heard from recently. */
  get live(): boolean {
    return this.#synced && this.#deps.clock.now() - this.#lastMessage <= (this.#deps.staleAfterMs ?? 3000)
  }

  /** Subscribes and keeps subscribing: every (re)connection starts with a full resync. */
  start(): void {
    const { subscriber } = this.#deps
    subscriber.on('message', (_channel: string, message: string) => this.#onMessage(message))
    const down = () => { this.#synced = false }
    subscriber.on('close', down)
    subscriber.on('end', down)
    subscriber.on('error', down)
    subscriber.on('ready', () => void this.#resubscribe())
    if (subscriber.status === 'ready') void this.#resubscribe()
    this.#timer = setInterval(() => void this.#beat(), this.#deps.heartbeatMs ?? 1000)
    this.#timer.unref()
    void this.#beat()
  }

  /** Whether the local copy says the token is revoked. Only meaningful while {@linkcode live}. */
  isRevoked(query: RevocationQuery): boolean {
    const now = this.#deps.clock.now() / 1000
    const subject = this.#subjects.get(query.sub)
    return (this.#epoch === undefined || query.iat < this.#epoch) ||
      (this.#tokens.get(query.jti) ?? 0) > now ||
      (this.#families.get(query.fam) ?? 0) > now ||
      (subject !== undefined && subject.expiresAt > now && query.iat <= subject.issuedUpTo)
  }

  /** Records a revocation this instance just wrote, before the feed echoes it back. */
  apply(entry: FeedEntry): void {
    if (entry.kind === 'sub') {
      const before = this.#subjects.get(entry.id)
      this.#subjects.set(entry.id, {
        issuedUpTo: Math.max(entry.value, before?.issuedUpTo ?? 0),
        expiresAt: Math.max(entry.expiresAt, before?.expiresAt ?? 0),
      })
      return
    }
    const map = entry.kind === 'jti' ? this.#tokens : this.#families
    map.set(entry.id, Math.max(entry.expiresAt, map.get(entry.id) ?? 0))
  }

  /** Stops the heartbeat and the subscription. */
  async close(): Promise<void> {
    this.#closed = true
    clearInterval(this.#timer)
    this.#synced = false
    this.#deps.subscriber.disconnect()
  }

  #onMessage(message: string): void {
    this.#lastMessage = this.#deps.clock.now()
    if (message.startsWith('{')) this.apply(JSON.parse(message) as FeedEntry)
  }

  async #resubscribe(): Promise<void> {
    if (this.#closed) return
    this.#synced = false
    try {
      // Subscribe first, then read everything: nothing written in between can be missed.
      await this.#deps.subscriber.subscribe(this.#deps.keys.channel)
      await this.#resync()
      this.#lastMessage = this.#deps.clock.now()
      this.#synced = true
    } catch {
      // Not live; the next 'ready' tries again, and checks go to Redis meanwhile.
    }
  }

  /** Reads every revocation key (SCAN, never on a request path) and the epoch. */
  async #resync(): Promise<void> {
    const { client, keys } = this.#deps
    // In a Cluster the keys share one hash tag, so one primary holds them: scan every primary.
    const nodes = 'nodes' in client ? client.nodes('master') : [client]
    for (const node of nodes) {
      let cursor = '0'
      do {
        const [next, found] = await node.scan(cursor, 'MATCH', `${keys.prefix}revoked:*`, 'COUNT', 1000)
        cursor = next
        if (found.length > 0) await this.#load(node, found)
      } while (cursor !== '0')
    }
    const epoch = await client.get(keys.epoch)
    this.#epoch = epoch === null ? undefined : Number(epoch)
    this.#sweep()
  }

  async #load(node: Redis, found: readonly string[]): Promise<void> {
    const pipeline = node.pipeline()
    for (const key of found) pipeline.get(key).expiretime(key)
    const replies = (await pipeline.exec()) ?? []
    found.forEach((key, i) => {
      const value = replies[2 * i]?.[1] as string | null
      const expiresAt = replies[2 * i + 1]?.[1] as number
      const entry = parseKey(key, this.#deps.keys.prefix)
      if (entry !== undefined && value !== null && expiresAt > 0) this.apply({ ...entry, value: Number(value), expiresAt })
    })
  }

  async #beat(): Promise<void> {
    const { client, keys, subscriber } = this.#deps
    try {
      await client.publish(keys.channel, 'hb')
      // A wiped Redis has lost its epoch: stop answering (Redis answers, and writes a new
      // one) until a resync has read everything again.
      const epoch = await client.get(keys.epoch)
      if (epoch === null) this.#synced = false
      else this.#epoch = Math.max(this.#epoch ?? 0, Number(epoch))
      if (!this.#synced && epoch !== null && subscriber.status === 'ready') await this.#resubscribe()
    } catch {
      // Redis cannot answer: heartbeats stop arriving and the feed goes stale by itself.
    }
    if (++this.#beats % 30 === 0) this.#sweep()
  }

  #sweep(): void {
    const now = this.#deps.clock.now() / 1000
    for (const [key, at] of this.#tokens) if (at <= now) this.#tokens.delete(key)
    for (const [key, at] of this.#families) if (at <= now) this.#families.delete(key)
    for (const [key, entry] of this.#subjects) if (entry.expiresAt <= now) this.#subjects.delete(key)
  }
}

function parseKey(key: string, prefix: string): Pick<FeedEntry, 'kind' | 'id'> | undefined {
  const match = /^revoked:(jti|fam|sub):(.+)$/.exec(key.slice(prefix.length))
  return match === null ? undefined : { kind: match[1] as FeedEntry['kind'], id: match[2]! }
}
