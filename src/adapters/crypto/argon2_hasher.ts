import argon2 from 'argon2'
import type { PasswordHasher } from '../../application/ports/password_hasher.ts'
import { ConcurrencyLimit } from './concurrency_limit.ts'

/** argon2id cost parameters. */
export interface Argon2Params {
  /** Memory in KiB. @default 19456 (OWASP) */
  readonly memoryCost: number
  /** Passes over memory. @default 2 (OWASP) */
  readonly timeCost: number
  /** Lanes. @default 1 (OWASP) */
  readonly parallelism: number
}

/** The OWASP Password Storage Cheat Sheet's argon2id minimum. */
export const OWASP_ARGON2_PARAMS: Argon2Params = { memoryCost: 19456, timeCost: 2, parallelism: 1 }

/**
 * argon2id hashing with configurable parameters; hashes made with others are flagged for
 * re-hash. At most `concurrency` hashes run at once (each takes a core for its duration), so
 * a login storm leaves cores to the event loop and token checks stay fast.
 */
export class Argon2Hasher implements PasswordHasher {
  readonly #params: Argon2Params
  readonly #limit: ConcurrencyLimit

  /** `concurrency`: hashes at once. @default 4 (libuv's thread pool) */
  constructor(params: Argon2Params = OWASP_ARGON2_PARAMS, concurrency = 4) {
    this.#params = params
    this.#limit = new ConcurrencyLimit(concurrency)
  }

  hash(password: string): Promise<string> {
    return this.#limit.run(() => argon2.hash(password, { type: argon2.argon2id, ...this.#params }))
  }

  async verify(encoded: string, password: string): Promise<boolean> {
    try {
      return await this.#limit.run(() => argon2.verify(encoded, password))
    } catch {
      // A malformed or foreign hash matches nothing.
      return false
    }
  }

  needsRehash(encoded: string): boolean {
    try {
      return !encoded.startsWith('$argon2id$') || argon2.needsRehash(encoded, this.#params)
    } catch {
      return true
    }
  }
}
