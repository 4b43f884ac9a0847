import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import { JoseKeyMaker } from '../../src/adapters/crypto/jose_key_maker.ts'
import { MemoryKeyStore } from '../../src/adapters/memory/key_store.ts'
import { KeyRing, type KeyRingDeps } from '../../src/application/key_ring.ts'
import type { KeyStore } from '../../src/application/ports/key_store.ts'
import type { KeyPolicy } from '../../src/domain/signing_key.ts'
import { rejectsWith, throwsWith } from '../support/core_fixtures.ts'
import { FakeClock } from '../support/fake_clock.ts'
import { Gates } from '../support/gates.ts'
import { GatedKeyStore, SwitchableKeyStore } from '../support/key_stores.ts'

const H = 3_600_000
const D = 24 * H
const POLICY: KeyPolicy = { rotationMs: 30 * D, prepublishMs: 2 * H, retentionMs: 31 * D }
const SECRET = new TextEncoder().encode('key-ring-test-secret-Zq8xW2pL0vN7-Hq3wZ8rV1tN6')

describe('KeyRing', () => {
  let clock: FakeClock
  let store: MemoryKeyStore
  let maker: JoseKeyMaker
  const ring = (overrides: Partial<KeyRingDeps> = {}) =>
    new KeyRing({ store, maker, clock, policy: POLICY, algorithm: 'ES256', managed: true, ...overrides })
  const kids = (r: KeyRing) => r.published().map((key) => key.kid)

  beforeEach(() => {
    clock = new FakeClock()
    store = new MemoryKeyStore()
    maker = new JoseKeyMaker({ secret: SECRET })
  })

  it('creates the first key when the store is empty, and signs with it at once', async () => {
    const keys = ring()
    await keys.refresh()
    const stored = await store.list()
    expect(stored).to.have.length(1)
    expect(keys.current()).to.include({ kid: stored[0]!.kid, alg: 'ES256' })
    expect(keys.describe().map((key) => key.state)).to.deep.equal(['signing'])
  })

  for (const algorithm of ['EdDSA', 'RS256'] as const) {
    it(`generates ${algorithm} keys when told to`, async () => {
      const keys = ring({ algorithm })
      await keys.refresh()
      expect(keys.current().alg).to.equal(algorithm)
      expect(keys.published()[0]!.publicJwk.kty).to.equal(algorithm === 'EdDSA' ? 'OKP' : 'RSA')
    })
  }

  it('holds the key another instance created instead of creating one of its own', async () => {
    const first = ring()
    await first.refresh()
    const second = ring({ maker: new JoseKeyMaker({ secret: SECRET }) })
    await second.refresh()
    expect(await store.list()).to.have.length(1)
    expect(second.current().kid).to.equal(first.current().kid)
  })

  it('publishes the next key the pre-publication period before the rotation, and signs with it from the rotation', async () => {
    const keys = ring()
    await keys.refresh()
    const first = keys.current().kid
    clock.advance(30 * D - 2 * H - 1)
    await keys.refresh()
    expect(kids(keys)).to.deep.equal([first])
    clock.advance(1)
    await keys.refresh()
    const [, next] = kids(keys)
    expect(next).to.be.a('string').and.not.equal(first)
    expect(keys.current().kid, 'still the first key while the next one is pre-published').to.equal(first)
    expect(keys.describe().map((key) => key.state)).to.deep.equal(['signing', 'published'])
    clock.advance(2 * H - 1)
    expect(keys.current().kid).to.equal(first)
    clock.advance(1) // no refresh needed: the schedule moves every instance at the same moment
    expect(keys.current().kid).to.equal(next)
  })

  it('verifies with a pre-published key already: an instance whose clock runs ahead may sign with it', async () => {
    const keys = ring()
    await keys.refresh()
    clock.advance(30 * D - 2 * H)
    await keys.refresh()
    const next = keys.published()[1]!.kid
    expect(keys.find(next)?.kid).to.equal(next)
  })

  it('keeps verifying and publishing a retired key for the retention, then drops it and removes it from the store', async () => {
    const keys = ring()
    await keys.refresh()
    const first = keys.current().kid
    clock.advance(30 * D - 2 * H)
    await keys.refresh()
    clock.advance(2 * H + POLICY.retentionMs - 1)
    expect(keys.find(first)?.kid).to.equal(first)
    expect(kids(keys)).to.include(first)
    clock.advance(1)
    expect(keys.find(first), 'not past its removal, even before a refresh').to.equal(undefined)
    expect(kids(keys)).to.not.include(first)
    await keys.refresh()
    expect((await store.list()).map((key) => key.kid)).to.not.include(first)
  })

  it('adds at most one next key when instances race for it, and every instance holds that one', async () => {
    const gated = new GatedKeyStore()
    const [a, b] = [ring({ store: gated }), ring({ store: gated, maker: new JoseKeyMaker({ secret: SECRET }) })]
    await a.refresh()
    await b.refresh()
    clock.advance(30 * D - 2 * H)
    gated.gates = new Gates()
    const refreshes = [a.refresh(), b.refresh()]
    // Both instances generated a key and reached the store before either wrote.
    await gated.gates.at(0).reached
    await gated.gates.at(1).reached
    gated.gates.openAll()
    await Promise.all(refreshes)
    const stored = await gated.list()
    expect(stored.map((key) => key.generation)).to.deep.equal([1, 2])
    expect(kids(a)).to.deep.equal(stored.map((key) => key.kid))
    expect(kids(b)).to.deep.equal(stored.map((key) => key.kid))
    clock.advance(2 * H)
    expect(a.current().kid).to.equal(b.current().kid).and.equal(stored[1]!.kid)
  })

  it('refuses keys sealed under another secret and creates none in their place, even when one is due', async () => {
    await ring().refresh()
    const other = ring({
      maker: new JoseKeyMaker({ secret: new TextEncoder().encode('a-different-secret-Hq3wZ8rV1tN6yB4mK7pL2xC9') }),
    })
    clock.advance(31 * D)
    const error = await other.refresh().then(() => undefined, (e: unknown) => e)
    expect(error).to.be.instanceOf(RangeError)
    expect((error as Error).message).to.match(/^Cannot open signing key .*KEY_ENCRYPTION_SECRET/)
    expect(await store.list()).to.have.length(1)
    throwsWith(() => other.current(), 'service_unavailable')
  })

  it('keeps the keys it holds when the store cannot answer, and signs and verifies with them', async () => {
    const flaky = new SwitchableKeyStore()
    const keys = ring({ store: flaky })
    await keys.refresh()
    const kid = keys.current().kid
    flaky.down = true
    await rejectsWith(keys.refresh(), 'service_unavailable')
    expect(keys.current().kid).to.equal(kid)
    expect(keys.find(kid)?.kid).to.equal(kid)
  })

  it('answers service_unavailable, never "no such key", before it has ever held keys', async () => {
    const flaky = new SwitchableKeyStore()
    flaky.down = true
    const keys = ring({ store: flaky })
    await rejectsWith(keys.refresh(), 'service_unavailable')
    throwsWith(() => keys.current(), 'service_unavailable')
    throwsWith(() => keys.find('any'), 'service_unavailable')
    expect(keys.published()).to.deep.equal([])
  })

  it('shares one refresh among concurrent calls', async () => {
    const counting = new SwitchableKeyStore()
    const keys = ring({ store: counting })
    await Promise.all([keys.refresh(), keys.refresh(), keys.refresh()])
    // One run: list, add the first key, list again.
    expect(counting.calls).to.equal(3)
  })

  it('finds no key for a token without a kid: every key of a ring has one', async () => {
    const keys = ring()
    await keys.refresh()
    expect(keys.find(undefined)).to.equal(undefined)
    expect(keys.find('unknown-kid')).to.equal(undefined)
  })

  it('rotates on demand: the next key is published now and signs after the pre-publication period', async () => {
    const keys = ring()
    await keys.refresh()
    const first = keys.current().kid
    clock.advance(D)
    const rotation = await keys.rotate()
    expect(rotation.created).to.equal(true)
    expect(rotation.key).to.include({ generation: 2, state: 'published', signsFrom: clock.now() + 2 * H })
    expect(keys.current().kid).to.equal(first)
    const again = await keys.rotate()
    expect(again).to.deep.equal({ key: rotation.key, created: false })
    clock.advance(2 * H)
    expect(keys.current().kid).to.equal(rotation.key.kid)
  })

  it("uses an unmanaged store's keys as they are: it creates, rotates and removes none", async () => {
    const keys = ring({ managed: false })
    await keys.refresh()
    expect(await store.list()).to.deep.equal([])
    throwsWith(() => keys.current(), 'service_unavailable')
    expect(await keys.rotate().then(() => undefined, (e: unknown) => e)).to.be.instanceOf(TypeError)
  })

  it('never writes to a store it does not manage, whatever the schedule says', async () => {
    const writes: string[] = []
    const readOnly: KeyStore = {
      list: () => store.list(),
      add: () => {
        writes.push('add')
        return Promise.resolve(false)
      },
      remove: () => {
        writes.push('remove')
        return Promise.resolve()
      },
    }
    await ring().refresh() // a first key, made by a managed ring
    const keys = ring({ store: readOnly, managed: false })
    clock.advance(365 * D)
    await keys.refresh()
    expect(writes).to.deep.equal([])
    expect(keys.describe()).to.have.length(1)
  })
})
