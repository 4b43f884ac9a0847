import { Argon2Hasher, type Argon2Params } from '../../src/adapters/crypto/argon2_hasher.ts'
import type { PasswordHasher } from '../../src/application/ports/password_hasher.ts'

// The seam between the core tests and a hashing algorithm. On Node they run on argon2id, the
// production hasher; under Deno, deno.json maps this file to web_test_hasher.ts (PBKDF2 on
// WebCrypto), since argon2 is a native addon. Both files export the same names.

/** Argon2 parameters cheap enough for unit tests. */
export const CHEAP_ARGON2: Argon2Params = { memoryCost: 1024, timeCost: 1, parallelism: 1 }

/** Dearer parameters than {@linkcode CHEAP_ARGON2}: what a parameter upgrade looks like. */
const STRONGER_ARGON2: Argon2Params = { memoryCost: 2048, timeCost: 2, parallelism: 1 }

/** What every hash the test hashers make starts with. */
export const TEST_HASH_PREFIX = '$argon2id$'

/** A fragment that hashes made by {@linkcode createStrongerTestHasher} carry, and cheap ones lack. */
export const STRONGER_HASH_MARK = 'm=2048'

/** The hasher the core tests run with: argon2id with cheap parameters. */
export function createTestHasher(): PasswordHasher {
  return new Argon2Hasher(CHEAP_ARGON2)
}

/** A hasher of the same algorithm with dearer parameters, for re-hash tests. */
export function createStrongerTestHasher(): PasswordHasher {
  return new Argon2Hasher(STRONGER_ARGON2)
}
