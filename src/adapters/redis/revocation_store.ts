import type { RedisClient } from './redis_client.ts'
import type { Clock } from '../../application/ports/clock.ts'
import type { EarlierUse, RevocationCheckOptions, RevocationQuery, RevocationStore, Rotation } from '../../application/ports/revocation_store.ts'
import { AuthError } from '../../domain/auth_error.ts'
import type { FeedEntry } from './revocation_feed.ts'

/** Dependencies of {@linkcode RedisRevocationStore}. */
export interface RedisRevocationStoreDeps {
  readonly client: RedisClient
  readonly clock: Clock
  /** Prepended to every key, so several services can share one Redis. @default "hexauth:" */
  readonly prefix: string
}

// Sets KEYS[1] to ARGV[1] (a time, or 0) unless it holds a later one, and makes it live until
// ARGV[2] unless it already lives longer: a revocation is never shortened or moved back. Then
// publishes ARGV[4] on channel ARGV[3] in the same atomic step, for the instances' near-caches.
const REVOKE_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if not current then
  redis.call('SET', KEYS[1], ARGV[1], 'EXAT', ARGV[2])
else
  if tonumber(ARGV[1]) > tonumber(current) then redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL') end
  redis.call('EXPIREAT', KEYS[1], ARGV[2], 'GT')
end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1`

// Marks refresh token KEYS[1] as used at ARGV[1] until ARGV[2] and keeps its successor ARGV[3]
// in KEYS[2] until ARGV[4], unless it was used before: then answers the first use's time and
// successor (nil once that expired). One atomic step: of concurrent uses exactly one is first.
const RETIRE_SCRIPT = `
local earlier = redis.call('GET', KEYS[1])
if earlier then return {earlier, redis.call('GET', KEYS[2])} end
redis.call('SET', KEYS[1], ARGV[1], 'EXAT', ARGV[2])
redis.call('SET', KEYS[2], ARGV[3], 'EXAT', ARGV[4])
return false`

/**
 * The blocklist in Redis, shared by every instance. Keys `revoked:jti:<jti>`,
 * `revoked:fam:<fam>` and `revoked:sub:<sub>` expire with what they block; one MGET per check.
 *
 * An epoch marker guards against a wiped Redis (restarted without persistence, failed over,
 * flushed): when a check finds it gone, a new one is written and every token issued before it
 * is refused, so a lost revocation can never bring a token back.
 */
export class RedisRevocationStore implements RevocationStore {
  readonly #client: RedisClient
  readonly #clock: Clock
  readonly #keys: ReturnType<typeof keyBuilder>

  constructor(deps: RedisRevocationStoreDeps) {
    this.#client = deps.client
    this.#clock = deps.clock
    this.#keys = keyBuilder(deps.prefix)
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
    const now = this.#clock.now() / 1000
    // EXAT takes whole seconds in the future.
    const until = (at: number) => String(Math.max(Math.ceil(at), Math.ceil(now) + 1))
    const keys = this.#keys
    const earlier = await this.#call(() => this.#client.eval(RETIRE_SCRIPT, 2, keys.retired(jti), keys.successor(jti),
      now.toFixed(3), until(rotation.expiresAt), rotation.successor, until(rotation.successorUntil))) as unknown
    if (!Array.isArray(earlier)) return undefined
    const [at, successor] = earlier as [string, string | null | undefined]
    return { at: Number(at), successor: typeof successor === 'string' ? successor : undefined }
  }

  async isRevoked(query: RevocationQuery, _options?: RevocationCheckOptions): Promise<boolean> {
    const keys = this.#keys
    const [jti, fam, sub, epoch] = await this.#call(() =>
      this.#client.mget(keys.jti(query.jti), keys.fam(query.fam), keys.sub(query.sub), keys.epoch))
    if (epoch === null || epoch === undefined) {
      await this.#startEpoch()
      return true
    }
    return jti !== null || fam !== null || (sub != null && query.iat <= Number(sub)) || query.iat < Number(epoch)
  }

  /** Writes the epoch marker unless one exists: called at start-up and after a wipe. */
  async #startEpoch(): Promise<void> {
    const now = (this.#clock.now() / 1000).toFixed(3)
    await this.#call(() => this.#client.set(this.#keys.epoch, now, 'NX'))
  }

  /** Writes the epoch marker if it is missing; tokens issued before it are refused. */
  ensureEpoch(): Promise<void> {
    return this.#startEpoch()
  }

  /** Writes one revocation and publishes it on the feed, atomically. */
  async revoke(entry: FeedEntry): Promise<void> {
    const at = Math.ceil(entry.expiresAt)
    if (at <= this.#clock.now() / 1000) return // already expired: nothing to block
    const message = JSON.stringify({ ...entry, expiresAt: at })
    const key = this.#keys[entry.kind](entry.id)
    await this.#call(() => this.#client.eval(REVOKE_SCRIPT, 1, key, entry.value.toFixed(3), at, this.#keys.channel, message))
  }

  async #call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command()
    } catch (error) {
      throw new AuthError('service_unavailable', 'Cannot check revocations: Redis is unavailable', { cause: error })
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
  }
}
