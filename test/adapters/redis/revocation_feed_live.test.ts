import { describe, it } from 'mocha'
import { expect } from 'chai'
import { Redis } from 'ioredis'
import { keyBuilder } from '../../../src/adapters/redis/revocation_store.ts'
import { FakeClock } from '../../support/fake_clock.ts'
import { capturingLogger } from '../../support/log_capture.ts'
import { BOUND_MS, feedSuite, QUIET, until } from '../../support/feed_suite.ts'

describe('RevocationFeed: when it answers from memory, and its heartbeats', function () {
  const suite = feedSuite()
  const { instance, query, issuedJustBefore, later, liveWhenHeard, publishUnnumbered, calls, feedOn } = suite

  it('on close, is no longer live and ends its subscription, so later revocations are not learned', async () => {
    const a = await instance(QUIET)
    const b = await instance(QUIET)
    await a.feed.close()
    expect(a.feed.live).to.equal(false)
    await until(() => a.subscriber.status === 'end', BOUND_MS)
    // b hears its own revocations; a would have too, had it still been subscribed.
    for (const revoked of [query(), query()]) {
      const heard = liveWhenHeard(b, revoked.jti)
      await b.store.revokeToken(revoked.jti, later())
      await until(() => heard.length > 0, BOUND_MS)
    }
    expect(b.feed.held.entries).to.equal(2)
    expect(a.feed.held.entries).to.equal(0)
  })

  it('drops revocations whose expiry passed, on a heartbeat sweep, so held memory follows what Redis still keeps', async () => {
    const a = await instance({ heartbeatMs: 10, staleAfterMs: 60_000 })
    const soon = Math.ceil(Date.now() / 1000) + 1
    await a.store.revokeToken(crypto.randomUUID(), soon)
    await a.store.revokeToken(crypto.randomUUID(), later())
    expect(a.feed.held.entries).to.equal(2)
    await until(() => a.feed.held.entries === 1, BOUND_MS)
  })

  it('counts as live up to staleAfterMs after the last message, and no longer 1 ms later', async () => {
    const clock = new FakeClock()
    const a = await instance({ heartbeatMs: 60_000, staleAfterMs: 1000, clock })
    clock.advance(1000)
    const atBound = a.feed.live
    clock.advance(1)
    expect([atBound, a.feed.live]).to.deep.equal([true, false])
  })

  it('counts as live for 3000 ms after the last message when staleAfterMs is not given', async () => {
    const clock = new FakeClock()
    const a = await instance({ heartbeatMs: 60_000, clock })
    clock.advance(3000)
    const atBound = a.feed.live
    clock.advance(1)
    expect([atBound, a.feed.live]).to.deep.equal([true, false])
  })

  it('stops answering from memory as soon as its subscriber connection drops, and resyncs on reconnecting', async () => {
    const a = await instance(QUIET)
    const atClose: boolean[] = []
    // Registered after the feed's own listener, so it runs just after the feed handled the drop.
    a.subscriber.on('close', () => atClose.push(a.feed.live))
    await suite.admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')
    await until(() => atClose.length > 0, BOUND_MS)
    await until(() => a.feed.live, BOUND_MS)
    expect(atClose[0]).to.equal(false)
  })

  it('stops answering from memory the moment a restore of the sequence begins, as its copy predates it', async () => {
    const a = await instance(QUIET)
    const restoring = a.redis.sequence.recover('rollback', a.redis.sequence.highest)
    const whileRestoring = a.feed.live
    await restoring
    expect(whileRestoring).to.equal(false)
    // The restore's heartbeat skips a number: the feed resyncs and answers again.
    await until(() => a.feed.live, BOUND_MS)
  })

  it('reports heartbeats Redis does not answer as one failure for the store, then its recovery', async () => {
    const logs = capturingLogger()
    await instance({ heartbeatMs: 50, staleAfterMs: 60_000, logger: logs.logger })
    await suite.admin.call('CLIENT', 'PAUSE', '1000', 'ALL')
    const said = () => logs.entries().map((entry) => [entry.store, String(entry.msg).slice(0, 13)])
    await until(() => said().length === 2, BOUND_MS)
    expect(said()).to.deep.equal([['redis', 'Redis failed:'], ['redis', 'Redis recover']])
  })

  it('recreates the epoch and refuses older tokens when a heartbeat finds the epoch gone', async () => {
    const a = await instance({ heartbeatMs: 50, staleAfterMs: 60_000 })
    const issuedBefore = await issuedJustBefore()
    expect(a.feed.check(issuedBefore)).to.equal('clear')
    await suite.admin.del(a.keys.epoch)
    await until(async () => Number(await suite.admin.get(a.keys.epoch)) > issuedBefore.iat && a.feed.live, BOUND_MS)
    expect(a.feed.check(issuedBefore)).to.equal('revoked')
  })

  it('refuses tokens issued before an epoch moved forward in Redis, from the next heartbeat on', async () => {
    const a = await instance({ heartbeatMs: 50, staleAfterMs: 60_000 })
    const issued = query()
    expect(a.feed.check(issued)).to.equal('clear')
    await suite.admin.set(a.keys.epoch, String(issued.iat + 1))
    await until(() => a.feed.check(issued) === 'revoked', BOUND_MS)
    expect(a.feed.live).to.equal(true)
  })

  it('does not scan Redis on heartbeats while its copy is current, and does once a message shows a gap', async () => {
    const a = await instance({ heartbeatMs: 20, staleAfterMs: 60_000 })
    const before = await calls('scan')
    const beats = liveWhenHeard(a, 'hb:')
    await until(() => beats.length >= 5, BOUND_MS)
    const afterBeats = await calls('scan')
    await publishUnnumbered(a.keys)
    await until(async () => await calls('scan') > afterBeats, BOUND_MS)
    expect(afterBeats).to.equal(before)
  })

  it('sweeps what expired on every 30th heartbeat, not on the ones between', async () => {
    const prefix = `feed:${crypto.randomUUID()}:`
    const keys = keyBuilder(prefix)
    await suite.admin.set(keys.jti(crypto.randomUUID()), '0', 'EXAT', later())
    await suite.admin.set(keys.jti(crypto.randomUUID()), '0', 'EXAT', later() + 600)
    const clock = new FakeClock()
    const evals = await calls('eval') // the heartbeat script is all that runs EVAL here
    const a = await instance({ heartbeatMs: 40, staleAfterMs: 60_000, clock }, prefix)
    clock.advance(1_000_000) // past the first key's expiry by the feed's clock, not the second's
    const beats = liveWhenHeard(a, 'hb:')
    await until(() => beats.length >= 3, BOUND_MS)
    const between = a.feed.held.entries
    // Read after `between`: fewer than 30 heartbeats had run when it was taken.
    expect(await calls('eval') - evals).to.be.below(30)
    expect(between).to.equal(2)
    await until(() => a.feed.held.entries === 1, 10_000)
  })

  it('does not try to resync from a heartbeat while its subscriber connection is down', async () => {
    const logs = capturingLogger()
    const a = await instance({ heartbeatMs: 20, staleAfterMs: 60_000, logger: logs.logger })
    const b = await instance(QUIET, a.keys.prefix)
    a.subscriber.disconnect()
    await until(() => a.subscriber.status === 'end', BOUND_MS)
    const beats = liveWhenHeard(b, 'hb:') // a's heartbeats, which it still publishes
    await until(() => beats.length >= 3, BOUND_MS)
    expect([a.feed.live, logs.lines]).to.deep.equal([false, []])
  })

  it('stops publishing heartbeats on close', async () => {
    const a = await instance({ heartbeatMs: 20, staleAfterMs: 60_000 })
    const b = await instance({ heartbeatMs: 20, staleAfterMs: 60_000 })
    const id = await a.client.client('ID')
    await a.feed.close()
    await a.client.ping()
    const beats = liveWhenHeard(b, 'hb:') // another instance's heartbeats, on the same interval
    await until(() => beats.length >= 5, BOUND_MS)
    const line = (await suite.admin.client('LIST', 'ID', String(id)) as string).trim()
    expect(/ cmd=(\S+)/.exec(line)?.[1]).to.equal('ping')
  })

  it('does not hold the process open with its heartbeat timer, should it never be closed', async () => {
    const node = new Redis(suite.redis.url) // no command timeout: a command sets no timer of its own
    const feed = feedOn(node, node, keyBuilder(`feed:${crypto.randomUUID()}:`))
    const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length
    const before = timers()
    feed.start() // its interval, and the first heartbeat, set up synchronously: nothing else runs meanwhile
    const after = timers()
    await feed.close()
    await node.quit()
    expect(after).to.equal(before)
  })
})
