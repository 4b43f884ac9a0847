import type { Clock } from '../../application/ports/clock.ts'
import type {
  EarlierUse,
  RevocationQuery,
  RevocationStore,
  Rotation,
} from '../../application/ports/revocation_store.ts'

interface SubjectEntry {
  readonly issuedUpTo: number
  readonly expiresAt: number
}

interface RetiredEntry extends Rotation {
  readonly at: number
}

/** Options of {@linkcode MemoryRevocationStore}. */
export interface MemoryRevocationStoreDeps {
  readonly clock: Clock
  /**
   * Writes between two sweeps of expired entries.
   * @default 1024
   */
  readonly sweepEvery?: number
}

/**
 * The blocklist in process memory, for one instance (revocations are not shared). Entries
 * expire with the tokens they block: reads ignore expired ones and writes sweep now and then,
 * so memory stays bounded without a timer. Tokens issued before the store was made are
 * refused: a restart loses every revocation, and must not bring a revoked token back.
 */
export class MemoryRevocationStore implements RevocationStore {
  readonly #clock: Clock
  readonly #sweepEvery: number
  readonly #tokens = new Map<string, number>()
  readonly #families = new Map<string, number>()
  readonly #subjects = new Map<string, SubjectEntry>()
  readonly #retired = new Map<string, RetiredEntry>()
  readonly #epoch: number
  #writes = 0

  constructor(deps: MemoryRevocationStoreDeps) {
    this.#clock = deps.clock
    this.#sweepEvery = deps.sweepEvery ?? 1024
    this.#epoch = this.#seconds()
  }

  /** How many entries are held, expired ones not yet swept included. */
  get size(): number {
    return this.#tokens.size + this.#families.size + this.#subjects.size + this.#retired.size
  }

  revokeToken(jti: string, expiresAt: number): Promise<void> {
    this.#write(() => this.#tokens.set(jti, Math.max(expiresAt, this.#tokens.get(jti) ?? 0)))
    return Promise.resolve()
  }

  revokeFamily(fam: string, expiresAt: number): Promise<void> {
    this.#write(() => this.#families.set(fam, Math.max(expiresAt, this.#families.get(fam) ?? 0)))
    return Promise.resolve()
  }

  revokeSubject(sub: string, issuedUpTo: number, expiresAt: number): Promise<void> {
    const before = this.#subjects.get(sub)
    this.#write(() =>
      this.#subjects.set(sub, {
        issuedUpTo: Math.max(issuedUpTo, before?.issuedUpTo ?? 0),
        expiresAt: Math.max(expiresAt, before?.expiresAt ?? 0),
      })
    )
    return Promise.resolve()
  }

  retire(jti: string, rotation: Rotation): Promise<EarlierUse | undefined> {
    const now = this.#seconds()
    const before = this.#retired.get(jti)
    if (before !== undefined && before.expiresAt > now) {
      return Promise.resolve({ at: before.at, successor: before.successorUntil > now ? before.successor : undefined })
    }
    // Check and mark in one synchronous step: of two concurrent uses, exactly one is first.
    this.#write(() => this.#retired.set(jti, { ...rotation, at: now }))
    return Promise.resolve(undefined)
  }

  isRevoked(query: RevocationQuery): Promise<boolean> {
    const now = this.#seconds()
    const subject = this.#subjects.get(query.sub)
    const revoked = query.iat < this.#epoch ||
      (this.#tokens.get(query.jti) ?? 0) > now ||
      (this.#families.get(query.fam) ?? 0) > now ||
      (subject !== undefined && subject.expiresAt > now && query.iat <= subject.issuedUpTo)
    return Promise.resolve(revoked)
  }

  #write(apply: () => void): void {
    apply()
    if (++this.#writes % this.#sweepEvery === 0) this.#sweep()
  }

  #sweep(): void {
    const now = this.#seconds()
    for (const [key, expiresAt] of this.#tokens) if (expiresAt <= now) this.#tokens.delete(key)
    for (const [key, expiresAt] of this.#families) if (expiresAt <= now) this.#families.delete(key)
    for (const [key, entry] of this.#subjects) if (entry.expiresAt <= now) this.#subjects.delete(key)
    for (const [key, entry] of this.#retired) if (entry.expiresAt <= now) this.#retired.delete(key)
  }

  #seconds(): number {
    return this.#clock.now() / 1000
  }
}
