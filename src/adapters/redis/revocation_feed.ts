import type { RedisClient, RedisClientOptions } from './redis_client.ts'
import type { Clock } from '../../application/ports/clock.ts'
import type { RevocationQuery } from '../../application/ports/revocation_store.ts'
import type { StoreHealth } from '../store_health.ts'
import { parseFeedMessage } from './feed_message.ts'
import { type FeedEntry, type LocalAnswer, LocalRevocations } from './local_revocations.ts'
import { scanRevocations } from './revocation_scan.ts'
import { RevocationSequence } from './revocation_sequence.ts'
import type { keyBuilder } from './revocation_store.ts'
import { type ScanInWorker, scanInWorker } from './scan_worker.ts'

/** Options of {@linkcode RevocationFeed}. */
export interface RevocationFeedDeps {
  /** A connection of its own: a subscribed connection can do nothing else. */
  readonly subscriber: RedisClient
  /** The shared client, for the resync and the heartbeat. */
  readonly client: RedisClient
  readonly clock: Clock
  readonly keys: ReturnType<typeof keyBuilder>
  /** The write sequence, shared with the instance's store (`RedisRevocationStore.sequence`). */
  readonly sequence: RevocationSequence
  readonly health: StoreHealth
  /** How often this instance publishes a heartbeat, in ms. @default 1000 */
  readonly heartbeatMs?: number
  /** The feed counts as live only if a message arrived within this many ms. @default 3000 */
  readonly staleAfterMs?: number
  /**
   * How to connect to this Redis from a worker thread, which then does the resync's reading:
   * the main thread's heap never holds its garbage. Unset: the resync reads on `client`.
   */
  readonly resyncWorker?: RedisClientOptions
  /**
   * With `resyncWorker`: a resync reads in the worker only when the revocation sequence (every
   * revocation ever written, so at least the entries there are to read) is this or more; under
   * it, on `client`, since the worker costs more memory than a small scan's garbage. @default 0
   */
  readonly resyncWorkerFrom?: number
}

// Publishes heartbeat `hb:<sequence>` on channel ARGV[1]; answers the sequence KEYS[1] and the
// epoch KEYS[2]. Keyed on the sequence, so in a Cluster it runs on the primary that runs every
// revocation: a subscriber hears heartbeats and revocations in the order they happened.
const HEARTBEAT_SCRIPT = `
local seq = redis.call('GET', KEYS[1]) or '0'
redis.call('PUBLISH', ARGV[1], 'hb:' .. seq)
return {seq, redis.call('GET', KEYS[2])}`

/**
 * The revocations of every instance, held in this one's memory: fed by Redis pub/sub (every
 * write publishes in the same script, with its sequence number) and filled by a full resync
 * whenever the subscription (re)starts or a message shows one was missed. Connection events
 * are not trusted for that: a Cluster replaces a dropped subscriber connection silently.
 * Instead every revocation and heartbeat carries the sequence; one that skips a number, or
 * carries none, starts a resync. It answers only while {@linkcode live}: resynced since the
 * last gap, wipe or rollback, and a message (at least the heartbeats) seen within
 * `staleAfterMs`. Otherwise callers ask Redis.
 */
export class RevocationFeed {
  readonly #deps: RevocationFeedDeps
  readonly #local = new LocalRevocations()
  #synced = false
  // The sequence's restore count when the last good resync began: a restore since voids it.
  #syncedAt = -1
  #lastMessage = 0
  // The last sequence number applied in order; `undefined` until a resync has read it.
  #seq: number | undefined
  // Messages heard before that read, replayed once it answers.
  #held: Array<{ readonly seq: number; readonly covers: number }> = []
  #stale = false
  #resyncing: Promise<void> | undefined
  #scanner: ScanInWorker | undefined
  #timer: ReturnType<typeof setInterval> | undefined
  #beats = 0
  #closed = false

  constructor(deps: RevocationFeedDeps) {
    this.#deps = deps
  }

  /** Whether the local copy may answer: resynced, no gap or loss since, and heard from recently. */
  get live(): boolean {
    return this.#current() && this.#deps.clock.now() - this.#lastMessage <= (this.#deps.staleAfterMs ?? 3000)
  }

  /** Subscribes and keeps subscribing: every (re)connection starts with a full resync. */
  start(): void {
    const { subscriber } = this.#deps
    subscriber.on('message', (_channel: string, message: string) => this.#onMessage(message))
    const down = () => {
      this.#synced = false
    }
    subscriber.on('close', down)
    subscriber.on('end', down)
    subscriber.on('error', down)
    subscriber.on('ready', () => this.#resync())
    if (subscriber.status === 'ready') this.#resync()
    this.#timer = setInterval(() => void this.#beat(), this.#deps.heartbeatMs ?? 1000)
    this.#timer.unref()
    void this.#beat()
  }

  /** Whether its resyncs read in a worker thread (`resyncWorker` was given), from a sequence of `resyncWorkerFrom`. */
  get resyncsInWorker(): boolean {
    return this.#deps.resyncWorker !== undefined
  }

  /** Entries the local copy holds, and the bytes its fingerprint tables take. */
  get held(): { readonly entries: number; readonly bytes: number } {
    return { entries: this.#local.size, bytes: this.#local.bytes }
  }

  /**
   * What the local copy says of the token: `confirm` (a fingerprint hit) must be asked of
   * Redis. Only meaningful while {@linkcode live}.
   */
  check(query: RevocationQuery): LocalAnswer {
    return this.#local.check(query, this.#deps.clock.now() / 1000)
  }

  /** Records a revocation this instance just wrote, before the feed echoes it back. */
  apply(entry: FeedEntry): void {
    this.#local.apply(entry)
  }

  /** Stops the heartbeat and the subscription. */
  close(): Promise<void> {
    this.#closed = true
    clearInterval(this.#timer)
    this.#scanner?.stop()
    this.#synced = false
    this.#deps.subscriber.disconnect()
    return Promise.resolve()
  }

  #current(): boolean {
    return this.#synced && this.#syncedAt === this.#deps.sequence.restores
  }

  #onMessage(message: string): void {
    const read = parseFeedMessage(message)
    if (read === undefined) return
    if (read.entry !== undefined) this.apply(read.entry)
    if (read.seq === undefined) {
      this.#resync() // cannot tell what else was missed
      return
    }
    this.#deps.sequence.saw(read.seq)
    // A revocation at n follows n - 1; a heartbeat at n follows n itself.
    const heard = { seq: read.seq, covers: read.entry === undefined ? read.seq : read.seq - 1 }
    if (this.#seq === undefined) {
      if (this.#held.length < 10_000) this.#held.push(heard)
      else this.#stale = true // too much to hold: the resync goes round again
      return
    }
    if (this.#follows(heard)) this.#lastMessage = this.#deps.clock.now()
  }

  /** Whether `heard` follows what was applied; a gap makes the copy stale and starts a resync. */
  #follows(heard: { readonly seq: number; readonly covers: number }): boolean {
    if (heard.covers > this.#seq!) {
      this.#resync()
      return false
    }
    this.#seq = Math.max(this.#seq!, heard.seq)
    return true
  }

  /** Stops answering and resyncs, once at a time; a request made meanwhile is another pass. */
  #resync(): void {
    this.#synced = false
    this.#stale = true
    if (this.#resyncing !== undefined || this.#closed) return
    this.#resyncing = this.#resyncUntilCurrent().finally(() => {
      this.#resyncing = undefined
    })
  }

  async #resyncUntilCurrent(): Promise<void> {
    // After a few passes that each found a new gap, the next heartbeat starts over.
    for (let pass = 0; pass < 3 && this.#stale && !this.#closed; pass++) {
      this.#stale = false
      try {
        await this.#resyncOnce()
      } catch (error) {
        this.#deps.health.failed('redis', error) // not live; the next heartbeat tries again
        return
      }
    }
  }

  /**
   * Subscribes, then reads the sequence, then every revocation key (SCAN, never on a request
   * path): whatever was written before the read is in the scan, whatever after is published
   * to a subscription that already exists, with numbers that follow the one read.
   */
  async #resyncOnce(): Promise<void> {
    const { client, keys, sequence, subscriber } = this.#deps
    const restores = sequence.restores
    this.#seq = undefined
    this.#held = []
    await subscriber.subscribe(keys.channel)
    const floor = sequence.highest
    const [seq, epoch] = await client.mget(keys.sequence, keys.epoch)
    const read = RevocationSequence.parse(seq)
    if (epoch === null || epoch === undefined || !sequence.observe(floor, read)) {
      await sequence.recover(epoch == null ? 'wipe' : 'rollback', floor, read)
      this.#stale = true // read again, after the restore
      return
    }
    this.#seq = read
    for (const heard of this.#held.splice(0)) this.#follows(heard)
    await this.#scan()
    this.#local.raiseEpoch(Number(epoch))
    this.#sweep()
    // A gap while scanning: the next pass starts over. Closed meanwhile: it must not answer again.
    if (this.#stale || this.#closed) return
    this.#syncedAt = restores
    this.#lastMessage = this.#deps.clock.now()
    this.#synced = true
  }

  async #scan(): Promise<void> {
    const { client, keys, resyncWorker, resyncWorkerFrom = 0 } = this.#deps
    if (resyncWorker === undefined || (this.#seq ?? 0) < resyncWorkerFrom) {
      return scanRevocations(client, keys.prefix, (entry) => this.apply(entry))
    }
    // In a worker: the scan's garbage (a string per key and reply) dies with the worker's heap.
    // Read on this thread, V8 13 (Node 24) kept ~50 MB of its pages pooled, resident, afterwards.
    this.#scanner = scanInWorker(resyncWorker, keys.prefix)
    try {
      this.#local.absorb(await this.#scanner.done)
    } finally {
      this.#scanner = undefined
    }
  }

  /**
   * Publishes a heartbeat (the other instances' proof that the feed still flows) and checks
   * Redis against what this instance saw: a missing epoch is a wipe, a lower sequence a rollback.
   */
  async #beat(): Promise<void> {
    const { client, keys, sequence, subscriber, health } = this.#deps
    try {
      const floor = sequence.highest
      const [seq, epoch] = await client.eval(HEARTBEAT_SCRIPT, 2, keys.sequence, keys.epoch, keys.channel) as [
        string,
        string | null,
      ]
      health.recovered('redis')
      const read = RevocationSequence.parse(seq)
      if (epoch === null) await sequence.recover('wipe', floor)
      else if (!sequence.observe(floor, read)) await sequence.recover('rollback', floor, read)
      else this.#local.raiseEpoch(Number(epoch))
      if (!this.#current() && this.#resyncing === undefined && subscriber.status === 'ready') this.#resync()
    } catch (error) {
      // Redis cannot answer: heartbeats stop arriving and the feed goes stale by itself.
      health.failed('redis', error)
    }
    if (++this.#beats % 30 === 0) this.#sweep()
  }

  #sweep(): void {
    this.#local.sweep(this.#deps.clock.now() / 1000)
  }
}
