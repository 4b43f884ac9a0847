import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'mocha'
import { expect } from 'chai'
import { exportJWK, generateKeyPair, type JWK } from 'jose'
import { JoseKeyMaker } from '../../../src/adapters/crypto/jose_key_maker.ts'
import { FileKeyStore } from '../../../src/adapters/file/key_store.ts'
import { KeyRing } from '../../../src/application/key_ring.ts'
import { keyStoreContract } from '../../contracts/key_store.contract.ts'
import { FakeClock } from '../../support/fake_clock.ts'
import { privateJwk } from '../../support/key_stores.ts'

const dir = mkdtempSync(join(tmpdir(), 'hexauth-keys-'))

/** Writes `keys` as a JWK Set to a new file; answers its path. */
function keyFile(keys: readonly unknown[] | string): string {
  const path = join(dir, `${crypto.randomUUID()}.json`)
  writeFileSync(path, typeof keys === 'string' ? keys : JSON.stringify({ keys }))
  return path
}

const store = (path: string) =>
  new FileKeyStore({ path, maker: new JoseKeyMaker({ secret: undefined }), clock: new FakeClock() })

async function refusal(path: string): Promise<string> {
  const error = await store(path).reload().then(() => undefined, (e: unknown) => e)
  expect(error).to.be.instanceOf(RangeError)
  return (error as Error).message
}

describe('FileKeyStore (JWT_KEYS_FILE)', () => {
  after(() => rmSync(dir, { recursive: true, force: true }))

  keyStoreContract('JWK Set file', () => {
    const maker = new JoseKeyMaker({ secret: undefined })
    const path = join(dir, `${crypto.randomUUID()}.json`)
    writeFileSync(path, JSON.stringify({ keys: [] }))
    const subject = new FileKeyStore({ path, maker, clock: new FakeClock() })
    return Promise.resolve({
      store: subject,
      maker,
      async hold(count: number) {
        const keys = await Promise.all(Array.from({ length: count }, () => privateJwk()))
        writeFileSync(path, JSON.stringify({ keys }))
        await subject.reload()
        // The file's first key signs: it is the newest generation.
        return keys.map((key) => key.kid!).reverse()
      },
    })
  }, 'read-only')

  it('signs with the first key of the file and verifies with the others, through a key ring', async () => {
    const [first, second] = [await privateJwk('EdDSA'), await privateJwk('RS256')]
    const clock = new FakeClock()
    const maker = new JoseKeyMaker({ secret: undefined })
    const ring = new KeyRing({
      store: new FileKeyStore({ path: keyFile([first, second]), maker, clock }),
      maker,
      clock,
      algorithm: 'ES256',
      managed: false,
      policy: { rotationMs: 1000, prepublishMs: 100, retentionMs: 100 },
    })
    await ring.refresh()
    expect(ring.current()).to.include({ kid: first.kid, alg: 'EdDSA' })
    expect(ring.find(second.kid)).to.include({ kid: second.kid, alg: 'RS256' })
    expect(ring.published().map((key) => key.kid)).to.deep.equal([second.kid, first.kid])
    clock.advance(365 * 86_400_000)
    expect(ring.find(second.kid), 'a verify-only key stays as long as the file holds it').to.not.equal(undefined)
    expect(ring.describe().map((key) => key.state)).to.deep.equal(['retired', 'signing'])
  })

  it('reads the file again on reload, and keeps the keys it had when the new content is refused', async () => {
    const [a, b] = [await privateJwk(), await privateJwk()]
    const path = keyFile([a])
    const keys = store(path)
    await keys.reload()
    writeFileSync(path, JSON.stringify({ keys: [b, a] }))
    await keys.reload()
    expect((await keys.list()).map((key) => key.kid)).to.deep.equal([a.kid, b.kid])
    writeFileSync(path, '{"keys": [')
    expect(await keys.reload().then(() => undefined, (e: unknown) => e)).to.be.instanceOf(RangeError)
    expect((await keys.list()).map((key) => key.kid)).to.deep.equal([a.kid, b.kid])
  })

  const cases: ReadonlyArray<readonly [string, () => Promise<unknown[] | string>, RegExp]> = [
    ['a public key only', async () => {
      const { d: _d, ...pub } = await privateJwk()
      return [pub]
    }, /is a public key only/],
    ['a key without kid', async () => {
      const { kid: _k, ...key } = await privateJwk()
      return [key]
    }, /key 1 has no "kid"/],
    ['a key without alg', async () => {
      const { alg: _a, ...key } = await privateJwk()
      return [key]
    }, /has "alg" undefined: it must be ES256, EdDSA or RS256/],
    [
      'a shared secret',
      () =>
        Promise.resolve([{ kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA', kid: 'hs', alg: 'HS256' }]),
      /is a shared secret/,
    ],
    ['an ES256 key of another curve', async () => {
      const { privateKey } = await generateKeyPair('ES384', { extractable: true })
      return [{ ...await exportJWK(privateKey), kid: 'p384', alg: 'ES256' }]
    }, /is not a EC P-256 key, as ES256 needs/],
    ['an RSA key of 1024 bits', () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
      return Promise.resolve([{ ...privateKey.export({ format: 'jwk' }), kid: 'small', alg: 'RS256' }])
    }, /is an RSA key of 1024 bits: at least 2048 are needed/],
    ["a key whose public half is another key's", async () => {
      const [key, other] = [await privateJwk(), await privateJwk()]
      return [{ ...key, x: other.x, y: other.y }]
    }, /is not a valid key pair/],
    [
      'two keys with one kid',
      async () => [await privateJwk('ES256', 'same'), await privateJwk('ES256', 'same')],
      /key 2 \(kid "same"\) has the kid of an earlier key/,
    ],
    ['a key for encryption', async () => [{ ...await privateJwk(), use: 'enc' }], /has "use" "enc"/],
    ['an empty set', () => Promise.resolve([]), /at least one key/],
    ['text that is not JSON', () => Promise.resolve('not json'), /is not JSON/],
  ]
  for (const [what, keys, message] of cases) {
    it(`refuses ${what}, naming JWT_KEYS_FILE and never printing key material`, async () => {
      const content = await keys()
      const text = await refusal(keyFile(content))
      expect(text).to.match(/^Cannot read JWT_KEYS_FILE: /)
      expect(text).to.match(message)
      for (const key of typeof content === 'string' ? [] : content as JWK[]) {
        for (const secret of [key.d, key.p, key.q, key.k]) if (secret !== undefined) expect(text).to.not.include(secret)
      }
    })
  }

  it('refuses a file it cannot read, naming the path and the error code', async () => {
    expect(await refusal(join(dir, 'missing.json'))).to.match(/missing\.json cannot be read \(ENOENT\)/)
  })
})
