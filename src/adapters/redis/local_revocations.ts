import type { RevocationQuery } from '../../application/ports/revocation_store.ts'
import { FingerprintSet, type FingerprintTables } from '../memory/fingerprint_set.ts'

/** One revocation as published on the feed (and read back by a resync). */
export interface FeedEntry {
  readonly kind: 'jti' | 'fam' | 'sub'
  readonly id: string
  /** For `sub`: tokens issued at or before this time are revoked; else 0. */
  readonly value: number
  /** Seconds since the epoch. */
  readonly expiresAt: number
}

/** Everything a {@linkcode LocalRevocations} holds, to move it to another thread. */
export interface RevocationsSnapshot {
  readonly tokens: FingerprintTables
  readonly families: FingerprintTables
  readonly subjects: readonly FeedEntry[]
  readonly epoch: number | undefined
}

/**
 * What the copy says of a token: `revoked` and `clear` are certain; `confirm` means a
 * fingerprint of its id or family is held, which a revoked one has but another id may share
 * (one in about 2^64), so the store of record must say.
 */
export type LocalAnswer = 'clear' | 'revoked' | 'confirm'

/**
 * The near-cache's copy of the blocklist, bounded in memory: token and family ids as 64-bit
 * fingerprints with their expiry (16 to 32 bytes an entry, where a Map of the ids took about
 * a kilobyte), so a good token is answered from memory and a revoked one confirmed in Redis;
 * subject entries (every token of a user issued up to a time) are few and kept exact, as is
 * the epoch. Entries are only ever added: nothing a resync misses is forgotten before it expires.
 */
export class LocalRevocations {
  readonly #tokens = new FingerprintSet()
  readonly #families = new FingerprintSet()
  readonly #subjects = new Map<string, { issuedUpTo: number; expiresAt: number }>()
  #epoch: number | undefined

  /** Entries held (expired ones not yet swept included). */
  get size(): number {
    return this.#tokens.size + this.#families.size + this.#subjects.size
  }

  /** Bytes the fingerprint tables take (subjects aside). */
  get bytes(): number {
    return this.#tokens.bytes + this.#families.bytes
  }

  /** Adds one revocation; never shortens one held. */
  apply(entry: FeedEntry): void {
    if (entry.kind === 'sub') {
      const before = this.#subjects.get(entry.id)
      this.#subjects.set(entry.id, {
        issuedUpTo: Math.max(entry.value, before?.issuedUpTo ?? 0),
        expiresAt: Math.max(entry.expiresAt, before?.expiresAt ?? 0),
      })
      return
    }
    ;(entry.kind === 'jti' ? this.#tokens : this.#families).add(entry.id, entry.expiresAt)
  }

  /** All it holds; the tables are its own (transferring their buffers empties this copy). */
  snapshot(): RevocationsSnapshot {
    return {
      tokens: this.#tokens.tables(),
      families: this.#families.tables(),
      subjects: [...this.#subjects].map(([id, entry]) =>
        ({ kind: 'sub', id, value: entry.issuedUpTo, expiresAt: entry.expiresAt }) as const
      ),
      epoch: this.#epoch,
    }
  }

  /** Adds all that `snapshot` holds (another copy's {@linkcode snapshot}); never shortens one held. */
  absorb(snapshot: RevocationsSnapshot): void {
    this.#tokens.absorb(snapshot.tokens)
    this.#families.absorb(snapshot.families)
    for (const entry of snapshot.subjects) this.apply(entry)
    if (snapshot.epoch !== undefined) this.raiseEpoch(snapshot.epoch)
  }

  /** Moves the epoch forward to `epoch` (seconds): tokens issued before it are refused. */
  raiseEpoch(epoch: number): void {
    this.#epoch = Math.max(this.#epoch ?? 0, epoch)
  }

  /** What the copy says of `query` at `now` (seconds). */
  check(query: RevocationQuery, now: number): LocalAnswer {
    if (this.#epoch === undefined || !(query.iat >= this.#epoch)) return 'revoked'
    const subject = this.#subjects.get(query.sub)
    if (subject !== undefined && subject.expiresAt > now && query.iat <= subject.issuedUpTo) return 'revoked'
    return this.#tokens.mayHold(query.jti, now) || this.#families.mayHold(query.fam, now) ? 'confirm' : 'clear'
  }

  /** Drops what expired by `now` (seconds). */
  sweep(now: number): void {
    this.#tokens.sweep(now)
    this.#families.sweep(now)
    for (const [key, entry] of this.#subjects) if (entry.expiresAt <= now) this.#subjects.delete(key)
  }
}
