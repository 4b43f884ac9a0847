import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import { CompactSign, compactVerify } from 'jose'
import type { JoseKeyMaker } from '../../src/adapters/crypto/jose_key_maker.ts'
import type { KeyStore } from '../../src/application/ports/key_store.ts'
import type { SigningKey } from '../../src/domain/signing_key.ts'

/** A store under test, and how to fill it. */
export interface KeyStoreSubject {
  readonly store: KeyStore
  /** Opens the store's sealed keys: the maker the store's keys were sealed with. */
  readonly maker: JoseKeyMaker
  /** Makes the store hold `count` new keys, generations 1 to `count`; answers their kids in that order. */
  hold(count: number): Promise<string[]>
}

/** A new key of `generation` made by `maker`, as the key ring adds it. */
export async function aKey(
  maker: JoseKeyMaker,
  generation: number,
  alg: 'ES256' | 'EdDSA' | 'RS256' = 'ES256',
): Promise<SigningKey> {
  const made = await maker.generate(alg)
  const at = Date.UTC(2030, 0, generation)
  return { ...made, generation, publishedAt: at - 7_200_000, signsFrom: at }
}

const PRIVATE_PARAMETERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']

/**
 * The behaviour every {@linkcode KeyStore} must have; `make` returns an empty one for each
 * test. A `read-only` store (a key file) must refuse every write instead of taking it.
 */
export function keyStoreContract(
  name: string,
  make: () => Promise<KeyStoreSubject>,
  kind: 'writable' | 'read-only' = 'writable',
): void {
  describe(`KeyStore contract: ${name}`, () => {
    let subject: KeyStoreSubject
    beforeEach(async () => {
      subject = await make()
    })

    it('lists the keys it holds in generation order, each with its kid, alg and public parameters only', async () => {
      const kids = await subject.hold(3)
      const keys = await subject.store.list()
      expect(keys.map((key) => key.kid)).to.deep.equal(kids)
      expect(keys.map((key) => key.generation)).to.deep.equal([1, 2, 3])
      for (const key of keys) {
        expect(key.alg).to.equal('ES256')
        expect(Object.keys(key.publicJwk).sort()).to.deep.equal(['crv', 'kty', 'x', 'y'])
        for (const name of PRIVATE_PARAMETERS) expect(key.publicJwk, name).to.not.have.property(name)
      }
    })

    it('holds each private key sealed: it opens into a key pair that signs and verifies', async () => {
      await subject.hold(1)
      const [key] = await subject.store.list()
      const { privateKey, publicKey } = await subject.maker.open(key!)
      const jws = await new CompactSign(new TextEncoder().encode('probe')).setProtectedHeader({ alg: 'ES256' }).sign(
        privateKey,
      )
      expect(new TextDecoder().decode((await compactVerify(jws, publicKey)).payload)).to.equal('probe')
      expect(key!.sealed).to.match(/^A256GCM\./)
      expect(key!.sealed).to.not.match(/"d"|"kty"/)
    })

    if (kind === 'read-only') {
      it('refuses every write and keeps its keys', async () => {
        const kids = await subject.hold(1)
        expect(await subject.store.add(await aKey(subject.maker, 2)).then(() => undefined, (e: unknown) => e)).to.be
          .instanceOf(TypeError)
        expect(await subject.store.remove(kids[0]!).then(() => undefined, (e: unknown) => e)).to.be.instanceOf(
          TypeError,
        )
        expect((await subject.store.list()).map((key) => key.kid)).to.deep.equal(kids)
      })
      return
    }

    it('stores an added key as it was given, answering true', async () => {
      const key = await aKey(subject.maker, 1)
      expect(await subject.store.add(key)).to.equal(true)
      expect(await subject.store.list()).to.deep.equal([key])
    })

    it('refuses a second key of a generation, answering false and keeping the first', async () => {
      const first = await aKey(subject.maker, 1)
      await subject.store.add(first)
      expect(await subject.store.add(await aKey(subject.maker, 1))).to.equal(false)
      expect(await subject.store.list()).to.deep.equal([first])
    })

    it('refuses a second key with a kid it holds, in another generation', async () => {
      const first = await aKey(subject.maker, 1)
      await subject.store.add(first)
      expect(await subject.store.add({ ...first, generation: 2 })).to.equal(false)
      expect(await subject.store.list()).to.deep.equal([first])
    })

    it('lets exactly one of many concurrent adds of a generation win', async () => {
      const candidates = await Promise.all(Array.from({ length: 8 }, () => aKey(subject.maker, 1)))
      const outcomes = await Promise.all(candidates.map((key) => subject.store.add(key)))
      expect(outcomes.filter(Boolean)).to.have.length(1)
      expect(await subject.store.list()).to.deep.equal([candidates[outcomes.indexOf(true)]])
    })

    it('removes a key by kid, and a kid it does not hold is no error', async () => {
      const kids = await subject.hold(2)
      await subject.store.remove(kids[0]!)
      await subject.store.remove('no-such-kid')
      expect((await subject.store.list()).map((key) => key.kid)).to.deep.equal([kids[1]])
    })
  })
}

/** The subject of a store that takes writes: {@linkcode KeyStoreSubject.hold} adds keys as the ring does. */
export function writableSubject(store: KeyStore, maker: JoseKeyMaker): KeyStoreSubject {
  return {
    store,
    maker,
    async hold(count) {
      const kids: string[] = []
      for (let generation = 1; generation <= count; generation++) {
        const key = await aKey(maker, generation)
        if (!await store.add(key)) throw new Error(`generation ${generation} was taken`)
        kids.push(key.kid)
      }
      return kids
    },
  }
}
