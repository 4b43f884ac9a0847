import { base64url, calculateJwkThumbprint } from 'jose'
import type { ActiveKey, PublishedKey, SigningKeys } from '../../application/ports/signing_keys.ts'
import type { KeySummary } from '../../domain/signing_key.ts'
import { importHmacKey } from './jwt_settings.ts'

/**
 * HS256 with one shared secret (`JWT_SECRET`), for deployments that set only that: every
 * verifier needs the secret, and whoever holds it can mint tokens. Its kid is the first 16
 * characters of the secret's RFC 7638 thumbprint (a hash: it tells nothing of the secret).
 * Nothing is published. Tokens without a kid, issued before kids were, are still accepted
 * for this secret, so an upgrade logs nobody out.
 */
export class HmacSigningKeys implements SigningKeys {
  readonly #active: ActiveKey
  readonly #since: number

  private constructor(active: ActiveKey, since: number) {
    this.#active = active
    this.#since = since
  }

  /** The keys of `secret` (at least 32 bytes), in use `since` (ms since the epoch). */
  static async create(secret: Uint8Array<ArrayBuffer>, since: number): Promise<HmacSigningKeys> {
    const key = await importHmacKey(secret)
    const kid = (await calculateJwkThumbprint({ kty: 'oct', k: base64url.encode(secret) }, 'sha256')).slice(0, 16)
    return new HmacSigningKeys({ kid, alg: 'HS256', signing: key, verifying: key }, since)
  }

  current(): ActiveKey {
    return this.#active
  }

  find(kid: string | undefined): ActiveKey | undefined {
    return kid === undefined || kid === this.#active.kid ? this.#active : undefined
  }

  published(): readonly PublishedKey[] {
    return []
  }

  describe(): readonly KeySummary[] {
    const { kid, alg } = this.#active
    return [{
      kid,
      alg,
      generation: 1,
      state: 'signing',
      publishedAt: this.#since,
      signsFrom: this.#since,
      signsUntil: undefined,
      removeAt: undefined,
    }]
  }
}
