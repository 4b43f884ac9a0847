import type {
  EarlierUse,
  RevocationCheckOptions,
  RevocationQuery,
  RevocationStore,
  Rotation,
} from '../../application/ports/revocation_store.ts'
import type { RevocationFeed } from './revocation_feed.ts'
import type { RedisRevocationStore } from './revocation_store.ts'

/** Dependencies of {@linkcode NearCachedRevocationStore}. */
export interface NearCachedRevocationStoreDeps {
  readonly redis: RedisRevocationStore
  readonly feed: RevocationFeed
}

/**
 * The Redis blocklist with an in-memory copy in front (`REVOCATION_CACHE`, on by default with
 * Redis): checks are answered from memory while the feed is live, with no round trip for a
 * good token (a revoked one is confirmed in Redis: the copy holds fingerprints); whenever it is not
 * (starting, reconnecting, stale heartbeat, a skipped sequence number, wiped or rolled-back
 * Redis, a Redis too old to use) they go to Redis, never to trust. Writes go to Redis (which
 * publishes them to every instance) and into this copy at once, even when Redis failed them.
 */
export class NearCachedRevocationStore implements RevocationStore {
  readonly #redis: RedisRevocationStore
  readonly #feed: RevocationFeed

  constructor(deps: NearCachedRevocationStoreDeps) {
    this.#redis = deps.redis
    this.#feed = deps.feed
  }

  async revokeToken(jti: string, expiresAt: number): Promise<void> {
    try {
      await this.#redis.revokeToken(jti, expiresAt)
    } finally {
      this.#feed.apply({ kind: 'jti', id: jti, value: 0, expiresAt })
    }
  }

  async revokeFamily(fam: string, expiresAt: number): Promise<void> {
    try {
      await this.#redis.revokeFamily(fam, expiresAt)
    } finally {
      this.#feed.apply({ kind: 'fam', id: fam, value: 0, expiresAt })
    }
  }

  async revokeSubject(sub: string, issuedUpTo: number, expiresAt: number): Promise<void> {
    try {
      await this.#redis.revokeSubject(sub, issuedUpTo, expiresAt)
    } finally {
      this.#feed.apply({ kind: 'sub', id: sub, value: issuedUpTo, expiresAt })
    }
  }

  retire(jti: string, rotation: Rotation): Promise<EarlierUse | undefined> {
    return this.#redis.retire(jti, rotation)
  }

  isRevoked(query: RevocationQuery, options: RevocationCheckOptions = {}): Promise<boolean> {
    if (options.consistent === true || !this.#feed.live || !this.#redis.usable) return this.#redis.isRevoked(query)
    // Answer from memory, but in the event loop's next check phase: requests read together
    // then have their responses written together, as they would after a pipelined Redis
    // reply. Measured with wrk on 2 cores: 26.6k req/s, p99 3.5 ms, against 14.4k req/s,
    // p99 6.4 ms when each response is written while the loop is still reading requests.
    // A fingerprint hit (a revoked token, or one sharing a revoked one's fingerprint) is
    // confirmed in Redis: the copy keeps fingerprints, not ids, to stay small.
    return new Promise((resolve, reject) =>
      setImmediate(() => {
        const answer = this.#feed.check(query)
        if (answer === 'confirm') this.#redis.isRevoked(query).then(resolve, reject)
        else resolve(answer === 'revoked')
      })
    )
  }
}
