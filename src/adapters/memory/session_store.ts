import type { Session, SessionStore, SessionUse } from '../../application/ports/session_store.ts'
import type { UserId } from '../../domain/user.ts'

/** Options of {@linkcode MemorySessionStore}. */
export interface MemorySessionStoreOptions {
  /** Writes between sweeps of expired entries: a sweep walks every entry. @default 100 */
  readonly sweepEvery?: number
}

/**
 * Login sessions in process memory: the embedded default and the contract suite's reference.
 * Expired entries are dropped every `sweepEvery` writes, so it stays bounded at no cost per login.
 */
export class MemorySessionStore implements SessionStore {
  readonly #sessions = new Map<string, Session>()
  readonly #sweepEvery: number
  #writes = 0

  constructor(options: MemorySessionStoreOptions = {}) {
    this.#sweepEvery = options.sweepEvery ?? 100
  }

  save(session: Session): Promise<void> {
    this.#sweep(session.lastUsedAt)
    this.#sessions.set(session.id, { ...session })
    return Promise.resolve()
  }

  touch(id: string, use: SessionUse): Promise<boolean> {
    this.#sweep(use.lastUsedAt)
    const session = this.#sessions.get(id)
    if (session !== undefined) this.#sessions.set(id, { ...session, ...use })
    return Promise.resolve(session !== undefined)
  }

  find(id: string, userId: UserId, now: Date): Promise<Session | undefined> {
    const session = this.#sessions.get(id)
    return Promise.resolve(session?.userId === userId && session.expiresAt > now ? session : undefined)
  }

  listByUser(userId: UserId, now: Date): Promise<readonly Session[]> {
    const mine = [...this.#sessions.values()].filter((session) => session.userId === userId && session.expiresAt > now)
    return Promise.resolve(mine.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()))
  }

  delete(userId: UserId, ids: readonly string[]): Promise<number> {
    let count = 0
    for (const id of ids) {
      if (this.#sessions.get(id)?.userId === userId && this.#sessions.delete(id)) count++
    }
    return Promise.resolve(count)
  }

  /** How many sessions are held, expired ones not yet swept included. */
  get size(): number {
    return this.#sessions.size
  }

  deleteByUser(userId: UserId): Promise<number> {
    const mine = [...this.#sessions.values()].filter((session) => session.userId === userId)
    return this.delete(userId, mine.map((session) => session.id))
  }

  #sweep(now: Date): void {
    if (++this.#writes % this.#sweepEvery !== 0) return
    for (const [id, session] of this.#sessions) if (session.expiresAt <= now) this.#sessions.delete(id)
  }
}
