import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import type { Session, SessionStore } from '../../src/application/ports/session_store.ts'
import type { UserId } from '../../src/domain/user.ts'

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0)
const DAY = 86_400_000

/** A session of `userId` opened at `created` (ms), its refresh token living `ttl` ms. */
export function aSession(id: string, userId: string, created = T0, ttl = 30 * DAY): Session {
  return {
    id,
    userId: userId as UserId,
    createdAt: new Date(created),
    lastUsedAt: new Date(created),
    expiresAt: new Date(created + ttl),
    refreshJti: `jti-${id}`,
    refreshIat: created / 1000,
    userAgent: 'Mozilla/5.0 (test)',
    ip: '203.0.113.7',
  }
}

/** The behaviour every {@linkcode SessionStore} must have; `make` returns an empty one. */
export function sessionStoreContract(name: string, make: () => Promise<SessionStore>): void {
  describe(`SessionStore contract: ${name}`, () => {
    let store: SessionStore
    beforeEach(async () => {
      store = await make()
    })

    it('saves a session and finds it for its owner only', async () => {
      await store.save(aSession('fam-1', 'alice'))
      expect(await store.find('fam-1', 'alice' as UserId, new Date(T0))).to.deep.equal(aSession('fam-1', 'alice'))
      expect(await store.find('fam-1', 'mallory' as UserId, new Date(T0))).to.equal(undefined)
      expect(await store.find('fam-2', 'alice' as UserId, new Date(T0))).to.equal(undefined)
    })

    it("lists a user's sessions newest first, and nobody else's", async () => {
      await store.save(aSession('old', 'alice', T0))
      await store.save(aSession('new', 'alice', T0 + 1000))
      await store.save(aSession('theirs', 'bob', T0 + 500))
      const listed = await store.listByUser('alice' as UserId, new Date(T0 + 2000))
      expect(listed.map((session) => session.id)).to.deep.equal(['new', 'old'])
    })

    it('does not list or find a session once its refresh lifetime is over', async () => {
      await store.save(aSession('short', 'alice', T0, 60_000))
      await store.save(aSession('long', 'alice', T0))
      const later = new Date(T0 + 60_000)
      expect((await store.listByUser('alice' as UserId, later)).map((session) => session.id)).to.deep.equal(['long'])
      expect(await store.find('short', 'alice' as UserId, later)).to.equal(undefined)
    })

    it('records a use: last use, client, the new refresh token and a later end; the creation time stays', async () => {
      await store.save(aSession('fam', 'alice', T0, 60_000))
      const use = {
        lastUsedAt: new Date(T0 + 50_000),
        expiresAt: new Date(T0 + 110_000),
        refreshJti: 'jti-next',
        refreshIat: (T0 + 50_000) / 1000,
        userAgent: 'curl/8',
        ip: '198.51.100.2',
      }
      expect(await store.touch('fam', use)).to.equal(true)
      const found = await store.find('fam', 'alice' as UserId, new Date(T0 + 100_000))
      expect(found).to.deep.equal({ ...aSession('fam', 'alice', T0, 60_000), ...use })
      expect(await store.touch('unknown', use)).to.equal(false)
    })

    it('keeps an absent user agent and address absent', async () => {
      await store.save({ ...aSession('bare', 'alice'), userAgent: undefined, ip: undefined })
      const found = await store.find('bare', 'alice' as UserId, new Date(T0))
      expect([found?.userAgent, found?.ip]).to.deep.equal([undefined, undefined])
    })

    it('deletes the given sessions of their owner only, answering how many', async () => {
      for (const id of ['a', 'b', 'c']) await store.save(aSession(id, 'alice'))
      await store.save(aSession('d', 'bob'))
      expect(await store.delete('alice' as UserId, ['a', 'b', 'd', 'missing'])).to.equal(2)
      expect(await store.delete('alice' as UserId, [])).to.equal(0)
      expect((await store.listByUser('alice' as UserId, new Date(T0))).map((session) => session.id)).to.deep.equal([
        'c',
      ])
      expect((await store.listByUser('bob' as UserId, new Date(T0))).map((session) => session.id)).to.deep.equal(['d'])
    })

    it('deletes every session of one user', async () => {
      for (const id of ['a', 'b']) await store.save(aSession(id, 'alice'))
      await store.save(aSession('c', 'bob'))
      expect(await store.deleteByUser('alice' as UserId)).to.equal(2)
      expect(await store.listByUser('alice' as UserId, new Date(T0))).to.deep.equal([])
      expect(await store.listByUser('bob' as UserId, new Date(T0))).to.have.length(1)
    })

    it('replaces a session saved again under the same id', async () => {
      await store.save(aSession('fam', 'alice', T0))
      await store.save(aSession('fam', 'alice', T0 + 5000))
      const listed = await store.listByUser('alice' as UserId, new Date(T0 + 6000))
      expect(listed.map((session) => session.createdAt.getTime())).to.deep.equal([T0 + 5000])
    })
  })
}
