import { describe, it } from 'mocha'
import { expect } from 'chai'
import { FingerprintSet } from '../../../src/adapters/memory/fingerprint_set.ts'

describe('FingerprintSet', () => {
  const now = 1_800_000_000

  it('holds every id added until it expires: a miss is certain', () => {
    const set = new FingerprintSet(16)
    const ids = Array.from({ length: 5000 }, () => crypto.randomUUID())
    ids.forEach((id, i) => set.add(id, now + 10 + (i % 5)))
    for (const [i, id] of ids.entries()) {
      expect(set.mayHold(id, now), id).to.equal(true)
      expect(set.mayHold(id, now + 10 + (i % 5)), id).to.equal(false)
    }
  })

  it('answers no for ids never added, bar a rare fingerprint collision', () => {
    const set = new FingerprintSet()
    for (let i = 0; i < 50_000; i++) set.add(crypto.randomUUID(), now + 60)
    const strangers = Array.from({ length: 50_000 }, () => crypto.randomUUID())
    expect(strangers.filter((id) => set.mayHold(id, now)).length).to.be.at.most(1)
  })

  it('keeps the later expiry when an id is added twice, whichever comes first', () => {
    const set = new FingerprintSet()
    set.add('a', now + 60)
    set.add('a', now + 1)
    set.add('b', now + 1)
    set.add('b', now + 60)
    expect([set.mayHold('a', now + 30), set.mayHold('b', now + 30), set.size]).to.deep.equal([true, true, 2])
  })

  it('drops expired entries on a sweep and shrinks a mostly empty table, keeping the live ones', () => {
    const set = new FingerprintSet()
    const old = Array.from({ length: 20_000 }, () => crypto.randomUUID())
    for (const id of old) set.add(id, now + 1)
    set.add('kept', now + 100)
    const grown = set.bytes
    set.sweep(now + 2)
    expect(set.size).to.equal(1)
    expect(set.bytes).to.be.below(grown / 8)
    expect(set.mayHold('kept', now + 50)).to.equal(true)
    expect(old.some((id) => set.mayHold(id, now))).to.equal(false)
  })

  it('takes at most 32 bytes an entry at a million entries', () => {
    const set = new FingerprintSet()
    for (let i = 0; i < 1_000_000; i++) set.add(`jti-${i}-${i * 7919}`, now + 3600)
    expect(set.size).to.equal(1_000_000)
    expect(set.bytes / set.size).to.be.at.most(32)
  })
})
