import { Writable } from 'node:stream'
import { after, afterEach, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { Redis } from 'ioredis'
import { createLogger } from '../../../src/adapters/logger.ts'
import {
  closeRedisClient,
  createRedisClient,
  type RedisClient,
  waitUntilReady,
} from '../../../src/adapters/redis/redis_client.ts'
import { parseRedisUrl } from '../../../src/adapters/redis/redis_url.ts'
import { keyBuilder, RedisRevocationStore } from '../../../src/adapters/redis/revocation_store.ts'
import { RevocationSequence } from '../../../src/adapters/redis/revocation_sequence.ts'
import { StoreHealth } from '../../../src/adapters/store_health.ts'
import { SystemClock } from '../../../src/adapters/system_clock.ts'
import { FakeClock } from '../../support/fake_clock.ts'
import { capturingLogger } from '../../support/log_capture.ts'
import { acquireRedisOrSkip, type RedisHandle } from '../../support/redis_server.ts'

const clock = new SystemClock()
const query = () => ({
  jti: crypto.randomUUID(),
  fam: crypto.randomUUID(),
  sub: crypto.randomUUID(),
  iat: clock.now() / 1000,
})
const later = () => Math.ceil(clock.now() / 1000) + 600
const tick = () => new Promise((r) => setTimeout(r, 5)) // so that "before now" is strictly before

describe('RevocationSequence: lost writes, found by the Redis store', function () {
  let redis: RedisHandle
  let admin: Redis
  const clients: RedisClient[] = []

  /** A store on a fresh prefix, its keys, and the lines it logs. */
  async function subject() {
    const client = createRedisClient({ target: parseRedisUrl(redis.url), commandTimeoutMs: 1000 })
    clients.push(client)
    await waitUntilReady(client, 2000)
    const lines: Array<{ level: number; msg: string }> = []
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(JSON.parse(String(chunk)))
          done()
        },
      }),
    )
    const prefix = `seq:${crypto.randomUUID()}:`
    const store = new RedisRevocationStore({
      client,
      clock,
      prefix,
      logger,
      health: new StoreHealth({ logger, clock }),
    })
    await store.ensureEpoch()
    return {
      store,
      keys: keyBuilder(prefix),
      lost: () => lines.filter((line) => line.level === 50 && /lost revocations/.test(line.msg)),
    }
  }

  before(async function () {
    redis = await acquireRedisOrSkip(this)
    admin = new Redis(redis.url)
  })

  afterEach(async () => {
    await Promise.all(clients.splice(0).map(closeRedisClient))
  })

  after(async () => {
    await admin?.quit()
    await redis?.stop()
  })

  it('numbers every revocation, and publishes each with its number', async () => {
    const { store, keys } = await subject()
    const subscriber = new Redis(redis.url)
    const heard: string[] = []
    subscriber.on('message', (_channel: string, message: string) => heard.push(message))
    await subscriber.subscribe(keys.channel)
    await store.revokeToken('a', later())
    await store.revokeFamily('f', later())
    await store.revokeSubject('s', 1000, later())
    for (let i = 0; i < 100 && heard.length < 3; i++) await new Promise((r) => setTimeout(r, 10))
    await subscriber.quit()
    expect(
      heard.map((message) => JSON.parse(message) as { seq: number; kind: string; id: string })
        .map(({ seq, kind, id }) => [seq, kind, id]),
    ).to.deep.equal([[1, 'jti', 'a'], [2, 'fam', 'f'], [3, 'sub', 's']])
    expect(await admin.get(keys.sequence)).to.equal('3')
  })

  it('refuses every token issued before now once a check reads a lower sequence than it saw, and logs it once', async () => {
    const { store, keys, lost } = await subject()
    const [a, b, issuedBefore] = [query(), query(), query()]
    await store.revokeToken(a.jti, later())
    await store.revokeToken(b.jti, later())
    await tick()
    // Redis restored from a snapshot taken between the two revocations: b's is gone.
    await admin.del(keys.jti(b.jti))
    await admin.set(keys.sequence, '1')
    const answers = await Promise.all(Array.from({ length: 20 }, () => store.isRevoked(b)))
    expect(answers.every(Boolean), String(answers)).to.equal(true)
    expect(await store.isRevoked(issuedBefore)).to.equal(true)
    expect(await store.isRevoked(a)).to.equal(true)
    expect(lost()).to.have.length(1)
    // Raised once above what was seen (2): one restore for all those checks.
    expect(await admin.get(keys.sequence)).to.equal('3')
    await tick()
    expect(await store.isRevoked(query())).to.equal(false)
  })

  it('finds the same loss through a revocation: the number it got is not above what was seen', async () => {
    const { store, keys, lost } = await subject()
    const issuedBefore = query()
    await store.revokeToken(crypto.randomUUID(), later())
    await store.revokeToken(crypto.randomUUID(), later())
    await tick()
    await admin.set(keys.sequence, '0')
    await store.revokeToken(crypto.randomUUID(), later())
    expect(Number(await admin.get(keys.epoch))).to.be.greaterThan(issuedBefore.iat)
    expect(await store.isRevoked(issuedBefore)).to.equal(true)
    expect(lost()).to.have.length(1)
    // The revocation got 1: what Redis had before it, 0, is what it read.
    expect(lost()[0]).to.include({ sequence_seen: 2, sequence_read: 0 })
  })

  it('only ever moves the epoch forward', async () => {
    const { store, keys } = await subject()
    await store.revokeToken(crypto.randomUUID(), later())
    const ahead = String(later())
    await admin.set(keys.epoch, ahead)
    await admin.set(keys.sequence, '0')
    expect(await store.isRevoked(query())).to.equal(true)
    expect(await admin.get(keys.epoch)).to.equal(ahead)
    expect(await admin.get(keys.sequence)).to.equal('2')
  })

  it('finds no loss when the sequence only moved on', async () => {
    const { store, keys, lost } = await subject()
    await store.revokeToken(crypto.randomUUID(), later())
    await admin.incrby(keys.sequence, 5) // other instances' revocations
    const epoch = await admin.get(keys.epoch)
    expect(await store.isRevoked(query())).to.equal(false)
    expect([await admin.get(keys.epoch), lost()]).to.deep.equal([epoch, []])
  })
})

describe('RevocationSequence.parse', () => {
  it('reads a stored sequence number, and anything but a positive safe integer as 0', () => {
    expect(
      ['7', null, undefined, '0', '-3', '2.5', 'x', '9007199254740993'].map((value) => RevocationSequence.parse(value)),
    )
      .to.deep.equal([7, 0, 0, 0, 0, 0, 0, 0])
  })
})

describe('RevocationSequence', function () {
  let redis: RedisHandle
  let admin: Redis
  let client: RedisClient
  const clock = new FakeClock(1_800_000_000_000)

  /** A sequence on a fresh prefix, its keys, and the error lines it logs. */
  function subject() {
    const logs = capturingLogger('info')
    const keys = keyBuilder(`seq-unit:${crypto.randomUUID()}:`)
    const sequence = new RevocationSequence({ client, clock, logger: logs.logger, keys })
    return { sequence, keys, errors: () => logs.entries().filter((entry) => entry.level === 50) }
  }

  before(async function () {
    redis = await acquireRedisOrSkip(this)
    admin = new Redis(redis.url)
    client = createRedisClient({ target: parseRedisUrl(redis.url), commandTimeoutMs: 1000 })
    await waitUntilReady(client, 2000)
  })

  after(async () => {
    if (client !== undefined) await closeRedisClient(client)
    await admin?.quit()
    await redis?.stop()
  })

  it('remembers the highest number seen, and records a number read only when it is not below its floor', () => {
    const { sequence } = subject()
    sequence.saw(5)
    sequence.saw(3)
    const seen = [sequence.highest, sequence.observe(5, 4), sequence.highest, sequence.observe(5, 9), sequence.highest]
    expect(seen).to.deep.equal([5, false, 5, true, 9])
  })

  it('restores after lost writes: the epoch moves to now, the counter above what was seen, which it then has seen', async () => {
    const { sequence, keys } = subject()
    await admin.set(keys.epoch, '100')
    await admin.set(keys.sequence, '2')
    sequence.saw(5)
    await sequence.recover('rollback', 5, 2)
    expect([await admin.get(keys.epoch), await admin.get(keys.sequence), sequence.highest, sequence.restores])
      .to.deep.equal(['1800000000.000', '6', 6, 1])
  })

  it('restores once for concurrent losses and for reads sent before the restore, and again for a read sent after it', async () => {
    const { sequence, keys } = subject()
    await admin.set(keys.epoch, '100')
    sequence.saw(5)
    await Promise.all([sequence.recover('rollback', 5), sequence.recover('rollback', 5)])
    const once = sequence.restores
    await sequence.recover('rollback', 5)
    const covered = sequence.restores
    await sequence.recover('rollback', sequence.highest)
    expect([once, covered, sequence.restores]).to.deep.equal([1, 1, 2])
  })

  it('logs a loss once while restoring keeps failing, and again at the next loss once restored', async () => {
    const { sequence, keys, errors } = subject()
    await admin.set(keys.sequence, 'not a number') // the restore script fails on it
    for (let i = 0; i < 2; i++) {
      let failed = false
      await sequence.recover('wipe', 0).catch(() => {
        failed = true
      })
      expect(failed, `attempt ${i}`).to.equal(true)
    }
    await admin.del(keys.sequence)
    await sequence.recover('wipe', 0)
    const whileLost = errors().length
    await sequence.recover('wipe', sequence.highest)
    expect([whileLost, errors().length, sequence.restores]).to.deep.equal([1, 2, 4])
  })

  it('logs a rollback with the numbers seen and read, and a wipe with the new epoch', async () => {
    const rollback = subject()
    rollback.sequence.saw(5)
    await rollback.sequence.recover('rollback', 5, 2)
    const wipe = subject()
    await wipe.sequence.recover('wipe', 0)
    const [rolledBack] = rollback.errors()
    const [wiped] = wipe.errors()
    expect(rolledBack).to.include({ sequence_seen: 5, sequence_read: 2, epoch: 1_800_000_000 })
    expect(rolledBack!.msg).to.match(/^Redis lost revocations \(its revocation sequence went back/)
    expect(wiped).to.include({ epoch: 1_800_000_000 }).and.not.to.have.property('sequence_seen')
    expect(wiped!.msg).to.match(/^Redis lost the blocklist \(its epoch marker is gone/)
  })
})
