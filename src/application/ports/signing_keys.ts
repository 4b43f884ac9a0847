import type { KeyAlgorithm, KeySummary, PublicJwk } from '../../domain/signing_key.ts'

/** A key in use: `signing` signs (private or HMAC key), `verifying` verifies, with `alg` only. */
export interface ActiveKey {
  readonly kid: string
  readonly alg: KeyAlgorithm
  readonly signing: CryptoKey
  readonly verifying: CryptoKey
}

/** A key as the JWKS shows it. */
export interface PublishedKey {
  readonly kid: string
  readonly alg: KeyAlgorithm
  readonly publicJwk: PublicJwk
}

/**
 * The keys tokens are signed and verified with, held in memory: answering never waits on a
 * store, so no request does I/O for a key and no token can make hexauth fetch one.
 */
export interface SigningKeys {
  /** The key new tokens are signed with; throws `service_unavailable` while none is held. */
  current(): ActiveKey
  /**
   * The key that verifies a token whose header names `kid` (`undefined`: a token without one),
   * or `undefined` when no key held has that id. Throws `service_unavailable` while none is held.
   */
  find(kid: string | undefined): ActiveKey | undefined
  /** The public keys to publish in the JWKS: none for a shared secret. */
  published(): readonly PublishedKey[]
  /** Every key held and its state, for operators. */
  describe(): readonly KeySummary[]
}

/** Injection token of {@linkcode SigningKeys}. */
export const SigningKeys = Symbol('SigningKeys')
