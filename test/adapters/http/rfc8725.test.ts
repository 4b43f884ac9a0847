import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { base64url, CompactSign, decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose'
import { call, register, startTestServer, TEST_SECRET, type TestServer } from '../../support/http_harness.ts'

// RFC 8725 (JWT Best Current Practices) and known JWT library attacks, each against the
// real app: every forged token is a 401 with the right code, never accepted, never a 5xx.
describe('RFC 8725 battery on GET /secret, HS256 (JWT_SECRET only)', () => {
  let server: TestServer
  let claims: Record<string, unknown>
  let valid: string
  const key = new TextEncoder().encode(TEST_SECRET)
  const b64 = (value: unknown) => base64url.encode(typeof value === 'string' ? value : JSON.stringify(value))

  const sign = (payload: Record<string, unknown>, header: Record<string, unknown> = {}, secret = key) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', ...header } as never).sign(secret)
  const signRaw = (payloadText: string, header: Record<string, unknown> = { alg: 'HS256', typ: 'at+jwt' }) =>
    new CompactSign(new TextEncoder().encode(payloadText)).setProtectedHeader(header as never).sign(key)

  // Signs any header, even one jose refuses to produce (an unknown `crit`), with HMAC-SHA256.
  async function hmacToken(header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string> {
    const input = `${b64(header)}.${b64(payload)}`
    const hmac = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    const signature = new Uint8Array(await crypto.subtle.sign('HMAC', hmac, new TextEncoder().encode(input)))
    return `${input}.${base64url.encode(signature)}`
  }

  async function expectRefused(token: string, code = 'invalid_token'): Promise<void> {
    const result = await call(server.url, '/secret', { token })
    expect(result.status, JSON.stringify(result.body)).to.equal(401)
    expect(result.body.error).to.equal(code)
    expect(result.headers.get('www-authenticate')).to.match(/^Bearer realm="hexauth", error="invalid_token"/)
  }

  before(async () => {
    server = await startTestServer({ JWT_SECRET: TEST_SECRET })
    valid = (await register(server.url, 'battery')).accessToken
    claims = decodeJwt(valid)
  })

  after(() => server.close())

  it("accepts the untouched token and the battery's own signers' output (the control)", async () => {
    expect((await call(server.url, '/secret', { token: valid })).status).to.equal(200)
    expect((await call(server.url, '/secret', { token: await sign(claims) })).status).to.equal(200)
    expect(
      (await call(server.url, '/secret', { token: await hmacToken({ alg: 'HS256', typ: 'at+jwt' }, claims) })).status,
    ).to.equal(200)
    expect((await call(server.url, '/secret', { token: await signRaw(JSON.stringify(claims)) })).status).to.equal(200)
  })

  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    it(`refuses alg "${alg}" with an empty signature`, async () => {
      await expectRefused(`${b64({ alg, typ: 'at+jwt' })}.${b64(claims)}.`)
    })
  }

  it('refuses alg "none" even with a signature appended', async () => {
    await expectRefused(`${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims)}.${valid.split('.')[2]}`)
  })

  it('refuses an HS256 signature under a header that names another algorithm', async () => {
    const [, payload, signature] = valid.split('.')
    for (const alg of ['HS384', 'HS512', 'RS256']) {
      await expectRefused(`${b64({ alg, typ: 'at+jwt' })}.${payload}.${signature}`)
    }
  })

  it('refuses a refresh token as an access token, by typ and by type', async () => {
    const { refreshToken } = await register(server.url, 'battery-refresh')
    await expectRefused(refreshToken)
    await expectRefused(await sign({ ...claims, type: 'refresh' }))
    await expectRefused(await sign(claims, { typ: 'refresh+jwt' }))
    await expectRefused(await sign(claims, { typ: 'JWT' }))
  })

  it('refuses an access token on /token/refresh', async () => {
    const result = await call(server.url, '/token/refresh', { method: 'POST', token: valid })
    expect([result.status, result.body.error]).to.deep.equal([401, 'invalid_token'])
  })

  for (const claim of ['exp', 'iat', 'jti', 'sub']) {
    it(`refuses a token without ${claim}`, async () => {
      const { [claim]: _, ...rest } = claims
      await expectRefused(await sign(rest))
    })
  }

  it('answers token_expired for an expired token', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600
    await expectRefused(await sign({ ...claims, iat: past - 900, nbf: past - 900, exp: past }), 'token_expired')
  })

  it('refuses a token whose nbf is in the future', async () => {
    await expectRefused(await sign({ ...claims, nbf: Math.floor(Date.now() / 1000) + 3600 }))
  })

  it('refuses a wrong issuer and a wrong audience', async () => {
    await expectRefused(await sign({ ...claims, iss: 'https://attacker.example' }))
    await expectRefused(await sign({ ...claims, aud: 'another-service' }))
    await expectRefused(await sign({ ...claims, aud: ['another-service'] }))
  })

  const foreignHeaders: Record<string, Record<string, unknown>> = {
    crit: { crit: ['exp'] },
    jku: { jku: 'http://127.0.0.1:1/jwks.json' },
    x5u: { x5u: 'http://127.0.0.1:1/cert.pem' },
    jwk: { jwk: { kty: 'oct', k: base64url.encode(TEST_SECRET) } },
    'an unknown kid': { kid: 'key-that-does-not-exist' },
    x5c: { x5c: ['MIIB'] },
  }
  for (const [name, header] of Object.entries(foreignHeaders)) {
    it(`refuses a validly signed token with the header parameter ${name}`, async () => {
      await expectRefused(await hmacToken({ alg: 'HS256', typ: 'at+jwt', ...header }, claims))
    })
  }

  it('refuses the ES256 all-zero signature (CVE-2022-21449)', async () => {
    const zero = base64url.encode(new Uint8Array(64))
    await expectRefused(`${b64({ alg: 'ES256', typ: 'at+jwt' })}.${b64(claims)}.${zero}`)
  })

  it('refuses a token signed with a key it embeds itself (CVE-2018-0114)', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256')
    const jwk = await exportJWK(publicKey)
    const token = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', jwk }).sign(privateKey)
    await expectRefused(token)
  })

  for (const secret of ['secret', 'jwt-secret-string', 'your-256-bit-secret', 'changeme', 'super-secret']) {
    it(`refuses a token signed with the published secret "${secret}"`, async () => {
      await expectRefused(await sign(claims, {}, new TextEncoder().encode(secret)))
    })
  }

  it('refuses a token longer than 8 KiB', async () => {
    await expectRefused(await sign({ ...claims, padding: 'x'.repeat(8192) }))
  })

  it('refuses a signature in padded base64url', async () => {
    await expectRefused(`${valid}=`)
    await expectRefused(`${valid}==`)
  })

  it('refuses a signature in standard base64', async () => {
    let token = valid
    // Sign until the signature holds a character standard base64 writes differently.
    for (let i = 0; !/[-_]/.test(token.split('.')[2]!) && i < 200; i++) {
      token = await sign({ ...claims, jti: crypto.randomUUID() })
    }
    expect(token.split('.')[2]).to.match(/[-_]/)
    const [header, payload, signature] = token.split('.')
    await expectRefused(`${header}.${payload}.${signature!.replaceAll('-', '+').replaceAll('_', '/')}`)
  })

  it('refuses duplicated JSON keys in the payload, whichever one a parser would keep', async () => {
    const text = JSON.stringify(claims)
    await expectRefused(await signRaw(text.replace(/^\{/, '{"type":"refresh",')))
    await expectRefused(await signRaw(text.replace(/^\{/, `{"sub":"${crypto.randomUUID()}",`)))
    await expectRefused(await signRaw(text.replace(/^\{/, '{"\\u0074ype":"refresh",')))
  })

  it('refuses duplicated JSON keys in the header', async () => {
    const header = `{"alg":"none","alg":"HS256","typ":"at+jwt"}`
    const signature = valid.split('.')[2]
    await expectRefused(`${b64(header)}.${b64(claims)}.${signature}`)
  })

  it('refuses a payload that is not JSON, or not UTF-8', async () => {
    await expectRefused(await signRaw('not json'))
    await expectRefused(`${b64({ alg: 'HS256', typ: 'at+jwt' })}.${base64url.encode(new Uint8Array([0xff, 0xfe]))}.sig`)
  })
})
