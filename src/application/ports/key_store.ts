import type { SigningKey } from '../../domain/signing_key.ts'

/**
 * Where the key ring's keys live. Every instance of a deployment sees the same store, and the
 * store alone makes them agree: at most one key per generation. A store that cannot answer
 * throws `service_unavailable`.
 */
export interface KeyStore {
  /** Every key held, in generation order, with its public JWK and sealed private key. */
  list(): Promise<readonly SigningKey[]>
  /**
   * Stores `key` unless a key of its generation or kid is there, atomically: true when this
   * call stored it, false when another (an instance racing this one) got there first.
   */
  add(key: SigningKey): Promise<boolean>
  /** Deletes the key `kid`; nothing when there is none. */
  remove(kid: string): Promise<void>
}

/** Injection token of {@linkcode KeyStore}. */
export const KeyStore = Symbol('KeyStore')
