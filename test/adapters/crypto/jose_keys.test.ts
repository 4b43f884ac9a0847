import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { base64url, decodeJwt, decodeProtectedHeader, importJWK, type JWK, SignJWT } from 'jose'
import { HmacSigningKeys } from '../../../src/adapters/crypto/hmac_signing_keys.ts'
import { JoseKeyMaker } from '../../../src/adapters/crypto/jose_key_maker.ts'
import { JoseTokenIssuer } from '../../../src/adapters/crypto/jose_token_issuer.ts'
import { JoseTokenVerifier } from '../../../src/adapters/crypto/jose_token_verifier.ts'
import type { JwtSettings } from '../../../src/adapters/crypto/jwt_settings.ts'
import { FileKeyStore } from '../../../src/adapters/file/key_store.ts'
import { KeyRing } from '../../../src/application/key_ring.ts'
import { type AuthErrorCode, isAuthError } from '../../../src/domain/auth_error.ts'
import type { TokenClaims, TokenType } from '../../../src/domain/token_claims.ts'
import type { UserId } from '../../../src/domain/user.ts'
import { FakeClock } from '../../support/fake_clock.ts'
import { privateJwk, SwitchableKeyStore } from '../../support/key_stores.ts'

const POLICY = { rotationMs: 86_400_000, prepublishMs: 3_600_000, retentionMs: 86_400_000 }

describe('JoseTokenIssuer and JoseTokenVerifier with key pairs', () => {
  const clock = new FakeClock()
  const dir = mkdtempSync(join(tmpdir(), 'hexauth-jose-keys-'))
  // One ring holding a key of each algorithm: ES256 signs, EdDSA and RS256 verify.
  const jwks: Record<string, JWK> = {}
  let settings: JwtSettings
  let issuer: JoseTokenIssuer
  let verifier: JoseTokenVerifier
  const now = () => clock.now() / 1000

  const claims = (type: TokenType = 'access'): TokenClaims => ({
    sub: 'user-1' as UserId,
    jti: crypto.randomUUID(),
    type,
    iat: now(),
    nbf: Math.floor(now()),
    exp: Math.floor(now()) + 900,
    fresh: false,
    isAdmin: false,
    fam: 'fam-1',
    ...type === 'access' ? { preferredUsername: 'alice' } : {},
  })
  const payload = () => ({
    sub: 'user-1',
    jti: crypto.randomUUID(),
    type: 'access',
    iat: Math.floor(now()),
    nbf: Math.floor(now()),
    exp: Math.floor(now()) + 900,
    fresh: false,
    is_admin: false,
    fam: 'fam-1',
    iss: 'hexauth',
    aud: 'hexauth',
  })
  /** Signs `body` with the private key of `alg`'s key, under any header. */
  const forge = async (alg: string, header: Record<string, unknown>, body: Record<string, unknown> = payload()) =>
    new SignJWT(body).setProtectedHeader({ alg, typ: 'at+jwt', ...header } as never).sign(
      await importJWK(jwks[alg]!, alg),
    )

  async function expectCode(
    token: string,
    code: AuthErrorCode = 'invalid_token',
    type: TokenType = 'access',
  ): Promise<string> {
    const error = await verifier.verify(token, type).then(() => undefined, (e: unknown) => e)
    expect(isAuthError(error, code), `expected ${code}, got ${String(error)}`).to.equal(true)
    return (error as Error).message
  }

  before(async () => {
    for (const alg of ['ES256', 'EdDSA', 'RS256'] as const) jwks[alg] = await privateJwk(alg, `kid-${alg}`)
    const path = join(dir, 'keys.json')
    writeFileSync(path, JSON.stringify({ keys: [jwks.ES256, jwks.EdDSA, jwks.RS256] }))
    const maker = new JoseKeyMaker({ secret: undefined })
    const keys = new KeyRing({
      store: new FileKeyStore({ path, maker, clock }),
      maker,
      clock,
      policy: POLICY,
      algorithm: 'ES256',
      managed: false,
    })
    await keys.refresh()
    settings = { keys, issuer: 'hexauth', audience: 'hexauth', leewaySeconds: 0, clock }
    issuer = new JoseTokenIssuer(settings)
    verifier = new JoseTokenVerifier(settings)
  })

  after(() => rmSync(dir, { recursive: true, force: true }))

  it("writes exactly alg, typ and the signing key's kid in the header", async () => {
    expect(decodeProtectedHeader(await issuer.sign(claims()))).to.deep.equal({
      alg: 'ES256',
      typ: 'at+jwt',
      kid: 'kid-ES256',
    })
    expect(decodeProtectedHeader(await issuer.sign(claims('refresh')))).to.deep.equal({
      alg: 'ES256',
      typ: 'refresh+jwt',
      kid: 'kid-ES256',
    })
  })

  it('round-trips every claim, preferred_username of access tokens included', async () => {
    for (const type of ['access', 'refresh'] as const) {
      const original = claims(type)
      expect(await verifier.verify(await issuer.sign(original), type)).to.deep.equal(original)
    }
  })

  it('writes iat in whole seconds, the exact time in iat_ms, and reads the exact time back', async () => {
    const original = { ...claims(), iat: 1_900_000_000.123 }
    const token = await issuer.sign(original)
    expect(decodeJwt(token)).to.include({ iat: 1_900_000_000, iat_ms: 1_900_000_000_123 })
    expect((await verifier.verify(token, 'access')).iat).to.equal(1_900_000_000.123)
  })

  it('reads the fractional iat of a token issued before iat_ms, and refuses an iat_ms that disagrees with iat', async () => {
    const iat = Math.floor(now()) + 0.25
    expect((await verifier.verify(await forge('ES256', { kid: 'kid-ES256' }, { ...payload(), iat }), 'access')).iat).to
      .equal(iat)
    for (const iatMs of [(Math.floor(now()) + 1) * 1000, 'now', 1.5]) {
      await expectCode(await forge('ES256', { kid: 'kid-ES256' }, { ...payload(), iat_ms: iatMs }))
    }
  })

  for (const alg of ['ES256', 'EdDSA', 'RS256']) {
    it(`verifies a token of the ${alg} key its kid names, with that key`, async () => {
      expect((await verifier.verify(await forge(alg, { kid: `kid-${alg}` }), 'access')).sub).to.equal('user-1')
    })
  }

  it("accepts exactly the algorithm of the key the kid names, even with a signature that algorithm's key made", async () => {
    // The EdDSA key's kid, an ES256 header and signature: the right alg for another key of the ring.
    expect(await expectCode(await forge('ES256', { kid: 'kid-EdDSA' }))).to.match(/algorithm is not allowed/)
    await expectCode(await forge('RS256', { kid: 'kid-ES256' }))
  })

  it('refuses a signature by another key under a kid the ring holds', async () => {
    const stranger = await importJWK(await privateJwk('ES256'), 'ES256')
    const token = await new SignJWT(payload()).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'kid-ES256' })
      .sign(stranger)
    expect(await expectCode(token)).to.match(/signature does not match/)
  })

  it('refuses a token without a kid, even signed by the signing key: only HS256 takes those', async () => {
    expect(await expectCode(await forge('ES256', {}))).to.match(/names no key \("kid"\)/)
  })

  it('refuses an unknown kid without asking the key store', async () => {
    const store = new SwitchableKeyStore()
    const keys = new KeyRing({
      store,
      maker: new JoseKeyMaker({ secret: undefined }),
      clock,
      policy: POLICY,
      algorithm: 'ES256',
      managed: true,
    })
    await keys.refresh()
    const calls = store.calls
    const lone = new JoseTokenVerifier({ ...settings, keys })
    for (const kid of ['unknown', '../../etc/passwd', "' OR '1'='1", 'x'.repeat(129)]) {
      const error = await lone.verify(await forge('ES256', { kid }), 'access').then(() => undefined, (e: unknown) => e)
      expect(isAuthError(error, 'invalid_token'), String(error)).to.equal(true)
    }
    expect(store.calls, 'no store call on the request path').to.equal(calls)
  })

  it('refuses a kid that is not a string', async () => {
    for (const kid of [1, null, ['kid-ES256'], { id: 'kid-ES256' }, '']) {
      expect(await expectCode(await forge('ES256', { kid }))).to.match(/"kid" is not a key id/)
    }
  })

  for (
    const [name, header] of Object.entries({
      jwk: { jwk: { kty: 'EC' } },
      jku: { jku: 'http://127.0.0.1:1/jwks.json' },
      x5u: { x5u: 'http://127.0.0.1:1/x5u' },
      x5c: { x5c: ['MIIB'] },
    })
  ) {
    it(`refuses a validly signed token with the header parameter ${name}`, async () => {
      expect(await expectCode(await forge('ES256', { kid: 'kid-ES256', ...header }))).to.match(/unsupported parameter/)
    })
  }

  it('verifies an access token without preferred_username (issued before it existed)', async () => {
    expect((await verifier.verify(await forge('ES256', { kid: 'kid-ES256' }), 'access')).preferredUsername).to.equal(
      undefined,
    )
  })

  it('refuses a preferred_username that is not a non-empty string, and one in a refresh token', async () => {
    for (const value of [1, '', ['alice'], null]) {
      await expectCode(await forge('ES256', { kid: 'kid-ES256' }, { ...payload(), preferred_username: value }))
    }
    const refresh = await new SignJWT({ ...payload(), type: 'refresh', preferred_username: 'alice' })
      .setProtectedHeader({ alg: 'ES256', typ: 'refresh+jwt', kid: 'kid-ES256' }).sign(
        await importJWK(jwks.ES256!, 'ES256'),
      )
    await expectCode(refresh, 'invalid_token', 'refresh')
  })
})

describe('JoseTokenVerifier with HS256 keys (JWT_SECRET)', () => {
  const clock = new FakeClock()
  const secret = new TextEncoder().encode('hs256-keys-test-secret-Hq3wZ8rV1tN6yB4mK7pL2')
  let verifier: JoseTokenVerifier
  let kid: string
  const payload = () => ({
    sub: 'user-1',
    jti: crypto.randomUUID(),
    type: 'access',
    iat: Math.floor(clock.now() / 1000),
    nbf: Math.floor(clock.now() / 1000),
    exp: Math.floor(clock.now() / 1000) + 900,
    fresh: false,
    is_admin: false,
    fam: 'f',
    iss: 'hexauth',
    aud: 'hexauth',
  })
  const sign = (header: Record<string, unknown>, key = secret) =>
    new SignJWT(payload()).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', ...header } as never).sign(key)

  before(async () => {
    const keys = await HmacSigningKeys.create(secret, clock.now())
    kid = keys.current().kid
    verifier = new JoseTokenVerifier({ keys, issuer: 'hexauth', audience: 'hexauth', leewaySeconds: 0, clock })
  })

  it('derives its kid from the secret: a hash prefix that shows nothing of it', async () => {
    expect(kid).to.match(/^[\w-]{16}$/)
    expect(base64url.encode(secret)).to.not.include(kid)
    expect(
      (await HmacSigningKeys.create(new TextEncoder().encode('another-hs256-secret-Zq8xW2pL0vN7-Qm4vT9xK'), 0))
        .current().kid,
    ).to.not.equal(kid)
  })

  it('accepts a token with its kid, and one without a kid (issued before kids were) signed with the secret', async () => {
    expect((await verifier.verify(await sign({ kid }), 'access')).sub).to.equal('user-1')
    expect((await verifier.verify(await sign({}), 'access')).sub).to.equal('user-1')
  })

  it('refuses a token without a kid signed with another secret, and one with another kid', async () => {
    const other = new TextEncoder().encode('another-hs256-secret-Zq8xW2pL0vN7-Qm4vT9xK')
    for (const token of [await sign({}, other), await sign({ kid: 'not-this-secret' })]) {
      const error = await verifier.verify(token, 'access').then(() => undefined, (e: unknown) => e)
      expect(isAuthError(error, 'invalid_token'), String(error)).to.equal(true)
    }
  })

  it('publishes nothing: verifiers of HS256 need the secret', async () => {
    expect((await HmacSigningKeys.create(secret, 0)).published()).to.deep.equal([])
  })
})
