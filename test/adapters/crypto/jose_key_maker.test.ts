import { describe, it } from 'mocha'
import { expect } from 'chai'
import { base64url, calculateJwkThumbprint, CompactSign, compactVerify, type JWK } from 'jose'
import { JoseKeyMaker, publicPart } from '../../../src/adapters/crypto/jose_key_maker.ts'
import type { SigningKey } from '../../../src/domain/signing_key.ts'

const SECRET = new TextEncoder().encode('key-maker-test-secret-Hq3wZ8rV1tN6yB4mK7pL2xC9')
const OTHER = new TextEncoder().encode('another-key-maker-secret-Zq8xW2pL0vN7-Qm4vT9xK')
const ALGS = ['ES256', 'EdDSA', 'RS256'] as const

async function stored(maker: JoseKeyMaker, alg: typeof ALGS[number] = 'ES256'): Promise<SigningKey> {
  return { ...await maker.generate(alg), generation: 1, publishedAt: 0, signsFrom: 0 }
}

async function refusal(maker: JoseKeyMaker, key: SigningKey): Promise<string> {
  const error = await maker.open(key).then(() => undefined, (e: unknown) => e)
  expect(error, 'a RangeError').to.be.instanceOf(RangeError)
  return (error as Error).message
}

describe('JoseKeyMaker', () => {
  const maker = new JoseKeyMaker({ secret: SECRET })

  for (const alg of ALGS) {
    it(`makes ${alg} key pairs whose kid is the RFC 7638 thumbprint of the public key, and opens them to sign and verify`, async () => {
      const key = await stored(maker, alg)
      expect(key.kid).to.equal(await calculateJwkThumbprint(key.publicJwk as JWK, 'sha256'))
      const { privateKey, publicKey } = await maker.open(key)
      const jws = await new CompactSign(new TextEncoder().encode('probe')).setProtectedHeader({ alg }).sign(privateKey)
      expect((await compactVerify(jws, publicKey, { algorithms: [alg] })).protectedHeader.alg).to.equal(alg)
      expect(privateKey.extractable, 'the opened private key cannot be exported').to.equal(false)
    })
  }

  it('makes RSA keys of 2048 bits with the usual exponent', async () => {
    const key = await stored(maker, 'RS256')
    expect(base64url.decode(key.publicJwk.n!).length * 8).to.equal(2048)
    expect(key.publicJwk.e).to.equal('AQAB')
  })

  it('seals the private key: the sealed text holds neither a private parameter nor the JWK in clear', async () => {
    for (const alg of ALGS) {
      const key = await stored(maker, alg)
      expect(key.sealed).to.match(/^A256GCM\.[\w-]{16}\.[\w-]+$/)
      expect(new TextDecoder().decode(base64url.decode(key.sealed.split('.')[2]!))).to.not.match(/"d"|"kty"/)
      expect(Object.keys(key.publicJwk)).to.not.include.members(['d', 'p', 'q', 'dp', 'dq', 'qi'])
    }
  })

  it('refuses to open a key sealed under another secret, naming KEY_ENCRYPTION_SECRET', async () => {
    const key = await stored(new JoseKeyMaker({ secret: OTHER }))
    expect(await refusal(maker, key)).to.match(
      /^Cannot open signing key \S+: it was sealed under another KEY_ENCRYPTION_SECRET/,
    )
  })

  it('refuses, without a secret of its own, a key sealed under one', async () => {
    expect(await refusal(new JoseKeyMaker({ secret: undefined }), await stored(maker))).to.match(
      /sealed under a KEY_ENCRYPTION_SECRET and none is set/,
    )
  })

  it('refuses a sealed private key moved to another record: another kid or another alg', async () => {
    const [a, b] = [await stored(maker), await stored(maker)]
    await refusal(maker, { ...b, sealed: a.sealed })
    await refusal(maker, { ...a, kid: b.kid })
    await refusal(maker, { ...a, alg: 'RS256' })
  })

  it('refuses a record whose public key was swapped for another: a store writer cannot publish a key of its own', async () => {
    const [a, b] = [await stored(maker), await stored(maker)]
    expect(await refusal(maker, { ...a, publicJwk: b.publicJwk })).to.match(
      /stored public key is not the public half of its private key/,
    )
  })

  it('refuses a sealed key whose ciphertext was altered', async () => {
    const key = await stored(maker)
    const [tag, iv, ciphertext] = key.sealed.split('.')
    const bytes = base64url.decode(ciphertext!)
    bytes[0] = bytes[0]! ^ 1
    await refusal(maker, { ...key, sealed: `${tag}.${iv}.${base64url.encode(bytes)}` })
    await refusal(maker, { ...key, sealed: 'not sealed at all' })
  })

  it('refuses a secret shorter than 32 bytes', () => {
    expect(() => new JoseKeyMaker({ secret: new TextEncoder().encode('too short') })).to.throw(
      RangeError,
      /KEY_ENCRYPTION_SECRET must be at least 32 bytes/,
    )
  })

  it('accepts a secret of exactly 32 bytes', () => {
    expect(() => new JoseKeyMaker({ secret: new Uint8Array(32).fill(7) })).not.to.throw()
  })

  it('names another secret, not a missing one, when it has a secret and a key does not open with it', async () => {
    const own = new JoseKeyMaker({ secret: SECRET })
    const key = await stored(new JoseKeyMaker({ secret: OTHER }))
    expect(await refusal(own, key)).to.match(/sealed under another KEY_ENCRYPTION_SECRET/)
  })

  it('opens a key sealed by an earlier release under the same secret: the sealing key derivation is fixed', async () => {
    // Sealed under SECRET when this test was written (test-only key).
    const key: SigningKey = {
      kid: 'Ba0ciSPiUecTabO6JHVBud3Fd4pyaQRTUpuL5E_egsk',
      alg: 'ES256',
      generation: 1,
      publishedAt: 0,
      signsFrom: 0,
      publicJwk: {
        kty: 'EC',
        crv: 'P-256',
        x: 'LfcGcXZDaM0sJnPEVldijD1Cp466gLYqDTnTmZLEFK0',
        y: 'fhtg7Iab2fqEEy6ZDBK016o3Sn488z11OF78w5AER6E',
      },
      sealed:
        'A256GCM.-It-VC_hQyyOaFVv.E6QvfX-PSifFj74egq4dLsIk4zrZbeqIiUHGoGNK9n0OwXoq9p7B2_igtckSqSONlNHymfmdUWIop9kBZ65sAk8YjA5SI0l2fnFrk9t411xK' +
        'bAmA1p7NKzVa3evPxCVPyX3giUEn-6LO5aQVE_8aXP1LrQAxJYNCeEGcVSQpQBMg476oa-rgBhY4RHUu-mfcc5FwapZ50-SZIoXajjVb01dO6emJGiPPkVMRDYeSuphzFsgzDJEYe1AwoHbG3-Mv',
    }
    const opened = await new JoseKeyMaker({ secret: SECRET }).open(key)
    const jws = await new CompactSign(new TextEncoder().encode('hello')).setProtectedHeader({ alg: 'ES256' }).sign(
      opened.privateKey,
    )
    expect(new TextDecoder().decode((await compactVerify(jws, opened.publicKey)).payload)).to.equal('hello')
  })

  it('refuses the public part of a key type it does not use, naming the type', () => {
    expect(() => publicPart({ kty: 'oct', k: 'c2VjcmV0' })).to.throw(
      RangeError,
      'Cannot use a key of type "oct": only EC, OKP and RSA keys are supported',
    )
    expect(() => publicPart({})).to.throw(
      RangeError,
      'Cannot use a key of type undefined: only EC, OKP and RSA keys are supported',
    )
  })
})
