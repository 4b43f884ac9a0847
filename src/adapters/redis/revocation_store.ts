import type { RedisClient } from './redis_client.ts'
import type { Clock } from '../../application/ports/clock.ts'
import type {
  EarlierUse,
  RevocationCheckOptions,
  RevocationQuery,
  RevocationStore,
  Rotation,
} from '../../application/ports/revocation_store.ts'
import { AuthError } from '../../domain/auth_error.ts'
import type { Logger } from '../logger.ts'
import type { StoreHealth } from '../store_health.ts'
import type { FeedEntry } from './local_revocations.ts'
import { RevocationSequence } from './revocation_sequence.ts'
import type { RedisServerCheck } from './server_check.ts'
import { withDeadline } from '../deadline.ts'

/** Dependencies of {@linkcode RedisRevocationStore}. */
export interface RedisRevocationStoreDeps {
  readonly client: RedisClient
  /**
   * A connection for revocation writes and their `WAIT`, which blocks the connection it runs
   * on: checks queued on the shared one never wait behind a slow replica. @default client
   */
  readonly writer?: RedisClient
  readonly clock: Clock
  /** Prepended to every key, so several services can share one Redis. @default "hexauth:" */
  readonly prefix: string
  readonly logger: Logger
  readonly health: StoreHealth
  /** The server's version and replicas; without one, neither is checked. @default undefined */
  readonly server?: RedisServerCheck
  /** How many replicas must acknowledge a revocation before it is answered. @default { replicas: 0 } */
  readonly wait?: WaitPolicy
  /**
   * Longest a request waits for Redis, from when it asks (the client's own timeout counts
   * from when a command is sent, which can be later). @default 1000
   */
  readonly commandTimeoutMs?: number
}

/** How many replicas must acknowledge a revocation write, and for how long to wait. */
export interface WaitPolicy {
  /** A number, or `auto`: one when the primary has a replica online, else none. */
  readonly replicas: 'auto' | number
  /** Longest wait for the acknowledgements, in ms (kept below the command timeout). @default 250 */
  readonly timeoutMs?: number
}

// Sets KEYS[1] to ARGV[1] (a time, or 0) unless it holds a later one, and makes it live until
// ARGV[2] unless it already lives longer: a revocation is never shortened or moved back. Then
// increments the revocation sequence KEYS[2] and publishes entry ARGV[4] (JSON) with it on
// channel ARGV[3], in the same atomic step, for the instances' near-caches; answers it.
const REVOKE_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if not current then
  redis.call('SET', KEYS[1], ARGV[1], 'EXAT', ARGV[2])
else
  if tonumber(ARGV[1]) > tonumber(current) then redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL') end
  redis.call('EXPIREAT', KEYS[1], ARGV[2], 'GT')
end
local seq = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[3], '{"seq":' .. seq .. ',' .. string.sub(ARGV[4], 2))
return seq`

// Marks refresh token KEYS[1] as used at ARGV[1] until ARGV[2] and keeps its successor ARGV[3]
// in KEYS[2] until ARGV[4], unless it was used before: then answers the first use's time and
// successor (nil once that expired). One atomic step: of concurrent uses exactly one is first.
const RETIRE_SCRIPT = `
local earlier = redis.call('GET', KEYS[1])
if earlier then return {earlier, redis.call('GET', KEYS[2])} end
redis.call('SET', KEYS[1], ARGV[1], 'EXAT', ARGV[2])
redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4])
return false`

/**
 * The blocklist in Redis, shared by every instance. Keys `revoked:jti:<jti>`,
 * `revoked:fam:<fam>` and `revoked:sub:<sub>` expire with what they block; one MGET per check.
 *
 * Lost writes never revive a token. An epoch marker guards against a wiped Redis (restarted
 * without persistence, flushed): when a check finds it gone, a new one is written and every
 * token issued before it is refused. A revocation sequence, read by the same MGET, guards
 * against a partial loss (an older snapshot, a lagging replica promoted): see
 * {@linkcode RevocationSequence}. With replicas, a revocation is answered only once one has
 * acknowledged it (`WAIT`), so a failover cannot lose it after the client was told it is done.
 */
export class RedisRevocationStore implements RevocationStore {
  readonly #deps: RedisRevocationStoreDeps
  readonly #keys: ReturnType<typeof keyBuilder>
  readonly #sequence: RevocationSequence

  constructor(deps: RedisRevocationStoreDeps) {
    this.#deps = deps
    this.#keys = keyBuilder(deps.prefix)
    this.#sequence = new RevocationSequence({
      client: deps.client,
      clock: deps.clock,
      logger: deps.logger,
      keys: this.#keys,
    })
  }

  /** The write sequence this store follows, shared with the instance's feed. */
  get sequence(): RevocationSequence {
    return this.#sequence
  }

  /** Whether Redis can serve hexauth at all: `false` while its version is older than 7.0. */
  get usable(): boolean {
    return this.#deps.server?.problem === undefined
  }

  revokeToken(jti: string, expiresAt: number): Promise<void> {
    return this.revoke({ kind: 'jti', id: jti, value: 0, expiresAt })
  }

  revokeFamily(fam: string, expiresAt: number): Promise<void> {
    return this.revoke({ kind: 'fam', id: fam, value: 0, expiresAt })
  }

  revokeSubject(sub: string, issuedUpTo: number, expiresAt: number): Promise<void> {
    return this.revoke({ kind: 'sub', id: sub, value: issuedUpTo, expiresAt })
  }

  async retire(jti: string, rotation: Rotation): Promise<EarlierUse | undefined> {
    const now = this.#deps.clock.now() / 1000
    // EXAT takes whole seconds in the future.
    const until = (at: number) => String(Math.max(Math.ceil(at), Math.ceil(now) + 1))
    // The successor lives for the grace window by Redis's own clock (EX, not EXAT): an instance
    // whose clock lags Redis's by more than the window would otherwise write it already expired,
    // and every second tab would count as a reuse.
    const keep = String(Math.max(1, Math.ceil(rotation.successorUntil - now)))
    const keys = this.#keys
    const earlier = await this.#call(() =>
      this.#deps.client.eval(
        RETIRE_SCRIPT,
        2,
        keys.retired(jti),
        keys.successor(jti),
        now.toFixed(3),
        until(rotation.expiresAt),
        rotation.successor,
        keep,
      )
    ) as unknown
    if (!Array.isArray(earlier)) return undefined
    const [at, successor] = earlier as [string, string | null | undefined]
    return { at: Number(at), successor: typeof successor === 'string' ? successor : undefined }
  }

  isRevoked(query: RevocationQuery, _options?: RevocationCheckOptions): Promise<boolean> {
    const keys = this.#keys
    const floor = this.#sequence.highest
    return this.#call(async () => {
      const [jti, fam, sub, epoch, seq] = await this.#deps.client.mget(
        keys.jti(query.jti),
        keys.fam(query.fam),
        keys.sub(query.sub),
        keys.epoch,
        keys.sequence,
      )
      if (epoch === null || epoch === undefined) {
        await this.#sequence.recover('wipe', floor)
        return true
      }
      const seen = RevocationSequence.parse(seq)
      if (!this.#sequence.observe(floor, seen)) {
        // Redis lost writes this instance saw: the epoch moves to now, past this token.
        await this.#sequence.recover('rollback', floor, seen)
        return true
      }
      // Written this way, an epoch that is not a number refuses the token rather than letting it by.
      return jti !== null || fam !== null || (sub != null && query.iat <= Number(sub)) || !(query.iat >= Number(epoch))
    })
  }

  /** Writes the epoch marker if it is missing: at start-up; tokens issued before it are refused. */
  async ensureEpoch(): Promise<void> {
    const now = (this.#deps.clock.now() / 1000).toFixed(3)
    await this.#call(() => this.#deps.client.set(this.#keys.epoch, now, 'NX'))
  }

  /**
   * Writes one revocation and publishes it on the feed, atomically, with the next sequence
   * number; then waits for replicas as {@linkcode WaitPolicy} says. Too few acknowledgements
   * is `service_unavailable`: the write stays on the primary, and the client tries again.
   */
  async revoke(entry: FeedEntry): Promise<void> {
    const at = Math.ceil(entry.expiresAt)
    if (at <= this.#deps.clock.now() / 1000) return // already expired: nothing to block
    const keys = this.#keys
    const message = JSON.stringify({ ...entry, expiresAt: at })
    const floor = this.#sequence.highest
    const replicas = this.#replicasToWait()
    await this.#call(async () => {
      const [seq, acknowledged] = await this.#write(replicas, [
        REVOKE_SCRIPT,
        2,
        keys[entry.kind](entry.id),
        keys.sequence,
        entry.value.toFixed(3),
        at,
        keys.channel,
        message,
      ])
      if (!this.#sequence.observe(floor, seq - 1)) await this.#sequence.recover('rollback', floor, seq - 1)
      this.#sequence.saw(seq)
      if (acknowledged < replicas) {
        throw new Error(
          `Cannot confirm a revocation: ${acknowledged} of ${replicas} Redis replicas acknowledged it in time`,
        )
      }
    }, 'Cannot record the revocation: Redis is unavailable, or no replica acknowledged it in time')
  }

  /** Runs the revoke script, then `WAIT`s for `replicas`: answers its result and the acknowledgements. */
  async #write(replicas: number, script: readonly [string, number, ...(string | number)[]]): Promise<[number, number]> {
    const writer = this.#deps.writer ?? this.#deps.client
    if (replicas === 0) return [Number(await writer.eval(...script)), 0]
    // One pipeline: the WAIT follows the write on its connection, to the keys' primary.
    const replies = await writer.pipeline().eval(...script).wait(replicas, this.#deps.wait?.timeoutMs ?? 250).exec()
    for (const [error] of replies ?? []) if (error !== null) throw error
    return [Number(replies?.[0]?.[1]), Number(replies?.[1]?.[1])]
  }

  #replicasToWait(): number {
    const wanted = this.#deps.wait?.replicas ?? 0
    if (wanted !== 'auto') return wanted
    return (this.#deps.server?.replicas ?? 0) > 0 ? 1 : 0
  }

  /** Runs Redis commands: any failure is `service_unavailable`, reported to the store health. */
  async #call<T>(command: () => Promise<T>, failure = 'Cannot check revocations: Redis is unavailable'): Promise<T> {
    const { health, server } = this.#deps
    try {
      if (server?.problem !== undefined) throw server.problem
      const result = await withDeadline(
        command(),
        this.#deps.commandTimeoutMs ?? 1000,
        () => new Error('Command timed out'),
      )
      health.recovered('redis')
      return result
    } catch (error) {
      health.failed('redis', error)
      throw new AuthError('service_unavailable', failure, { cause: error })
    }
  }
}

/** The one place Redis key names are made. */
export function keyBuilder(prefix: string) {
  return {
    prefix,
    /** The pub/sub channel every revocation is published on. */
    channel: `${prefix}revocations`,
    jti: (jti: string) => `${prefix}revoked:jti:${jti}`,
    fam: (fam: string) => `${prefix}revoked:fam:${fam}`,
    sub: (sub: string) => `${prefix}revoked:sub:${sub}`,
    retired: (jti: string) => `${prefix}retired:jti:${jti}`,
    /** What a refresh token's first use answered, kept for the reuse grace window. */
    successor: (jti: string) => `${prefix}successor:jti:${jti}`,
    epoch: `${prefix}revoked:epoch`,
    /** The revocation sequence: incremented by every revocation, carried by every feed message. */
    sequence: `${prefix}revoked:seq`,
  }
}
