import { describe, it } from 'mocha'
import { expect } from 'chai'
import { Redis } from 'ioredis'
import { keyBuilder } from '../../../src/adapters/redis/revocation_store.ts'
import { BOUND_MS, fakeCluster, feedSuite, QUIET, until } from '../../support/feed_suite.ts'

describe('RevocationFeed: sequence numbers, and what it holds', function () {
  const suite = feedSuite()
  const { instance, revocationMessage, query, later, writeUnannounced, liveWhenHeard, feedOn } = suite

  it('learns a revocation whose message was lost from the next heartbeat, whose sequence is ahead', async () => {
    const a = await instance({ heartbeatMs: 50 })
    const lost = query()
    await writeUnannounced(a.keys, lost.jti)
    // Answered from memory (the feed is live), and right.
    await until(async () => a.feed.live && await a.store.isRevoked(lost), BOUND_MS)
  })

  it('stops answering from memory when a revocation skips a sequence number, until a resync brought the skipped one', async () => {
    const a = await instance(QUIET)
    const [lost, announced] = [query(), query()]
    await writeUnannounced(a.keys, lost.jti)
    const seq = await writeUnannounced(a.keys, announced.jti)
    const live = liveWhenHeard(a, announced.jti)
    await suite.admin.publish(a.keys.channel, revocationMessage(seq, announced.jti))
    await until(() => live.length === 1, BOUND_MS)
    expect(live).to.deep.equal([false])
    await until(() => a.feed.live, BOUND_MS)
    expect([a.feed.check(lost) !== 'clear', a.feed.check(announced) !== 'clear']).to.deep.equal([true, true])
  })

  it('resyncs on a revocation that carries no sequence number, as an instance from before them publishes', async () => {
    const a = await instance(QUIET)
    const [lost, announced] = [query(), query()]
    await writeUnannounced(a.keys, lost.jti)
    const live = liveWhenHeard(a, announced.jti)
    await suite.admin.publish(
      a.keys.channel,
      JSON.stringify({ kind: 'jti', id: announced.jti, value: 0, expiresAt: later() }),
    )
    await until(() => live.length === 1, BOUND_MS)
    expect(live).to.deep.equal([false])
    await until(() => a.feed.live, BOUND_MS)
    expect([a.feed.check(lost) !== 'clear', a.feed.check(announced) !== 'clear']).to.deep.equal([true, true])
  })

  it('keeps answering through a revocation that follows the last one, and a bare heartbeat of an older instance', async () => {
    const a = await instance(QUIET)
    const next = query()
    const seq = await writeUnannounced(a.keys, next.jti)
    const live = liveWhenHeard(a, next.jti)
    await suite.admin.publish(a.keys.channel, revocationMessage(seq, next.jti))
    await until(() => live.length === 1, BOUND_MS)
    const beat = liveWhenHeard(a, 'hb')
    await suite.admin.publish(a.keys.channel, 'hb')
    await until(() => beat.length === 1, BOUND_MS)
    expect([...live, ...beat]).to.deep.equal([true, true])
    expect(a.feed.check(next) !== 'clear').to.equal(true)
  })

  it('moves the epoch to now and resyncs when a heartbeat reads a lower sequence than it saw (Redis lost writes)', async () => {
    const a = await instance({ heartbeatMs: 50 })
    const issuedBefore = query()
    await a.store.revokeToken(crypto.randomUUID(), later())
    await a.store.revokeToken(crypto.randomUUID(), later())
    expect(await suite.admin.get(a.keys.sequence)).to.equal('2')
    // What a snapshot taken between the two revocations holds.
    await suite.admin.set(a.keys.sequence, '1')
    await until(async () => Number(await suite.admin.get(a.keys.epoch)) > issuedBefore.iat && a.feed.live, BOUND_MS)
    expect(a.feed.check(issuedBefore) !== 'clear').to.equal(true)
    expect(Number(await suite.admin.get(a.keys.sequence))).to.be.greaterThan(2)
    expect(a.feed.check(query()) !== 'clear').to.equal(false)
  })

  it('holds, once live, every revocation Redis had when it started, and only those', async () => {
    const prefix = `feed:${crypto.randomUUID()}:`
    const revoked = [query(), query(), query()]
    for (const { jti } of revoked) await writeUnannounced(keyBuilder(prefix), jti)
    const started = await instance(QUIET, prefix)
    expect(started.feed.held.entries).to.equal(3)
    expect(started.feed.held.bytes).to.be.greaterThan(0)
    for (const token of revoked) expect(started.feed.check(token)).to.not.equal('clear')
    expect(started.feed.check(query())).to.equal('clear')
  })

  it('holds a revocation key that has no expiry (set by hand), as Redis-direct checks do, rather than clearing it', async () => {
    const prefix = `feed:${crypto.randomUUID()}:`
    const keys = keyBuilder(prefix)
    const persistent = query()
    await suite.admin.set(keys.jti(persistent.jti), '0') // no EX: EXPIRETIME answers -1
    await suite.admin.incr(keys.sequence)
    const started = await instance(QUIET, prefix)
    expect(await started.redis.isRevoked(persistent)).to.equal(true)
    expect(started.feed.held.entries).to.equal(1)
    expect(started.feed.check(persistent)).to.not.equal('clear')
    expect(await started.store.isRevoked(persistent)).to.equal(true)
  })

  it('keeps answering through consecutive numbered revocations', async () => {
    const a = await instance(QUIET)
    const live: boolean[] = []
    for (const next of [query(), query(), query()]) {
      const seq = await writeUnannounced(a.keys, next.jti)
      const heard = liveWhenHeard(a, next.jti)
      await suite.admin.publish(a.keys.channel, revocationMessage(seq, next.jti))
      await until(() => heard.length === 1, BOUND_MS)
      live.push(...heard)
    }
    expect(live).to.deep.equal([true, true, true])
  })

  it('loads only revocation keys of its three kinds under its own prefix', async () => {
    const prefix = `feed:${crypto.randomUUID()}:`
    const keys = keyBuilder(prefix)
    const [revoked, nested, elsewhere] = [query(), query(), query()]
    await writeUnannounced(keys, revoked.jti)
    await suite.admin.set(`${prefix}revoked:other:${crypto.randomUUID()}`, '0', 'EXAT', later())
    await suite.admin.set(`${prefix}revoked:other:revoked:jti:${nested.jti}`, '0', 'EXAT', later())
    await suite.admin.set(`${prefix}revoked:jti:`, '0', 'EXAT', later())
    await suite.admin.set(keyBuilder(`x${prefix}`).jti(elsewhere.jti), '0', 'EXAT', later())
    const started = await instance(QUIET, prefix)
    expect(started.feed.held.entries).to.equal(1)
    const checks = [revoked, nested, elsewhere].map((token) => started.feed.check({ ...token, iat: Date.now() / 1000 }))
    expect(checks).to.deep.equal([
      'confirm',
      'clear',
      'clear',
    ])
  })

  it('holds a revocation whose id has a line break, as Redis-direct checks refuse that token', async () => {
    const prefix = `feed:${crypto.randomUUID()}:`
    const broken = { ...query(), jti: `${crypto.randomUUID()}\n${crypto.randomUUID()}` }
    await writeUnannounced(keyBuilder(prefix), broken.jti)
    const started = await instance(QUIET, prefix)
    const token = { ...broken, iat: Date.now() / 1000 }
    expect(await started.redis.isRevoked(token)).to.equal(true)
    expect(started.feed.check(token)).to.equal('confirm')
    expect(started.feed.check({ ...token, jti: broken.jti.split('\n')[0]! })).to.equal('clear')
  })

  it('on a Cluster, scans every primary for revocations, not only the node it sends commands to', async () => {
    const keys = keyBuilder(`feed:${crypto.randomUUID()}:`)
    const [first, second] = [new Redis(suite.redis.url), new Redis(`${suite.redis.url}/1`)]
    const [onFirst, onSecond] = [query(), query()]
    await suite.admin.set(keys.epoch, String(Date.now() / 1000 - 10))
    await writeUnannounced(keys, onFirst.jti)
    await second.set(keys.jti(onSecond.jti), '0', 'EXAT', later())
    const roles: string[] = []
    const feed = feedOn(first, fakeCluster([first, second], roles), keys)
    feed.start()
    try {
      await until(() => feed.live, BOUND_MS)
      expect([feed.check(onFirst), feed.check(onSecond), roles]).to.deep.equal(['confirm', 'confirm', ['master']])
    } finally {
      await feed.close()
      await first.quit()
      await second.quit()
    }
  })
})
