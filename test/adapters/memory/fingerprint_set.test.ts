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

  it('takes at most 32 bytes an entry at a million entries, and at every size on the way, just after each growth included', () => {
    const set = new FingerprintSet()
    const over: string[] = []
    let slots = set.bytes / 12
    for (let i = 1; i <= 1_000_000; i++) {
      set.add(`jti-${i}-${i * 7919}`, now + 3600)
      if (set.bytes / 12 !== slots) {
        slots = set.bytes / 12
        // Just grown: the emptiest the table gets while filling.
        if (set.bytes / set.size > 32) over.push(`${set.size} entries: ${set.bytes / set.size} B`)
      }
    }
    expect(set.size).to.equal(1_000_000)
    expect(set.bytes / set.size).to.be.at.most(32)
    expect(over).to.deep.equal([])
  })

  it('after a sweep, takes at most 32 bytes a live entry once past its initial size', () => {
    const set = new FingerprintSet()
    for (let i = 0; i < 100_000; i++) set.add(`jti-${i}`, i < 60_000 ? now + 1 : now + 100)
    set.sweep(now + 2)
    expect(set.size).to.equal(40_000)
    expect(set.bytes / set.size).to.be.at.most(32)
    expect(set.mayHold('jti-99999', now + 50)).to.equal(true)
  })
})
