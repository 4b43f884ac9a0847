import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import { CachedTokenVerifier } from '../../../src/adapters/crypto/cached_token_verifier.ts'
import type { TokenVerifier } from '../../../src/application/ports/token_verifier.ts'
import { AuthError } from '../../../src/domain/auth_error.ts'
import type { TokenClaims, TokenType } from '../../../src/domain/token_claims.ts'
import type { UserId } from '../../../src/domain/user.ts'
import { FakeClock } from '../../support/fake_clock.ts'

/** A verifier that accepts tokens named "ok-…" (expiring in 60 s) and counts its calls. */
class CountingVerifier implements TokenVerifier {
  calls = 0
  /** How far in the future `nbf` is (a token accepted within the leeway). */
  nbfAhead = 0
  readonly #clock: FakeClock
  constructor(clock: FakeClock) {
    this.#clock = clock
  }
  verify(token: string, type: TokenType): Promise<TokenClaims> {
    this.calls++
    if (!token.startsWith('ok-')) return Promise.reject(new AuthError('invalid_token', 'bad'))
    const now = Math.floor(this.#clock.now() / 1000)
    return Promise.resolve({
      sub: 'u' as UserId,
      jti: token,
      type,
      iat: now,
      nbf: now + this.nbfAhead,
      exp: now + 60,
      fresh: false,
      isAdmin: false,
      fam: 'f',
    })
  }
}

describe('CachedTokenVerifier', () => {
  let clock: FakeClock
  let inner: CountingVerifier
  let cached: CachedTokenVerifier
  beforeEach(() => {
    clock = new FakeClock(Date.UTC(2030, 0, 1))
    inner = new CountingVerifier(clock)
    cached = new CachedTokenVerifier({ inner, clock, maxEntries: 3 })
  })

  it('verifies a token once and answers the same claims from memory afterwards', async () => {
    const first = await cached.verify('ok-a', 'access')
    expect(await cached.verify('ok-a', 'access')).to.equal(first)
    expect(inner.calls).to.equal(1)
  })

  it('keys by token type too: an access token is not served as a refresh token', async () => {
    await cached.verify('ok-a', 'access')
    const asRefresh = await cached.verify('ok-a', 'refresh')
    expect(asRefresh.type).to.equal('refresh')
    expect(inner.calls).to.equal(2)
  })

  it("never serves an entry at or past the token's exp: the inner verifier decides again", async () => {
    await cached.verify('ok-a', 'access')
    clock.advance(60_000)
    await cached.verify('ok-a', 'access')
    expect(inner.calls).to.equal(2)
  })

  it('never caches a failure', async () => {
    for (let i = 0; i < 2; i++) {
      const error = await cached.verify('bad', 'access').then(() => undefined, (e: unknown) => e)
      expect(error).to.be.instanceOf(AuthError)
    }
    expect(inner.calls).to.equal(2)
    expect(cached.size).to.equal(0)
  })

  it('holds at most maxEntries, dropping the least recently used', async () => {
    for (const token of ['ok-1', 'ok-2', 'ok-3']) await cached.verify(token, 'access')
    await cached.verify('ok-1', 'access') // 1 is now the most recent; 2 the least
    await cached.verify('ok-4', 'access')
    expect(cached.size).to.equal(3)
    inner.calls = 0
    await cached.verify('ok-1', 'access')
    await cached.verify('ok-2', 'access')
    expect(inner.calls).to.equal(1) // only ok-2 had to be verified again
  })

  it("never serves an entry before the token's nbf: the inner verifier decides again", async () => {
    inner.nbfAhead = 5
    await cached.verify('ok-a', 'access')
    await cached.verify('ok-a', 'access')
    clock.advance(5000)
    await cached.verify('ok-a', 'access')
    await cached.verify('ok-a', 'access')
    expect(inner.calls).to.equal(2) // the second: before nbf; then served from memory
  })

  it('keeps the claims of each refresh token apart', async () => {
    await cached.verify('ok-a', 'refresh')
    expect((await cached.verify('ok-b', 'refresh')).jti).to.equal('ok-b')
  })

  it('holds one token at least, and refuses a bound below one', () => {
    expect(new CachedTokenVerifier({ inner, clock, maxEntries: 1 }).size).to.equal(0)
    for (const maxEntries of [0, Number.NaN]) {
      expect(() => new CachedTokenVerifier({ inner, clock, maxEntries }), String(maxEntries))
        .to.throw(RangeError, 'Cannot cache tokens: maxEntries must be at least 1')
    }
  })
})
