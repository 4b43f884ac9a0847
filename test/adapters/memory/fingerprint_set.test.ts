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

  it('rounds a table up to a power of two slots of 12 bytes, at least 16', () => {
    expect([
      new FingerprintSet().bytes,
      new FingerprintSet(100).bytes,
      new FingerprintSet(1).bytes,
      new FingerprintSet(16).bytes,
    ])
      .to.deep.equal([1024 * 12, 128 * 12, 16 * 12, 16 * 12])
  })

  it('doubles the table when an entry would fill more than three quarters of it', () => {
    const set = new FingerprintSet(16)
    for (let i = 0; i < 12; i++) set.add(`id-${i}`, now + 60)
    const full = set.bytes
    set.add('id-12', now + 60)
    expect([full, set.bytes, set.size]).to.deep.equal([16 * 12, 32 * 12, 13])
  })

  it('keeps an id with a fractional expiry until the whole second after it', () => {
    const set = new FingerprintSet()
    set.add('a', now + 0.25)
    expect([set.mayHold('a', now), set.mayHold('a', now + 1)]).to.deep.equal([true, false])
  })

  it('clamps an expiry to what 32 bits of seconds hold: from 1 (0 marks an empty slot) to 2^32 - 1', () => {
    const set = new FingerprintSet()
    set.add('early', -10)
    set.add('late', 2 ** 40)
    expect([set.mayHold('early', 0), set.mayHold('early', 1), set.mayHold('late', 2 ** 32 - 2), set.size])
      .to.deep.equal([true, false, true, 2])
  })

  it('tells apart ids whose fingerprints share one of their two halves', () => {
    // Found by search with a copy of the fingerprint function: the first two share the low
    // 32 bits (so they start at the same slot), the last two the high 32 bits and the slot
    // of a 16-slot table.
    for (const [a, b] of [['lo-71868', 'lo-1491500'], ['hi-960489', 'hi-1123003']] as const) {
      const set = new FingerprintSet(16)
      set.add(a, now + 60)
      expect(set.mayHold(b, now), b).to.equal(false)
      set.add(b, now + 10)
      expect([set.size, set.mayHold(a, now + 30), set.mayHold(b, now + 30)], a).to.deep.equal([2, true, false])
    }
  })

  it('drops on a sweep an entry that expires at that very second, and keeps one a second later', () => {
    const set = new FingerprintSet()
    set.add('gone', now)
    set.add('kept', now + 1)
    set.sweep(now)
    expect([set.size, set.mayHold('kept', now)]).to.deep.equal([1, true])
  })

  it('shrinks a table on a sweep by halves while under 3/8 of it is live, never below 1024 slots', () => {
    const live = (set: FingerprintSet, count: number, until: number) => {
      for (let i = 0; i < count; i++) set.add(`live-${i}`, until)
      return set
    }
    const threeEighths = live(new FingerprintSet(2048), 768, now + 60)
    threeEighths.sweep(now)
    const under = live(new FingerprintSet(2048), 767, now + 60)
    under.sweep(now)
    // Entries expiring at the sweep are not live: the table shrinks.
    const expiring = live(new FingerprintSet(2048), 768, now)
    expiring.sweep(now)
    const empty = new FingerprintSet(8192)
    empty.sweep(now)
    expect([threeEighths.bytes, under.bytes, expiring.bytes, empty.bytes]).to.deep.equal([
      2048 * 12,
      1024 * 12,
      1024 * 12,
      1024 * 12,
    ])
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
