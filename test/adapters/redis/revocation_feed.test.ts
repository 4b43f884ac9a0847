import { after, afterEach, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { Redis } from 'ioredis'
import { createLogger } from '../../../src/adapters/logger.ts'
import { duplicateClient, type RedisClient } from '../../../src/adapters/redis/redis_client.ts'
import { RevocationFeed } from '../../../src/adapters/redis/revocation_feed.ts'
import { RevocationSequence } from '../../../src/adapters/redis/revocation_sequence.ts'
import { keyBuilder } from '../../../src/adapters/redis/revocation_store.ts'
import { StoreHealth } from '../../../src/adapters/store_health.ts'
import { SystemClock } from '../../../src/adapters/system_clock.ts'
import { FakeClock } from '../../support/fake_clock.ts'
import { capturingLogger } from '../../support/log_capture.ts'
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

/**
 * A Cluster as the feed sees one: commands go to the first node, `nodes(role)` answers them all and
 * records the role asked for. (The nodes can be databases of one server: the feed only scans them.)
 */
function fakeCluster(nodes: readonly [Redis, ...Redis[]], roles: string[]): RedisClient {
  const [first] = nodes
  return {
    status: 'ready',
    nodes: (role: string) => {
      roles.push(role)
      return [...nodes]
    },
    mget: (...keys: string[]) => first.mget(...keys),
    eval: (...args: Parameters<Redis['eval']>) => first.eval(...args),
  } as unknown as RedisClient
}

// QUIET, and a client that waits for a command held up behind another (whileResyncReads) far longer than that takes.
const HELD_UP: InstanceOptions = { ...QUIET, commandTimeoutMs: 5000 }

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

  type Started = Awaited<ReturnType<typeof instance>>

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
  /** A token issued now, once the clock moved past its `iat`: an epoch moved to now refuses it. */
  async function issuedJustBefore() {
    const token = query()
    await until(() => Date.now() / 1000 > token.iat + 0.002, BOUND_MS)
    return token
  }
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

  /** Publishes a revocation without a sequence number, as an instance from before them does: a resync trigger. */
  async function publishUnnumbered(keys: ReturnType<typeof keyBuilder>): Promise<void> {
    await admin.publish(
      keys.channel,
      JSON.stringify({ kind: 'jti', id: crypto.randomUUID(), value: 0, expiresAt: later() }),
    )
  }

  /**
   * Starts a resync of `a` and runs `act` while the resync waits for its read of the sequence
   * (held up behind a BLPOP on a's client, released once `act` is done): what `act` publishes
   * is heard before that read answers.
   */
  async function whileResyncReads(a: Started, act: () => Promise<void>): Promise<void> {
    const gate = `${a.keys.prefix}gate`
    const blocked = a.client.blpop(gate, 5).catch(() => null) // the client gives up at its command timeout
    const trigger = crypto.randomUUID()
    const heard = liveWhenHeard(a, trigger)
    await admin.publish(a.keys.channel, JSON.stringify({ kind: 'jti', id: trigger, value: 0, expiresAt: later() }))
    await until(() => heard.length === 1, BOUND_MS)
    await act()
    await admin.lpush(gate, 'go')
    await blocked
  }

  /** Publishes `message` on a's channel and waits until a's feed handled it. */
  async function publishHeard(a: Started, message: string): Promise<void> {
    const heard = liveWhenHeard(a, message)
    await admin.publish(a.keys.channel, message)
    await until(() => heard.length === 1, BOUND_MS)
  }

  /** How many times Redis ran `command` (`INFO commandstats`), every client together. */
  async function calls(command: string): Promise<number> {
    const match = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(await admin.info('commandstats'))
    return Number(match?.[1] ?? 0)
  }

  /** A feed wired by hand: commands through `client`, its own subscriber on `node`, the heartbeats of QUIET. */
  function feedOn(node: Redis, client: RedisClient, keys: ReturnType<typeof keyBuilder>): RevocationFeed {
    const [clock, logger] = [new SystemClock(), createLogger('silent')]
    return new RevocationFeed({
      subscriber: duplicateClient(node, 'hexauth-feed'),
      client,
      clock,
      keys,
      sequence: new RevocationSequence({ client: node, clock, logger, keys }),
      health: new StoreHealth({ logger, clock }),
      ...QUIET,
    })
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
    await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')
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

  it('keeps answering through consecutive numbered revocations', async () => {
    const a = await instance(QUIET)
    const live: boolean[] = []
    for (const next of [query(), query(), query()]) {
      const seq = await writeUnannounced(a.keys, next.jti)
      const heard = liveWhenHeard(a, next.jti)
      await admin.publish(
        a.keys.channel,
        JSON.stringify({ seq, kind: 'jti', id: next.jti, value: 0, expiresAt: later() }),
      )
      await until(() => heard.length === 1, BOUND_MS)
      live.push(...heard)
    }
    expect(live).to.deep.equal([true, true, true])
  })

  it('recreates the epoch, logs the wipe and refuses older tokens when a resync finds the epoch gone', async () => {
    const logs = capturingLogger()
    const a = await instance({ ...QUIET, logger: logs.logger })
    const issuedBefore = await issuedJustBefore()
    expect(a.feed.check(issuedBefore)).to.equal('clear')
    await admin.del(a.keys.epoch)
    await publishUnnumbered(a.keys)
    await until(async () => Number(await admin.get(a.keys.epoch)) > issuedBefore.iat && a.feed.live, BOUND_MS)
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
    await admin.set(a.keys.sequence, '1')
    await publishUnnumbered(a.keys)
    await until(async () => Number(await admin.get(a.keys.epoch)) > issuedBefore.iat && a.feed.live, BOUND_MS)
    expect(a.feed.check(issuedBefore)).to.equal('revoked')
    expect(Number(await admin.get(a.keys.sequence))).to.be.greaterThan(2)
    expect(logs.entries().map((entry) => String(entry.msg).slice(0, 25))).to.deep.equal(['Redis lost revocations (i'])
  })

  it('loads only revocation keys of its three kinds under its own prefix', async () => {
    const prefix = `feed:${crypto.randomUUID()}:`
    const keys = keyBuilder(prefix)
    const [revoked, nested, elsewhere] = [query(), query(), query()]
    await writeUnannounced(keys, revoked.jti)
    await admin.set(`${prefix}revoked:other:${crypto.randomUUID()}`, '0', 'EXAT', later())
    await admin.set(`${prefix}revoked:other:revoked:jti:${nested.jti}`, '0', 'EXAT', later())
    await admin.set(`${prefix}revoked:jti:`, '0', 'EXAT', later())
    await admin.set(keyBuilder(`x${prefix}`).jti(elsewhere.jti), '0', 'EXAT', later())
    const started = await instance(QUIET, prefix)
    expect(started.feed.held.entries).to.equal(1)
    const checks = [revoked, nested, elsewhere].map((token) => started.feed.check({ ...token, iat: Date.now() / 1000 }))
    expect(checks).to.deep.equal([
      'confirm',
      'clear',
      'clear',
    ])
  })

  it('reports heartbeats Redis does not answer as one failure for the store, then its recovery', async () => {
    const logs = capturingLogger()
    await instance({ heartbeatMs: 50, staleAfterMs: 60_000, logger: logs.logger })
    await admin.call('CLIENT', 'PAUSE', '1000', 'ALL')
    const said = () => logs.entries().map((entry) => [entry.store, String(entry.msg).slice(0, 13)])
    await until(() => said().length === 2, BOUND_MS)
    expect(said()).to.deep.equal([['redis', 'Redis failed:'], ['redis', 'Redis recover']])
  })

  it('recreates the epoch and refuses older tokens when a heartbeat finds the epoch gone', async () => {
    const a = await instance({ heartbeatMs: 50, staleAfterMs: 60_000 })
    const issuedBefore = await issuedJustBefore()
    expect(a.feed.check(issuedBefore)).to.equal('clear')
    await admin.del(a.keys.epoch)
    await until(async () => Number(await admin.get(a.keys.epoch)) > issuedBefore.iat && a.feed.live, BOUND_MS)
    expect(a.feed.check(issuedBefore)).to.equal('revoked')
  })

  it('refuses tokens issued before an epoch moved forward in Redis, from the next heartbeat on', async () => {
    const a = await instance({ heartbeatMs: 50, staleAfterMs: 60_000 })
    const issued = query()
    expect(a.feed.check(issued)).to.equal('clear')
    await admin.set(a.keys.epoch, String(issued.iat + 1))
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

  it('reports a resync Redis refuses, answers nothing from memory, and goes live on a heartbeat once allowed', async () => {
    const logs = capturingLogger()
    const a = await instance({ heartbeatMs: 50, staleAfterMs: 60_000, logger: logs.logger })
    const refused = () =>
      logs.entries().some((entry) => entry.store === 'redis' && JSON.stringify(entry.cause).includes('NOPERM'))
    await admin.call('ACL', 'SETUSER', 'default', '-scan')
    try {
      await publishUnnumbered(a.keys)
      await until(refused, BOUND_MS)
      expect(a.feed.live).to.equal(false)
    } finally {
      await admin.call('ACL', 'SETUSER', 'default', '+scan')
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
    await admin.publish(a.keys.channel, JSON.stringify({ kind: 'jti', id: trigger, value: 0, expiresAt: later() }))
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
      await publishHeard(a, JSON.stringify({ seq, kind: 'jti', id: revoked.jti, value: 0, expiresAt: later() }))
    })
    await until(() => a.feed.live, BOUND_MS)
    expect(await calls('mget') - reads).to.equal(1)
    expect(a.feed.check(revoked)).to.equal('confirm')
  })

  it('takes a heartbeat heard while a resync waits for its read, and ahead of what it reads, for lost writes', async () => {
    const a = await instance(HELD_UP)
    const issuedBefore = await issuedJustBefore()
    await whileResyncReads(a, () => publishHeard(a, 'hb:5'))
    await until(async () => Number(await admin.get(a.keys.epoch)) > issuedBefore.iat && a.feed.live, BOUND_MS)
    expect(a.feed.check(issuedBefore)).to.equal('revoked')
  })

  it('sweeps what expired on every 30th heartbeat, not on the ones between', async () => {
    const prefix = `feed:${crypto.randomUUID()}:`
    const keys = keyBuilder(prefix)
    await admin.set(keys.jti(crypto.randomUUID()), '0', 'EXAT', later())
    await admin.set(keys.jti(crypto.randomUUID()), '0', 'EXAT', later() + 600)
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

  it('resyncs at start when its subscriber connection is already ready, without waiting for a heartbeat', async () => {
    // Its first heartbeat fails (EVAL refused), and the next is a minute away: only start() can resync.
    await admin.call('ACL', 'SETUSER', 'default', '-eval')
    try {
      const a = await instance({ ...QUIET, readySubscriber: true })
      expect(a.feed.live).to.equal(true)
    } finally {
      await admin.call('ACL', 'SETUSER', 'default', '+eval')
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
      const pipeline = admin.pipeline()
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
    const line = (await admin.client('LIST', 'ID', String(id)) as string).trim()
    expect(/ cmd=(\S+)/.exec(line)?.[1]).to.equal('ping')
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

  it('gives up, not live, after three passes that each find lost writes, rather than resyncing on and on', async () => {
    const a = await instance(QUIET)
    await a.store.revokeToken(crypto.randomUUID(), later())
    // A sequence Lua reads (1e300) but JavaScript does not (not a safe integer): every read looks like lost
    // writes, which the restore does not repair (it only raises a sequence at or below what was seen).
    await admin.set(a.keys.sequence, '1e300')
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

  it('on a Cluster, scans every primary for revocations, not only the node it sends commands to', async () => {
    const keys = keyBuilder(`feed:${crypto.randomUUID()}:`)
    const [first, second] = [new Redis(redis.url), new Redis(`${redis.url}/1`)]
    const [onFirst, onSecond] = [query(), query()]
    await admin.set(keys.epoch, String(Date.now() / 1000 - 10))
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

  it('does not hold the process open with its heartbeat timer, should it never be closed', async () => {
    const node = new Redis(redis.url) // no command timeout: a command sets no timer of its own
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
