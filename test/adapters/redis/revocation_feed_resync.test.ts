import { describe, it } from 'mocha'
import { expect } from 'chai'
import { FakeClock } from '../../support/fake_clock.ts'
import { capturingLogger } from '../../support/log_capture.ts'
import { BOUND_MS, feedSuite, HELD_UP, QUIET, until } from '../../support/feed_suite.ts'

describe('RevocationFeed: resyncs', function () {
  const suite = feedSuite()
  const {
    instance,
    revocationMessage,
    query,
    issuedJustBefore,
    later,
    writeUnannounced,
    liveWhenHeard,
    publishUnnumbered,
    whileResyncReads,
    publishHeard,
    calls,
  } = suite

  it('recreates the epoch, logs the wipe and refuses older tokens when a resync finds the epoch gone', async () => {
    const logs = capturingLogger()
    const a = await instance({ ...QUIET, logger: logs.logger })
    const issuedBefore = await issuedJustBefore()
    expect(a.feed.check(issuedBefore)).to.equal('clear')
    await suite.admin.del(a.keys.epoch)
    await publishUnnumbered(a.keys)
    await until(async () => Number(await suite.admin.get(a.keys.epoch)) > issuedBefore.iat && a.feed.live, BOUND_MS)
    expect(a.feed.check(issuedBefore)).to.equal('revoked')
    expect(a.feed.check(query())).to.equal('clear')
    expect(logs.entries().map((entry) => String(entry.msg).slice(0, 25))).to.deep.equal(['Redis lost the blocklist '])
  })

  it('moves the epoch to now and refuses older tokens when a resync reads a lower sequence than it saw', async () => {
    const logs = capturingLogger()
    const a = await instance({ ...QUIET, logger: logs.logger })
    await a.store.revokeToken(crypto.randomUUID(), later())
    await a.store.revokeToken(crypto.randomUUID(), later())
    const issuedBefore = await issuedJustBefore()
    await suite.admin.set(a.keys.sequence, '1')
    await publishUnnumbered(a.keys)
    await until(async () => Number(await suite.admin.get(a.keys.epoch)) > issuedBefore.iat && a.feed.live, BOUND_MS)
    expect(a.feed.check(issuedBefore)).to.equal('revoked')
    expect(Number(await suite.admin.get(a.keys.sequence))).to.be.greaterThan(2)
    expect(logs.entries().map((entry) => String(entry.msg).slice(0, 25))).to.deep.equal(['Redis lost revocations (i'])
  })

  it('reports a resync Redis refuses, answers nothing from memory, and goes live on a heartbeat once allowed', async () => {
    const logs = capturingLogger()
    const a = await instance({ heartbeatMs: 50, staleAfterMs: 60_000, logger: logs.logger })
    const refused = () =>
      logs.entries().some((entry) => entry.store === 'redis' && JSON.stringify(entry.cause).includes('NOPERM'))
    await suite.admin.call('ACL', 'SETUSER', 'default', '-scan')
    try {
      await publishUnnumbered(a.keys)
      await until(refused, BOUND_MS)
      expect(a.feed.live).to.equal(false)
    } finally {
      await suite.admin.call('ACL', 'SETUSER', 'default', '+scan')
    }
    await until(() => a.feed.live, BOUND_MS)
  })

  it('drops revocations whose expiry passed when a resync ends, though Redis still holds their keys', async () => {
    const clock = new FakeClock()
    const a = await instance({ ...QUIET, clock })
    await a.store.revokeToken(crypto.randomUUID(), Math.ceil(clock.now() / 1000) + 2)
    await a.store.revokeToken(crypto.randomUUID(), Math.ceil(clock.now() / 1000) + 600)
    clock.advance(5000)
    const trigger = crypto.randomUUID()
    const heard = liveWhenHeard(a, trigger)
    await suite.admin.publish(
      a.keys.channel,
      JSON.stringify({ kind: 'jti', id: trigger, value: 0, expiresAt: later() }),
    )
    await until(() => heard.length === 1 && a.feed.live, BOUND_MS)
    // The key that expired by the feed's clock, the one left, and the trigger's own entry.
    expect([heard[0], a.feed.held.entries]).to.deep.equal([false, 2])
  })

  it('applies a revocation heard while a resync waits for its read of the sequence, with no second pass', async () => {
    const a = await instance(HELD_UP)
    const revoked = query()
    const reads = await calls('mget')
    await whileResyncReads(a, async () => {
      const seq = await writeUnannounced(a.keys, revoked.jti)
      await publishHeard(a, revocationMessage(seq, revoked.jti))
    })
    await until(() => a.feed.live, BOUND_MS)
    expect(await calls('mget') - reads).to.equal(1)
    expect(a.feed.check(revoked)).to.equal('confirm')
  })

  it('takes a heartbeat heard while a resync waits for its read, and ahead of what it reads, for lost writes', async () => {
    const a = await instance(HELD_UP)
    const issuedBefore = await issuedJustBefore()
    await whileResyncReads(a, () => publishHeard(a, 'hb:5'))
    await until(async () => Number(await suite.admin.get(a.keys.epoch)) > issuedBefore.iat && a.feed.live, BOUND_MS)
    expect(a.feed.check(issuedBefore)).to.equal('revoked')
  })

  it('resyncs at start when its subscriber connection is already ready, without waiting for a heartbeat', async () => {
    // Its first heartbeat fails (the PUBLISH in its script refused), and the next is a minute
    // away: only start() can resync.
    await suite.admin.call('ACL', 'SETUSER', 'default', '-publish')
    try {
      const a = await instance({ ...QUIET, readySubscriber: true })
      expect(a.feed.live).to.equal(true)
    } finally {
      await suite.admin.call('ACL', 'SETUSER', 'default', '+publish')
    }
  })

  it('stays not live once closed, though a resync under way when it closed then finishes', async () => {
    const a = await instance(HELD_UP)
    await writeUnannounced(a.keys, crypto.randomUUID()) // so the resync ends with a GET and EXPIRETIME
    const loads = await calls('expiretime')
    await whileResyncReads(a, () => a.feed.close())
    await until(async () => await calls('expiretime') > loads, BOUND_MS)
    // Sent after the resync's last read, so answered after it; then what the feed does with that read has run.
    await a.client.ping()
    await new Promise((r) => setImmediate(r))
    expect(a.feed.live).to.equal(false)
  })

  it('holds up to 10 000 messages while a resync waits for its read, and makes another pass when more came', async () => {
    const a = await instance(HELD_UP)
    const reads = await calls('mget')
    await whileResyncReads(a, async () => {
      const heard = liveWhenHeard(a, 'hb:0')
      const pipeline = suite.admin.pipeline()
      for (let i = 0; i < 10_001; i++) pipeline.publish(a.keys.channel, 'hb:0')
      await pipeline.exec()
      await until(() => heard.length === 10_001, BOUND_MS)
    })
    await until(() => a.feed.live, BOUND_MS)
    expect(await calls('mget') - reads).to.equal(2)
  })

  it('makes one more pass, not one per message, for messages without a sequence heard during a resync', async () => {
    const a = await instance(HELD_UP)
    const reads = await calls('mget')
    await whileResyncReads(a, async () => {
      for (let i = 0; i < 3; i++) {
        await publishHeard(a, JSON.stringify({ kind: 'jti', id: crypto.randomUUID(), value: 0, expiresAt: later() }))
      }
    })
    await until(() => a.feed.live, BOUND_MS)
    expect(await calls('mget') - reads).to.equal(2)
  })

  it('does not start another pass on a heartbeat that lands during a resync', async () => {
    const a = await instance({ ...HELD_UP, heartbeatMs: 20 })
    const reads = await calls('mget')
    // Heartbeats go out meanwhile and are answered after the resync's read, while it still scans.
    await whileResyncReads(a, () => new Promise((r) => setTimeout(r, 100)))
    await until(() => a.feed.live, BOUND_MS)
    expect(await calls('mget') - reads).to.equal(1)
  })

  it('gives up, not live, after three passes that each find lost writes, rather than resyncing on and on', async () => {
    const a = await instance(QUIET)
    await a.store.revokeToken(crypto.randomUUID(), later())
    // A sequence Lua reads (1e300) but JavaScript does not (not a safe integer): every read looks like lost
    // writes, which the restore does not repair (it only raises a sequence at or below what was seen).
    await suite.admin.set(a.keys.sequence, '1e300')
    const reads = await calls('mget')
    await publishUnnumbered(a.keys)
    await until(async () => await calls('mget') - reads >= 3, BOUND_MS)
    // Past anything a fourth pass would send: its SUBSCRIBE, then its MGET, each answered in order.
    for (const connection of [a.client, a.subscriber, a.client]) {
      await new Promise((r) => setImmediate(r))
      await connection.ping()
    }
    expect([await calls('mget') - reads, a.feed.live]).to.deep.equal([3, false])
  })
})
