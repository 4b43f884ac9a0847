/** One-way password hashing. Implementations are slow on purpose. */
export interface PasswordHasher {
  /** An encoded hash (parameters and salt included). */
  hash(password: string): Promise<string>
  /** Whether `password` matches `encoded`; false, never a throw, for a malformed hash. */
  verify(encoded: string, password: string): Promise<boolean>
  /** Whether `encoded` was made with other parameters than the configured ones. */
  needsRehash(encoded: string): boolean
}

/** Injection token of {@linkcode PasswordHasher}. */
export const PasswordHasher = Symbol('PasswordHasher')
