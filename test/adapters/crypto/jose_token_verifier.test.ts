import { before, describe, it } from 'mocha'
import { expect } from 'chai'
import { base64url, CompactSign, errors, SignJWT } from 'jose'
import { HmacSigningKeys } from '../../../src/adapters/crypto/hmac_signing_keys.ts'
import { JoseTokenVerifier } from '../../../src/adapters/crypto/jose_token_verifier.ts'
import type { JwtSettings } from '../../../src/adapters/crypto/jwt_settings.ts'
import type { ActiveKey, SigningKeys } from '../../../src/application/ports/signing_keys.ts'
import { AuthError } from '../../../src/domain/auth_error.ts'
import type { TokenType } from '../../../src/domain/token_claims.ts'
import { FakeClock } from '../../support/fake_clock.ts'

const SECRET = new TextEncoder().encode('verifier-test-secret-0123456789-abcdefgh')
const INVALID = 'Cannot authorize: the token is invalid, '

/** The keys of `inner`, each claiming the algorithm `alg` (a key store gone wrong). */
class MislabelledKeys implements SigningKeys {
  readonly #inner: SigningKeys
  readonly #alg: ActiveKey['alg']

  constructor(inner: SigningKeys, alg: ActiveKey['alg']) {
    this.#inner = inner
    this.#alg = alg
  }

  current(): ActiveKey {
    return { ...this.#inner.current(), alg: this.#alg }
  }

  find(kid: string | undefined): ActiveKey | undefined {
    const key = this.#inner.find(kid)
    return key === undefined ? undefined : { ...key, alg: this.#alg }
  }

  published() {
    return this.#inner.published()
  }

  describe() {
    return this.#inner.describe()
  }
}

describe('JoseTokenVerifier: what a refusal says', () => {
  const clock = new FakeClock()
  let settings: JwtSettings
  let verifier: JoseTokenVerifier
  const now = () => Math.floor(clock.now() / 1000)
  const payload = (over: Record<string, unknown> = {}) => ({
    sub: 'user-1',
    jti: 'jti-1',
    type: 'access',
    iat: now(),
    nbf: now(),
    exp: now() + 900,
    fresh: true,
    is_admin: false,
    fam: 'fam-1',
    iss: 'hexauth',
    aud: 'hexauth',
    ...over,
  })
  const header = (over: Record<string, unknown> = {}) => ({
    alg: 'HS256',
    typ: 'at+jwt',
    kid: settings.keys.current().kid,
    ...over,
  })
  const sign = (claims: Record<string, unknown>, over: Record<string, unknown> = {}) =>
    new SignJWT(claims).setProtectedHeader(header(over) as never).sign(settings.keys.current().signing)
  /** A token with raw header and payload texts, signed with the real key. */
  const signRaw = (headerText: string, payloadText: string) =>
    `${base64url.encode(headerText)}.${base64url.encode(payloadText)}.${base64url.encode('not a signature')}`
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value))

  async function refusal(token: string, type: TokenType = 'access', by = verifier): Promise<AuthError> {
    const error = await by.verify(token, type).then(() => undefined, (e: unknown) => e)
    expect(error, String(error)).to.be.instanceOf(AuthError)
    return error as AuthError
  }

  async function expectInvalid(token: string, why: string, type: TokenType = 'access'): Promise<void> {
    const error = await refusal(token, type)
    expect([error.code, error.message]).to.deep.equal(['invalid_token', INVALID + why])
  }

  before(async () => {
    settings = {
      keys: await HmacSigningKeys.create(SECRET, clock.now()),
      issuer: 'hexauth',
      audience: 'hexauth',
      leewaySeconds: 0,
      clock,
    }
    verifier = new JoseTokenVerifier(settings)
  })

  it('says a token is too long', async () => {
    await expectInvalid(`${'a'.repeat(8190)}.b.c`, 'it is longer than 8192 characters')
  })

  it('says a token is not a compact JWS', async () => {
    await expectInvalid('not-a-token', 'it is not a compact JWS in base64url')
  })

  it('says a segment is not base64url of UTF-8', async () => {
    await expectInvalid(
      `${base64url.encode(new Uint8Array([0xff, 0xfe]))}.${encode(payload())}.sig`,
      'it is not valid base64url',
    )
  })

  it('says a header is not valid when it is not JSON, or not an object', async () => {
    await expectInvalid(signRaw('{"alg"', JSON.stringify(payload())), 'its header is not valid')
    await expectInvalid(signRaw('["HS256"]', JSON.stringify(payload())), 'its header is not valid')
    await expectInvalid(signRaw('null', JSON.stringify(payload())), 'its header is not valid')
  })

  it('names a header parameter it does not support', async () => {
    await expectInvalid(
      await sign(payload(), { jku: 'http://127.0.0.1/jwks' }),
      'its header has the unsupported parameter "jku"',
    )
  })

  it('says a token repeats a key, in its header or its payload', async () => {
    const text = JSON.stringify(payload())
    await expectInvalid(signRaw(JSON.stringify(header()).replace('{', '{"typ":"x",'), text), 'it repeats a key')
    await expectInvalid(signRaw(JSON.stringify(header()), text.replace('{', '{"sub":"admin",')), 'it repeats a key')
  })

  it('says a payload is not valid when it cannot be read for keys', async () => {
    await expectInvalid(signRaw(JSON.stringify(header()), '{"\\x":1}'), 'its payload is not valid')
  })

  it('says which kind of token it is not', async () => {
    await expectInvalid(await sign(payload({ type: 'refresh' })), 'it is not an access token')
    await expectInvalid(await sign(payload(), { typ: 'refresh+jwt' }), 'it is not a refresh token', 'refresh')
  })

  it('says an empty subject or token id is missing', async () => {
    await expectInvalid(await sign(payload({ sub: '' })), 'its "sub" or "jti" claim is missing or empty')
    await expectInvalid(await sign(payload({ jti: '' })), 'its "sub" or "jti" claim is missing or empty')
  })

  it('says a session claim is missing or malformed', async () => {
    await expectInvalid(
      await sign(payload({ fresh: 'yes' })),
      'its "fresh", "is_admin" or "fam" claim is missing or malformed',
    )
    await expectInvalid(
      await sign(payload({ fam: '' })),
      'its "fresh", "is_admin" or "fam" claim is missing or malformed',
    )
  })

  it('names the claim jose found not valid', async () => {
    await expectInvalid(await sign(payload({ iss: 'someone-else' })), 'its "iss" claim is not valid')
    await expectInvalid(await sign(payload({ nbf: now() + 60 })), 'its "nbf" claim is not valid')
  })

  it('says a token is malformed when jose cannot read its claims', async () => {
    const token = await new CompactSign(new TextEncoder().encode('[1]')).setProtectedHeader(header()).sign(
      settings.keys.current().signing,
    )
    await expectInvalid(token, 'it is malformed')
  })

  it('says a signature does not match', async () => {
    const token = await sign(payload())
    await expectInvalid(
      `${token.slice(0, token.lastIndexOf('.'))}.${base64url.encode('x'.repeat(32))}`,
      'its signature does not match',
    )
  })

  it('says a token could not be verified when the key cannot verify it at all, with the cause', async () => {
    const mislabelled = new JoseTokenVerifier({ ...settings, keys: new MislabelledKeys(settings.keys, 'ES256') })
    const token = signRaw(JSON.stringify(header({ alg: 'ES256' })), JSON.stringify(payload()))
    const error = await refusal(token, 'access', mislabelled)
    expect([error.code, error.message]).to.deep.equal(['invalid_token', INVALID + 'it could not be verified'])
    expect(error.cause).to.be.instanceOf(Error).and.not.to.be.instanceOf(errors.JOSEError)
  })

  it("answers an expired token with token_expired and jose's error as the cause", async () => {
    const error = await refusal(await sign(payload({ exp: now() - 1 })))
    expect([error.code, error.message]).to.deep.equal(['token_expired', 'Cannot authorize: the token has expired'])
    expect(error.cause).to.be.instanceOf(errors.JWTExpired)
  })
})
