import { describe, it } from 'mocha'
import { expect } from 'chai'
import { type FeedEntry, LocalRevocations } from '../../../src/adapters/redis/local_revocations.ts'

describe('LocalRevocations', () => {
  const now = 1_800_000_000
  const query = (over: Partial<{ jti: string; fam: string; sub: string; iat: number }> = {}) => ({
    jti: 'j',
    fam: 'f',
    sub: 's',
    iat: now - 10,
    ...over,
  })
  const entry = (kind: FeedEntry['kind'], id: string, expiresAt: number, value = 0): FeedEntry => ({
    kind,
    id,
    value,
    expiresAt,
  })
  /** A copy with an epoch before every token of these tests. */
  const ready = () => {
    const copy = new LocalRevocations()
    copy.raiseEpoch(now - 100)
    return copy
  }

  it('refuses every token until an epoch is known: an empty copy is not a clear one', () => {
    expect(new LocalRevocations().check(query(), now)).to.equal('revoked')
  })

  it('refuses a token issued before the epoch and clears one issued at it', () => {
    const copy = new LocalRevocations()
    copy.raiseEpoch(now - 10)
    expect([copy.check(query({ iat: now - 11 }), now), copy.check(query({ iat: now - 10 }), now)])
      .to.deep.equal(['revoked', 'clear'])
  })

  it('refuses a token whose issue time is not a number', () => {
    expect(ready().check(query({ iat: Number.NaN }), now)).to.equal('revoked')
  })

  it('only ever moves the epoch forward', () => {
    const copy = new LocalRevocations()
    copy.raiseEpoch(now - 10)
    copy.raiseEpoch(now - 50)
    expect(copy.check(query({ iat: now - 20 }), now)).to.equal('revoked')
  })

  it('asks for a confirmation of a token whose id is held, until the entry expires', () => {
    const copy = ready()
    copy.apply(entry('jti', 'j', now + 60))
    expect([copy.check(query(), now), copy.check(query(), now + 60), copy.check(query({ jti: 'other' }), now)])
      .to.deep.equal(['confirm', 'clear', 'clear'])
  })

  it('asks for a confirmation of a token whose family is held, and not of its id', () => {
    const copy = ready()
    copy.apply(entry('fam', 'f', now + 60))
    expect([copy.check(query(), now), copy.check(query({ fam: 'other', jti: 'f' }), now)])
      .to.deep.equal(['confirm', 'clear'])
  })

  it('refuses tokens of a revoked subject issued up to its time, while the entry lives', () => {
    const copy = ready()
    copy.apply(entry('sub', 's', now + 60, now - 5))
    expect([
      copy.check(query({ iat: now - 5 }), now),
      copy.check(query({ iat: now - 4 }), now),
      copy.check(query({ iat: now - 5, sub: 'other' }), now),
      copy.check(query({ iat: now - 5 }), now + 60),
    ]).to.deep.equal(['revoked', 'clear', 'clear', 'clear'])
  })

  it('never shortens a subject entry: the later time and the later expiry are kept, whichever comes first', () => {
    const copy = ready()
    copy.apply(entry('sub', 'a', now + 60, now - 5))
    copy.apply(entry('sub', 'a', now + 10, now - 50))
    copy.apply(entry('sub', 'b', now + 10, now - 50))
    copy.apply(entry('sub', 'b', now + 60, now - 5))
    const at = now + 30
    expect([copy.check(query({ sub: 'a', iat: now - 5 }), at), copy.check(query({ sub: 'b', iat: now - 5 }), at)])
      .to.deep.equal(['revoked', 'revoked'])
    expect(copy.size).to.equal(2)
  })

  it('counts tokens, families and subjects held, and the bytes of the fingerprint tables', () => {
    const copy = ready()
    const empty = copy.bytes
    copy.apply(entry('jti', 'j1', now + 60))
    copy.apply(entry('jti', 'j2', now + 60))
    copy.apply(entry('fam', 'f1', now + 60))
    copy.apply(entry('sub', 's1', now + 60, now))
    copy.apply(entry('sub', 's2', now + 60, now))
    copy.apply(entry('sub', 's3', now + 60, now))
    expect(copy.size).to.equal(6)
    expect(empty).to.equal(2 * 1024 * 12)
    expect(copy.bytes).to.equal(empty)
  })

  it('drops on a sweep what expired by then, of every kind, and keeps the rest', () => {
    const copy = ready()
    copy.apply(entry('jti', 'gone', now + 10))
    copy.apply(entry('jti', 'kept', now + 60))
    copy.apply(entry('fam', 'gone', now + 10))
    copy.apply(entry('fam', 'kept', now + 60))
    copy.apply(entry('sub', 'gone', now + 10, now))
    copy.apply(entry('sub', 'kept', now + 60, now))
    copy.sweep(now + 10)
    expect(copy.size).to.equal(3)
    expect([
      copy.check(query({ jti: 'kept', fam: 'x', sub: 'x' }), now),
      copy.check(query({ jti: 'x', fam: 'kept', sub: 'x' }), now),
      copy.check(query({ jti: 'x', fam: 'x', sub: 'kept', iat: now }), now),
      copy.check(query({ jti: 'x', fam: 'x', sub: 'gone', iat: now }), now),
    ]).to.deep.equal(['confirm', 'confirm', 'revoked', 'clear'])
  })

  it('keeps a subject entry on a sweep before it expires', () => {
    const copy = ready()
    copy.apply(entry('sub', 's', now + 10, now))
    copy.sweep(now + 9)
    expect(copy.size).to.equal(1)
  })

  it("absorbs another copy's snapshot: its tokens, families, subjects and epoch, never shortening what it holds", () => {
    const other = new LocalRevocations()
    other.apply(entry('jti', 'j1', now + 100))
    other.apply(entry('jti', 'j2', now + 5)) // held here until later: keeps the later expiry
    other.apply(entry('fam', 'f1', now + 100))
    other.apply(entry('sub', 's1', now + 100, now - 5))
    other.raiseEpoch(now - 50)
    const copy = new LocalRevocations()
    copy.apply(entry('jti', 'j2', now + 100))
    copy.raiseEpoch(now - 100)
    copy.absorb(other.snapshot())
    expect(copy.size).to.equal(4)
    expect(copy.check(query({ jti: 'j1' }), now)).to.equal('confirm')
    expect(copy.check(query({ jti: 'j2' }), now + 50)).to.equal('confirm')
    expect(copy.check(query({ jti: 'x', fam: 'f1' }), now)).to.equal('confirm')
    expect(copy.check(query({ jti: 'x', sub: 's1' }), now)).to.equal('revoked') // issued before the subject's cut-off
    expect(copy.check(query({ jti: 'x', iat: now - 60 }), now)).to.equal('revoked') // before the absorbed epoch
    expect(copy.check(query({ jti: 'x' }), now)).to.equal('clear')
  })
})
