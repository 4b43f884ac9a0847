import type { AsymmetricAlgorithm, PublicJwk, SigningKey } from '../../domain/signing_key.ts'

/** A key pair just generated: its id, its public JWK and its sealed private key. */
export interface NewKey {
  /** The RFC 7638 thumbprint of the public key. */
  readonly kid: string
  readonly alg: AsymmetricAlgorithm
  readonly publicJwk: PublicJwk
  /** The private key, encrypted for storage; bound to `kid` and `alg`. */
  readonly sealed: string
}

/** A stored key, ready for use: the private key signs, the public one verifies. */
export interface OpenedKey {
  readonly privateKey: CryptoKey
  readonly publicKey: CryptoKey
}

/**
 * Makes key pairs and opens stored ones. Private keys leave it sealed only (encrypted at
 * rest); signing, storage and time are other ports' business.
 */
export interface KeyMaker {
  /** A new key pair for `alg`. */
  generate(alg: AsymmetricAlgorithm): Promise<NewKey>
  /**
   * The usable keys of a stored one. Throws a `RangeError` when its private key cannot be
   * unsealed (another encryption secret, or sealed for another record): never a new key.
   */
  open(key: SigningKey): Promise<OpenedKey>
}

/** Injection token of {@linkcode KeyMaker}. */
export const KeyMaker = Symbol('KeyMaker')
