import type { Clock } from '../../application/ports/clock.ts'
import type { TokenVerifier } from '../../application/ports/token_verifier.ts'
import type { TokenClaims, TokenType } from '../../domain/token_claims.ts'

/** Dependencies of {@linkcode CachedTokenVerifier}. */
export interface CachedTokenVerifierDeps {
  readonly inner: TokenVerifier
  readonly clock: Clock
  /** Most tokens remembered; the least recently used goes first. @default 10000 */
  readonly maxEntries: number
}

/**
 * Remembers tokens the inner verifier accepted, keyed by the exact token string and type, so
 * a token seen again skips the signature check (jose's WebCrypto HMAC is the costliest step
 * of a protected request). An entry is never used at or past its token's `exp` or before its
 * `nbf`; failures are never cached; revocation is not this adapter's business and is still
 * checked on every request by CheckClaims.
 */
export class CachedTokenVerifier implements TokenVerifier {
  readonly #inner: TokenVerifier
  readonly #clock: Clock
  readonly #max: number
  // Map keeps insertion order: re-inserting on a hit makes the first key the least recent.
  readonly #entries = new Map<string, TokenClaims>()

  constructor(deps: CachedTokenVerifierDeps) {
    if (!(deps.maxEntries >= 1)) throw new RangeError('Cannot cache tokens: maxEntries must be at least 1')
    this.#inner = deps.inner
    this.#clock = deps.clock
    this.#max = deps.maxEntries
  }

  /** How many tokens are remembered. */
  get size(): number {
    return this.#entries.size
  }

  async verify(token: string, type: TokenType): Promise<TokenClaims> {
    const key = type === 'access' ? token : `r:${token}`
    const cached = this.#entries.get(key)
    const now = this.#clock.now() / 1000
    if (cached !== undefined) {
      this.#entries.delete(key)
      if (now < cached.exp && now >= cached.nbf) {
        this.#entries.set(key, cached)
        return cached
      }
    }
    const claims = await this.#inner.verify(token, type)
    this.#entries.set(key, claims)
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!)
    return claims
  }
}
