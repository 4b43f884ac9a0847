import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import type { RevocationQuery, RevocationStore } from '../../src/application/ports/revocation_store.ts'
import type { FakeClock } from '../support/fake_clock.ts'

/** A store under test and the clock it reads, when it reads one the test can move. */
export interface RevocationStoreSubject {
  readonly store: RevocationStore
  /** Moves the store's notion of time forward by `seconds` (a fake clock, or a real wait). */
  readonly advance: (seconds: number) => Promise<void>
  readonly now: () => number
}

/**
 * The behaviour every {@linkcode RevocationStore} must have, run once per implementation.
 * `make` builds an empty store for each test.
 */
export function revocationStoreContract(name: string, make: () => Promise<RevocationStoreSubject>): void {
  describe(`RevocationStore contract: ${name}`, () => {
    let subject: RevocationStoreSubject
    let query: RevocationQuery
    beforeEach(async () => {
      subject = await make()
      query = { jti: crypto.randomUUID(), fam: crypto.randomUUID(), sub: crypto.randomUUID(), iat: subject.now() }
    })

    it('reports a token that was never revoked as not revoked', async () => {
      expect(await subject.store.isRevoked(query)).to.equal(false)
    })

    it('answers a consistent check like any other', async () => {
      await subject.store.revokeToken(query.jti, subject.now() + 60)
      expect(await subject.store.isRevoked(query, { consistent: true })).to.equal(true)
      expect(await subject.store.isRevoked({ ...query, jti: crypto.randomUUID() }, { consistent: true })).to.equal(
        false,
      )
    })

    it('refuses a token issued before the store started, as a wiped blocklist must', async () => {
      expect(await subject.store.isRevoked({ ...query, iat: subject.now() - 10 })).to.equal(true)
    })

    it('reports a revoked jti as revoked until it expires', async () => {
      await subject.store.revokeToken(query.jti, subject.now() + 1)
      expect(await subject.store.isRevoked(query)).to.equal(true)
      expect(await subject.store.isRevoked({ ...query, jti: crypto.randomUUID() })).to.equal(false)
      await subject.advance(2.05)
      expect(await subject.store.isRevoked(query)).to.equal(false)
    })

    it('revokes every token of a family', async () => {
      await subject.store.revokeFamily(query.fam, subject.now() + 60)
      expect(await subject.store.isRevoked(query)).to.equal(true)
      expect(await subject.store.isRevoked({ ...query, jti: crypto.randomUUID() })).to.equal(true)
      expect(await subject.store.isRevoked({ ...query, fam: crypto.randomUUID() })).to.equal(false)
    })

    it('lets a family revocation expire', async () => {
      await subject.store.revokeFamily(query.fam, subject.now() + 1)
      await subject.advance(2.05)
      expect(await subject.store.isRevoked(query)).to.equal(false)
    })

    it('revokes tokens of a subject issued up to a time, not those issued after it', async () => {
      await subject.advance(1)
      const at = subject.now()
      await subject.store.revokeSubject(query.sub, at, at + 60)
      expect(await subject.store.isRevoked({ ...query, iat: at - 0.5 })).to.equal(true)
      expect(await subject.store.isRevoked({ ...query, iat: at })).to.equal(true)
      expect(await subject.store.isRevoked({ ...query, iat: at + 0.001 })).to.equal(false)
      expect(await subject.store.isRevoked({ ...query, sub: crypto.randomUUID(), iat: at - 0.5 })).to.equal(false)
    })

    it('never moves a subject revocation back to an earlier time', async () => {
      await subject.advance(1)
      const at = subject.now()
      await subject.store.revokeSubject(query.sub, at, at + 60)
      await subject.store.revokeSubject(query.sub, at - 0.9, at + 60)
      expect(await subject.store.isRevoked({ ...query, iat: at - 0.5 })).to.equal(true)
    })

    const rotation = (expiresAt: number, successor = 'successor-1', successorUntil = subject.now() + 10) => ({
      expiresAt,
      successor,
      successorUntil,
    })

    it('retires a refresh token once: the first use answers undefined, a later one the first use and its successor', async () => {
      const first = subject.now()
      expect(await subject.store.retire(query.jti, rotation(first + 60, 'first answer'))).to.equal(undefined)
      await subject.advance(1)
      const again = await subject.store.retire(query.jti, rotation(first + 60, 'second answer'))
      expect(again?.at).to.be.closeTo(first, 0.01)
      expect(again?.successor).to.equal('first answer')
      expect(await subject.store.retire(crypto.randomUUID(), rotation(first + 60))).to.equal(undefined)
    })

    it("keeps the successor only until its own end, the used mark until the token's", async () => {
      const first = subject.now()
      await subject.store.retire(query.jti, rotation(first + 60, 'first answer', first + 1))
      await subject.advance(2.05)
      const again = await subject.store.retire(query.jti, rotation(first + 60))
      expect(again?.at).to.be.closeTo(first, 0.01)
      expect(again?.successor).to.equal(undefined)
    })

    it('lets exactly one of many concurrent uses of a refresh token be the first, and tells every other its successor', async () => {
      const uses = await Promise.all(
        Array.from(
          { length: 20 },
          (_, i) => subject.store.retire(query.jti, rotation(subject.now() + 60, `answer ${i}`)),
        ),
      )
      const firsts = uses.flatMap((use, i) => use === undefined ? [i] : [])
      expect(firsts).to.have.length(1)
      for (const use of uses) if (use !== undefined) expect(use.successor).to.equal(`answer ${firsts[0]}`)
    })

    it('forgets a retired token once it has expired', async () => {
      await subject.store.retire(query.jti, rotation(subject.now() + 1, 'x', subject.now() + 1))
      await subject.advance(2.05)
      expect(await subject.store.retire(query.jti, rotation(subject.now() + 60))).to.equal(undefined)
    })

    it('does not treat a retired refresh token as revoked', async () => {
      await subject.store.retire(query.jti, rotation(subject.now() + 60))
      expect(await subject.store.isRevoked(query)).to.equal(false)
    })

    it('does not shorten a revocation when the same jti is revoked again with an earlier expiry', async () => {
      await subject.store.revokeToken(query.jti, subject.now() + 60)
      await subject.store.revokeToken(query.jti, subject.now() + 1)
      await subject.advance(2.05)
      expect(await subject.store.isRevoked(query)).to.equal(true)
    })
  })
}

/** Adapts a {@linkcode FakeClock} to the subject's time functions. */
export function fakeTime(clock: FakeClock): Pick<RevocationStoreSubject, 'advance' | 'now'> {
  return {
    advance: (seconds) => Promise.resolve(clock.advance(seconds * 1000)),
    now: () => clock.now() / 1000,
  }
}
