import { createServer, type Server } from 'node:http'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { base64url, decodeJwt, exportJWK, exportSPKI, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose'
import { call, register, startTestServer, type TestServer } from '../../support/http_harness.ts'
import { privateJwk } from '../../support/key_stores.ts'

// RFC 8725 and the known attacks on key selection, against the real app signing with key
// pairs: a key file holds an ES256 key (it signs), an EdDSA and an RS256 key (they verify).
// Every forged token is a 401 invalid_token, never accepted, never a 5xx, and never a fetch.
describe('RFC 8725 battery on GET /secret, with key pairs and kids', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hexauth-battery-'))
  let server: TestServer
  let claims: Record<string, unknown>
  let valid: string
  const jwks: Record<string, JWK> = {}
  // A server a token's jku or x5u points to: it must never be asked anything.
  let lure: Server
  let lureUrl = ''
  let lureHits = 0
  const b64 = (value: unknown) => base64url.encode(typeof value === 'string' ? value : JSON.stringify(value))
  const key = (alg: string) => importJWK(jwks[alg]!, alg)

  /** Signs `payload` with the private key of `alg`'s key, under any header jose will write. */
  const sign = async (alg: string, header: Record<string, unknown>, payload = claims) =>
    new SignJWT(payload).setProtectedHeader({ alg, typ: 'at+jwt', ...header } as never).sign(await key(alg))

  /** Signs any header text with HMAC-SHA256 under `secret`: what an attacker can always make. */
  async function hmac(header: Record<string, unknown> | string, secret: Uint8Array<ArrayBuffer>): Promise<string> {
    const input = `${b64(header)}.${b64(claims)}`
    const hmacKey = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    return `${input}.${
      base64url.encode(new Uint8Array(await crypto.subtle.sign('HMAC', hmacKey, new TextEncoder().encode(input))))
    }`
  }

  async function expectRefused(token: string): Promise<void> {
    const result = await call(server.url, '/secret', { token })
    expect(result.status, JSON.stringify(result.body)).to.equal(401)
    expect(result.body.error).to.equal('invalid_token')
  }

  before(async () => {
    for (const alg of ['ES256', 'EdDSA', 'RS256']) jwks[alg] = await privateJwk(alg as 'ES256', `kid-${alg}`)
    const path = join(dir, 'keys.json')
    writeFileSync(path, JSON.stringify({ keys: [jwks.ES256, jwks.EdDSA, jwks.RS256] }))
    server = await startTestServer({ JWT_KEYS_FILE: path })
    valid = (await register(server.url, 'battery')).accessToken
    claims = decodeJwt(valid)
    lure = createServer((_req, res) => {
      lureHits++
      res.end('{"keys":[]}')
    }).listen(0, '127.0.0.1')
    await new Promise((resolve) => lure.once('listening', resolve))
    lureUrl = `http://127.0.0.1:${(lure.address() as { port: number }).port}`
  })

  after(async () => {
    await server.close()
    lure.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('accepts the untouched token and tokens of each key under its own kid and alg (the control)', async () => {
    expect((await call(server.url, '/secret', { token: valid })).status).to.equal(200)
    for (const alg of ['ES256', 'EdDSA', 'RS256']) {
      expect((await call(server.url, '/secret', { token: await sign(alg, { kid: `kid-${alg}` }) })).status, alg).to
        .equal(200)
    }
  })

  it('refuses a token signed by one key under the kid of a key of another algorithm', async () => {
    await expectRefused(await sign('ES256', { kid: 'kid-EdDSA' }))
    await expectRefused(await sign('ES256', { kid: 'kid-RS256' }))
    await expectRefused(await sign('RS256', { kid: 'kid-ES256' }))
    await expectRefused(await sign('EdDSA', { kid: 'kid-ES256' }))
  })

  it("refuses an HS256 token MACed with the public key's bytes, whatever form they take (algorithm confusion)", async () => {
    const publicOf = (alg: string) => {
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rest } = jwks[alg]!
      return rest
    }
    for (const alg of ['ES256', 'RS256', 'EdDSA']) {
      const jwk = publicOf(alg)
      const pem = await exportSPKI(await importJWK(jwk, alg) as CryptoKey)
      const forms = [
        new TextEncoder().encode(JSON.stringify(jwk)),
        new TextEncoder().encode(pem),
        base64url.decode(jwk.x ?? jwk.n!),
        new TextEncoder().encode(jwk.x ?? jwk.n!),
      ]
      for (const bytes of forms) {
        await expectRefused(await hmac({ alg: 'HS256', typ: 'at+jwt', kid: `kid-${alg}` }, new Uint8Array(bytes)))
      }
    }
  })

  it('refuses an unknown kid, and a token without one', async () => {
    await expectRefused(await sign('ES256', { kid: 'kid-that-does-not-exist' }))
    await expectRefused(await sign('ES256', {}))
  })

  for (
    const kid of [
      '../../../../etc/passwd',
      '/dev/null',
      "kid-ES256' OR '1'='1",
      'kid-ES256"; DROP TABLE signing_keys; --',
      '%2e%2e%2fkid-ES256',
      'kid-ES256\u0000',
      ' kid-ES256',
      'KID-ES256',
      '*',
    ]
  ) {
    it(`refuses the kid ${JSON.stringify(kid)}, a 401 and never a 5xx`, async () => {
      await expectRefused(await sign('ES256', { kid }))
    })
  }

  it('refuses a kid that is no string, and a kid given twice', async () => {
    for (const kid of [1, true, null, ['kid-ES256'], { $ne: '' }]) await expectRefused(await sign('ES256', { kid }))
    const [, payload, signature] = (await sign('ES256', { kid: 'kid-ES256' })).split('.')
    await expectRefused(
      `${b64('{"alg":"ES256","typ":"at+jwt","kid":"unknown","kid":"kid-ES256"}')}.${payload}.${signature}`,
    )
  })

  it("refuses the ES256 signature r = s = 0 (CVE-2022-21449) under the ES256 key's kid", async () => {
    await expectRefused(
      `${b64({ alg: 'ES256', typ: 'at+jwt', kid: 'kid-ES256' })}.${b64(claims)}.${
        base64url.encode(new Uint8Array(64))
      }`,
    )
  })

  it('refuses a token signed with a key it embeds (jwk), even under one of our kids', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256')
    const jwk = await exportJWK(publicKey)
    for (const header of [{ jwk }, { jwk, kid: 'kid-ES256' }]) {
      await expectRefused(
        await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', ...header }).sign(privateKey),
      )
    }
  })

  it('refuses a token pointing at keys elsewhere (jku, x5u, x5c), and never fetches them', async () => {
    const { privateKey } = await generateKeyPair('ES256')
    for (
      const header of [{ jku: `${lureUrl}/jwks.json` }, { x5u: `${lureUrl}/cert.pem` }, {
        jku: `${lureUrl}/jwks.json`,
        kid: 'kid-ES256',
      }, { x5c: ['MIIB'] }]
    ) {
      await expectRefused(
        await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'attacker', ...header }).sign(
          privateKey,
        ),
      )
      await expectRefused(await sign('ES256', { kid: 'kid-ES256', ...header }))
    }
    expect(lureHits, 'requests made to the URLs the tokens named').to.equal(0)
  })

  it('refuses a crit header and alg none, with any kid', async () => {
    await expectRefused(
      `${b64({ alg: 'ES256', typ: 'at+jwt', kid: 'kid-ES256', crit: ['exp'] })}.${b64(claims)}.${valid.split('.')[2]}`,
    )
    for (const alg of ['none', 'None']) {
      await expectRefused(`${b64({ alg, typ: 'at+jwt', kid: 'kid-ES256' })}.${b64(claims)}.`)
    }
  })
})
