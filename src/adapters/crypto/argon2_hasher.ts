import argon2 from 'argon2'
import type { PasswordHasher } from '../../application/ports/password_hasher.ts'

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

/** argon2id hashing with configurable parameters; hashes made with others are flagged for re-hash. */
export class Argon2Hasher implements PasswordHasher {
  readonly #params: Argon2Params

  constructor(params: Argon2Params = OWASP_ARGON2_PARAMS) {
    this.#params = params
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id, ...this.#params })
  }

  async verify(encoded: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(encoded, password)
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
