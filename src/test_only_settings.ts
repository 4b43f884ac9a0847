/**
 * Settings for tests only, shared by the test kit (`hexauth/testing`) and the testcontainers
 * module (`hexauth/testcontainers`). Weak on purpose: never deploy them.
 * @module
 */

/**
 * argon2id parameters for tests only: 1 MiB, one pass, one lane. A hash costs well under a
 * millisecond instead of ~25 ms, and protects nothing: never use them for real passwords.
 */
export const TEST_ONLY_ARGON2_ENV: Readonly<Record<string, string>> = Object.freeze({
  ARGON2_MEMORY_KIB: '1024',
  ARGON2_TIME_COST: '1',
  ARGON2_PARALLELISM: '1',
})
