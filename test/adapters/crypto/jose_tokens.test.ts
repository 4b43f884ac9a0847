import { before, describe, it } from 'mocha'
import { expect } from 'chai'
import { base64url, SignJWT } from 'jose'
import { JoseTokenIssuer } from '../../../src/adapters/crypto/jose_token_issuer.ts'
import { JoseTokenVerifier } from '../../../src/adapters/crypto/jose_token_verifier.ts'
import { HmacSigningKeys } from '../../../src/adapters/crypto/hmac_signing_keys.ts'
import type { JwtSettings } from '../../../src/adapters/crypto/jwt_settings.ts'
import { type AuthErrorCode, isAuthError } from '../../../src/domain/auth_error.ts'
import type { TokenClaims, TokenType } from '../../../src/domain/token_claims.ts'
import type { UserId } from '../../../src/domain/user.ts'
import { FakeClock } from '../../support/fake_clock.ts'

const SECRET = new TextEncoder().encode('jose-test-secret-0123456789-abcdefghijkl')

describe('JoseTokenIssuer and JoseTokenVerifier, HS256', () => {
  const clock = new FakeClock()
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
    fresh: type === 'access',
    isAdmin: false,
    fam: 'fam-1',
  })

  // A token signed with the real key but whatever header and payload a test wants.
  const forge = (payload: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', ...header } as never).sign(
      settings.keys.current().signing,
    )

  const payloadOf = (c: TokenClaims) => ({
    sub: c.sub,
    jti: c.jti,
    type: c.type,
    iat: c.iat,
    nbf: c.nbf,
    exp: c.exp,
    fresh: c.fresh,
    is_admin: c.isAdmin,
    fam: c.fam,
    iss: 'hexauth',
    aud: 'hexauth',
  })

  async function expectCode(token: string, code: AuthErrorCode, type: TokenType = 'access'): Promise<void> {
    const error = await verifier.verify(token, type).then(() => undefined, (e: unknown) => e)
    expect(isAuthError(error, code), `expected ${code}, got ${String(error)}`).to.equal(true)
  }

  before(async () => {
    settings = {
      keys: await HmacSigningKeys.create(SECRET, clock.now()),
      issuer: 'hexauth',
      audience: 'hexauth',
      leewaySeconds: 0,
      clock,
    }
    issuer = new JoseTokenIssuer(settings)
    verifier = new JoseTokenVerifier(settings)
  })

  it('round-trips every claim of an access and a refresh token', async () => {
    for (const type of ['access', 'refresh'] as const) {
      const original = claims(type)
      expect(await verifier.verify(await issuer.sign(original), type)).to.deep.equal(original)
    }
  })

  it('writes typ at+jwt for access tokens and another typ for refresh tokens', async () => {
    const header = (token: string) => JSON.parse(new TextDecoder().decode(base64url.decode(token.split('.')[0]!)))
    expect(header(await issuer.sign(claims('access')))).to.deep.equal({
      alg: 'HS256',
      typ: 'at+jwt',
      kid: settings.keys.current().kid,
    })
    expect(header(await issuer.sign(claims('refresh'))).typ).to.not.equal('at+jwt')
  })

  it('refuses a refresh token as an access token and the reverse', async () => {
    await expectCode(await issuer.sign(claims('refresh')), 'invalid_token', 'access')
    await expectCode(await issuer.sign(claims('access')), 'invalid_token', 'refresh')
  })

  it('refuses a token whose typ header and type claim disagree', async () => {
    await expectCode(await forge(payloadOf(claims('refresh')), { typ: 'at+jwt' }), 'invalid_token', 'access')
  })

  it('answers token_expired once exp has passed', async () => {
    const token = await issuer.sign(claims())
    clock.advance(901_000)
    await expectCode(token, 'token_expired')
  })

  it('refuses a token whose nbf is in the future', async () => {
    await expectCode(await forge({ ...payloadOf(claims()), nbf: Math.floor(now()) + 60 }), 'invalid_token')
  })

  for (const missing of ['exp', 'iat', 'jti', 'sub', 'nbf', 'type', 'fam', 'fresh', 'is_admin']) {
    it(`refuses a token without ${missing}`, async () => {
      const payload: Record<string, unknown> = payloadOf(claims())
      delete payload[missing]
      await expectCode(await forge(payload), 'invalid_token')
    })
  }

  it('refuses a wrong issuer or audience', async () => {
    await expectCode(await forge({ ...payloadOf(claims()), iss: 'someone-else' }), 'invalid_token')
    await expectCode(await forge({ ...payloadOf(claims()), aud: 'other-api' }), 'invalid_token')
  })

  it('refuses a token signed with another secret', async () => {
    const other = await new SignJWT(payloadOf(claims())).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .sign(new TextEncoder().encode('another-secret-0123456789-abcdefghijklmn'))
    await expectCode(other, 'invalid_token')
  })

  it('refuses alg none', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt' }))
    const body = base64url.encode(JSON.stringify(payloadOf(claims())))
    await expectCode(`${header}.${body}.`, 'invalid_token')
  })

  for (
    const extra of [{ kid: 'k1' }, { jku: 'http://127.0.0.1/jwks' }, { x5u: 'http://127.0.0.1/x5' }, {
      jwk: { kty: 'oct' },
    }]
  ) {
    it(`refuses a validly signed token with the header parameter ${Object.keys(extra)[0]}`, async () => {
      await expectCode(await forge(payloadOf(claims()), extra), 'invalid_token')
    })
  }

  it('refuses a token longer than 8 KiB before verifying it', async () => {
    await expectCode(await forge({ ...payloadOf(claims()), pad: 'x'.repeat(9000) }), 'invalid_token')
  })

  it('refuses garbage as invalid_token', async () => {
    for (const garbage of ['garbage', 'a.b.c', '..', 'eyJ.eyJ.sig']) await expectCode(garbage, 'invalid_token')
  })
})
