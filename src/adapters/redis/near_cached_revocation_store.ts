import type { RevocationQuery, RevocationStore } from '../../application/ports/revocation_store.ts'
import type { RevocationFeed } from './revocation_feed.ts'
import type { RedisRevocationStore } from './revocation_store.ts'

/** Dependencies of {@linkcode NearCachedRevocationStore}. */
export interface NearCachedRevocationStoreDeps {
  readonly redis: RedisRevocationStore
  readonly feed: RevocationFeed
}

/**
 * The Redis blocklist with an in-memory copy in front (`REVOCATION_CACHE=on`): checks are
 * answered from memory while the feed is live, with no round trip; whenever it is not
 * (starting, reconnecting, stale heartbeat, wiped Redis) they go to Redis, never to trust.
 * Writes go to Redis (which publishes them to every instance) and into this copy at once.
 */
export class NearCachedRevocationStore implements RevocationStore {
  readonly #redis: RedisRevocationStore
  readonly #feed: RevocationFeed

  constructor(deps: NearCachedRevocationStoreDeps) {
    this.#redis = deps.redis
    this.#feed = deps.feed
  }

  async revokeToken(jti: string, expiresAt: number): Promise<void> {
    await this.#redis.revokeToken(jti, expiresAt)
    this.#feed.apply({ kind: 'jti', id: jti, value: 0, expiresAt })
  }

  async revokeFamily(fam: string, expiresAt: number): Promise<void> {
    await this.#redis.revokeFamily(fam, expiresAt)
    this.#feed.apply({ kind: 'fam', id: fam, value: 0, expiresAt })
  }

  async revokeSubject(sub: string, issuedUpTo: number, expiresAt: number): Promise<void> {
    await this.#redis.revokeSubject(sub, issuedUpTo, expiresAt)
    this.#feed.apply({ kind: 'sub', id: sub, value: issuedUpTo, expiresAt })
  }

  retire(jti: string, expiresAt: number): Promise<number | undefined> {
    return this.#redis.retire(jti, expiresAt)
  }

  isRevoked(query: RevocationQuery): Promise<boolean> {
    return this.#feed.live ? Promise.resolve(this.#feed.isRevoked(query)) : this.#redis.isRevoked(query)
  }
}
