import { describe, it } from 'mocha'
import { expect } from 'chai'
import {
  type KeyPolicy,
  keyState,
  liveKeys,
  nextKeyDue,
  removableKeys,
  rotationAt,
  scheduled,
  type SigningKey,
  signingKeyAt,
  summarize,
} from '../../src/domain/signing_key.ts'

const H = 3_600_000
const D = 24 * H
const POLICY: KeyPolicy = { rotationMs: 30 * D, prepublishMs: 2 * H, retentionMs: 31 * D }
const T0 = Date.UTC(2030, 0, 1)

const key = (generation: number, signsFrom: number, extra: Partial<SigningKey> = {}): SigningKey => ({
  kid: `k${generation}`,
  alg: 'ES256',
  generation,
  publishedAt: signsFrom - POLICY.prepublishMs,
  signsFrom,
  publicJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' },
  sealed: 'sealed',
  ...extra,
})

describe('keyState', () => {
  it('is published before signsFrom, signing from it, retired from signsUntil and removed from removeAt', () => {
    const k = key(1, T0, { signsUntil: T0 + 30 * D, removeAt: T0 + 61 * D })
    expect(keyState(k, T0 - 1)).to.equal('published')
    expect(keyState(k, T0)).to.equal('signing')
    expect(keyState(k, T0 + 30 * D - 1)).to.equal('signing')
    expect(keyState(k, T0 + 30 * D)).to.equal('retired')
    expect(keyState(k, T0 + 61 * D - 1)).to.equal('retired')
    expect(keyState(k, T0 + 61 * D)).to.equal('removed')
  })

  it('keeps a key with no successor signing, and one with no removal time retired, for ever', () => {
    expect(keyState(key(1, T0), T0 + 1000 * D)).to.equal('signing')
    expect(keyState(key(1, T0, { signsUntil: T0, removeAt: Number.POSITIVE_INFINITY }), T0 + 1000 * D)).to.equal(
      'retired',
    )
  })
})

describe('scheduled', () => {
  it("orders keys by generation and ends each one's signing where the next generation's begins", () => {
    const keys = scheduled([key(3, T0 + 60 * D), key(1, T0), key(2, T0 + 30 * D)], POLICY)
    expect(keys.map((k) => [k.generation, k.signsUntil])).to.deep.equal([[1, T0 + 30 * D], [2, T0 + 60 * D], [
      3,
      undefined,
    ]])
  })

  it('removes a key the retention after it last signed', () => {
    const [first, second] = scheduled([key(1, T0), key(2, T0 + 30 * D)], POLICY)
    expect(first!.removeAt).to.equal(T0 + 30 * D + POLICY.retentionMs)
    expect(second!.removeAt).to.equal(undefined)
  })

  it("keeps the times a store states (a key file's verify-only keys)", () => {
    const [verifyOnly] = scheduled(
      [key(1, 0, { signsUntil: 0, removeAt: Number.POSITIVE_INFINITY }), key(2, 0)],
      POLICY,
    )
    expect(verifyOnly!.signsUntil).to.equal(0)
    expect(verifyOnly!.removeAt).to.equal(Number.POSITIVE_INFINITY)
  })
})

describe('the key schedule over a rotation', () => {
  // Generation 1 signs from T0; generation 2 was published 2 h before T0 + 30 d and signs then.
  const keys = scheduled([key(1, T0), key(2, T0 + 30 * D)], POLICY)

  it('signs with the newest key that has started, and with no other', () => {
    expect(signingKeyAt(keys, T0 + 30 * D - 1)?.kid).to.equal('k1')
    expect(signingKeyAt(keys, T0 + 30 * D)?.kid).to.equal('k2')
  })

  it('signs with the first key on a clock behind the instance that made it, rather than with none', () => {
    expect(signingKeyAt(keys, T0 - 1000)?.kid).to.equal('k1')
    expect(signingKeyAt([], T0)).to.equal(undefined)
  })

  it('publishes and verifies the pre-published key, the signing key and the retired key until it is removed', () => {
    expect(liveKeys(keys, T0 + 29 * D).map((k) => k.kid)).to.deep.equal(['k1', 'k2'])
    expect(liveKeys(keys, T0 + 30 * D + POLICY.retentionMs - 1).map((k) => k.kid)).to.deep.equal(['k1', 'k2'])
    expect(liveKeys(keys, T0 + 30 * D + POLICY.retentionMs).map((k) => k.kid)).to.deep.equal(['k2'])
  })

  it('lists a key as removable once its retention is over, and no sooner', () => {
    expect(removableKeys(keys, T0 + 30 * D + POLICY.retentionMs - 1)).to.deep.equal([])
    expect(removableKeys(keys, T0 + 30 * D + POLICY.retentionMs).map((k) => k.kid)).to.deep.equal(['k1'])
  })
})

describe('nextKeyDue', () => {
  it('asks for a first key that signs at once when there is none', () => {
    expect(nextKeyDue([], POLICY, T0)).to.deep.equal({ generation: 1, publishedAt: T0, signsFrom: T0 })
  })

  it('asks for nothing until the pre-publication period before the rotation', () => {
    const keys = scheduled([key(1, T0)], POLICY)
    expect(nextKeyDue(keys, POLICY, T0 + 30 * D - 2 * H - 1)).to.equal(undefined)
  })

  it('asks for the next generation, signing at the rotation, from the pre-publication period before it', () => {
    const keys = scheduled([key(1, T0)], POLICY)
    const now = T0 + 30 * D - 2 * H
    expect(nextKeyDue(keys, POLICY, now)).to.deep.equal({ generation: 2, publishedAt: now, signsFrom: T0 + 30 * D })
  })

  it('never lets a late key sign before it was published for the whole pre-publication period', () => {
    const keys = scheduled([key(1, T0)], POLICY)
    const now = T0 + 45 * D // nobody refreshed for two weeks past the rotation
    expect(nextKeyDue(keys, POLICY, now)).to.deep.equal({ generation: 2, publishedAt: now, signsFrom: now + 2 * H })
  })

  it('asks for nothing while the next key is published and not yet signing', () => {
    const keys = scheduled([key(1, T0), key(2, T0 + 30 * D)], POLICY)
    expect(nextKeyDue(keys, POLICY, T0 + 30 * D - 1)).to.equal(undefined)
    expect(nextKeyDue(keys, POLICY, T0 + 30 * D)).to.equal(undefined)
    expect(nextKeyDue(keys, POLICY, T0 + 60 * D - 2 * H)?.generation).to.equal(3)
  })
})

describe('rotationAt', () => {
  it('schedules the next generation now, pre-published for the whole period', () => {
    const keys = scheduled([key(1, T0)], POLICY)
    expect(rotationAt(keys, POLICY, T0 + D)).to.deep.equal({
      generation: 2,
      publishedAt: T0 + D,
      signsFrom: T0 + D + 2 * H,
    })
  })

  it('adds nothing while a next key is published and not yet signing', () => {
    const keys = scheduled([key(1, T0), key(2, T0 + D)], POLICY)
    expect(rotationAt(keys, POLICY, T0 + D - 1)).to.equal(undefined)
    expect(rotationAt(keys, POLICY, T0 + D)?.generation).to.equal(3)
  })
})

describe('summarize', () => {
  it('shows the state and times, never the sealed private key or the public key', () => {
    const [first] = scheduled([key(1, T0), key(2, T0 + 30 * D)], POLICY)
    const summary = summarize(first!, T0 + 31 * D)
    expect(summary).to.deep.equal({
      kid: 'k1',
      alg: 'ES256',
      generation: 1,
      state: 'retired',
      publishedAt: T0 - 2 * H,
      signsFrom: T0,
      signsUntil: T0 + 30 * D,
      removeAt: T0 + 30 * D + POLICY.retentionMs,
    })
  })
})
