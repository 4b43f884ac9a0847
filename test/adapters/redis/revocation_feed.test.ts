import { after, afterEach, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { Redis } from 'ioredis'
import { keyBuilder } from '../../../src/adapters/redis/revocation_store.ts'
import { acquireRedisOrSkip, type RedisHandle } from '../../support/redis_server.ts'
import {
  type InstanceOptions,
  type RevocationInstance,
  startRevocationInstance,
} from '../../support/revocation_instance.ts'

// Far above the few milliseconds a heartbeat, a gap and a resync take on loopback.
const BOUND_MS = 3000
// Heartbeats that never come during a test: what it shows is done by the message it publishes.
const QUIET: InstanceOptions = { heartbeatMs: 60_000, staleAfterMs: 60_000 }

async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 2))
  }
}

describe('RevocationFeed: sequence numbers', function () {
  let redis: RedisHandle
  let admin: Redis
  const opened: RevocationInstance[] = []

  /** An instance on `prefix` (a fresh one unless given, for keys written before it starts). */
  async function instance(options: InstanceOptions, prefix = `feed:${crypto.randomUUID()}:`) {
    const started = await startRevocationInstance(redis.url, prefix, options)
    opened.push(started)
    return { ...started, keys: keyBuilder(prefix) }
  }

  const query = () => ({
    jti: crypto.randomUUID(),
    fam: crypto.randomUUID(),
    sub: crypto.randomUUID(),
    iat: Date.now() / 1000,
  })
  const later = () => Math.ceil(Date.now() / 1000) + 600

  /** Writes a revocation as the revoke script does, numbered, but announces it to no one. */
  async function writeUnannounced(keys: ReturnType<typeof keyBuilder>, jti: string): Promise<number> {
    await admin.set(keys.jti(jti), '0', 'EXAT', later())
    return admin.incr(keys.sequence)
  }

  /** What `feed.live` was right after the feed handled each message containing `marker`. */
  function liveWhenHeard(started: RevocationInstance, marker: string): boolean[] {
    const seen: boolean[] = []
    // Registered after the feed's own listener, so it runs just after the feed handled it.
    started.subscriber.on('message', (_channel: string, message: string) => {
      if (message.includes(marker)) seen.push(started.feed.live)
    })
    return seen
  }

  before(async function () {
    redis = await acquireRedisOrSkip(this)
    admin = new Redis(redis.url)
  })

  afterEach(async () => {
    for (const started of opened.splice(0)) await started.close()
  })

  after(async () => {
    await admin?.quit()
    await redis?.stop()
  })

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
    await admin.publish(
      a.keys.channel,
      JSON.stringify({ seq, kind: 'jti', id: announced.jti, value: 0, expiresAt: later() }),
    )
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
    await admin.publish(
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
    await admin.publish(
      a.keys.channel,
      JSON.stringify({ seq, kind: 'jti', id: next.jti, value: 0, expiresAt: later() }),
    )
    await until(() => live.length === 1, BOUND_MS)
    const beat = liveWhenHeard(a, 'hb')
    await admin.publish(a.keys.channel, 'hb')
    await until(() => beat.length === 1, BOUND_MS)
    expect([...live, ...beat]).to.deep.equal([true, true])
    expect(a.feed.check(next) !== 'clear').to.equal(true)
  })

  it('moves the epoch to now and resyncs when a heartbeat reads a lower sequence than it saw (Redis lost writes)', async () => {
    const a = await instance({ heartbeatMs: 50 })
    const issuedBefore = query()
    await a.store.revokeToken(crypto.randomUUID(), later())
    await a.store.revokeToken(crypto.randomUUID(), later())
    expect(await admin.get(a.keys.sequence)).to.equal('2')
    // What a snapshot taken between the two revocations holds.
    await admin.set(a.keys.sequence, '1')
    await until(async () => Number(await admin.get(a.keys.epoch)) > issuedBefore.iat && a.feed.live, BOUND_MS)
    expect(a.feed.check(issuedBefore) !== 'clear').to.equal(true)
    expect(Number(await admin.get(a.keys.sequence))).to.be.greaterThan(2)
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

  it('holds a revocation key that has no expiry (set by hand), as Redis-direct checks do, rather than clearing it', async () => {
    const prefix = `feed:${crypto.randomUUID()}:`
    const keys = keyBuilder(prefix)
    const persistent = query()
    await admin.set(keys.jti(persistent.jti), '0') // no EX: EXPIRETIME answers -1
    await admin.incr(keys.sequence)
    const started = await instance(QUIET, prefix)
    expect(await started.redis.isRevoked(persistent)).to.equal(true)
    expect(started.feed.held.entries).to.equal(1)
    expect(started.feed.check(persistent)).to.not.equal('clear')
    expect(await started.store.isRevoked(persistent)).to.equal(true)
  })

  it('drops revocations whose expiry passed, on a heartbeat sweep, so held memory follows what Redis still keeps', async () => {
    const a = await instance({ heartbeatMs: 10, staleAfterMs: 60_000 })
    const soon = Math.ceil(Date.now() / 1000) + 1
    await a.store.revokeToken(crypto.randomUUID(), soon)
    await a.store.revokeToken(crypto.randomUUID(), later())
    expect(a.feed.held.entries).to.equal(2)
    await until(() => a.feed.held.entries === 1, BOUND_MS)
  })
})
