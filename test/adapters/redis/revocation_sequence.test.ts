import { Writable } from 'node:stream'
import { after, afterEach, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { Redis } from 'ioredis'
import { createLogger } from '../../../src/adapters/logger.ts'
import { closeRedisClient, createRedisClient, type RedisClient, waitUntilReady } from '../../../src/adapters/redis/redis_client.ts'
import { parseRedisUrl } from '../../../src/adapters/redis/redis_url.ts'
import { keyBuilder, RedisRevocationStore } from '../../../src/adapters/redis/revocation_store.ts'
import { StoreHealth } from '../../../src/adapters/store_health.ts'
import { SystemClock } from '../../../src/adapters/system_clock.ts'
import { acquireRedisOrSkip, type RedisHandle } from '../../support/redis_server.ts'

const clock = new SystemClock()
const query = () => ({ jti: crypto.randomUUID(), fam: crypto.randomUUID(), sub: crypto.randomUUID(), iat: clock.now() / 1000 })
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
    const lines: Array<{ level: number, msg: string }> = []
    const logger = createLogger('info', new Writable({ write(chunk, _encoding, done) { lines.push(JSON.parse(String(chunk))); done() } }))
    const prefix = `seq:${crypto.randomUUID()}:`
    const store = new RedisRevocationStore({ client, clock, prefix, logger, health: new StoreHealth({ logger, clock }) })
    await store.ensureEpoch()
    return { store, keys: keyBuilder(prefix), lost: () => lines.filter((line) => line.level === 50 && /lost revocations/.test(line.msg)) }
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
    expect(heard.map((message) => JSON.parse(message) as { seq: number, kind: string, id: string })
      .map(({ seq, kind, id }) => [seq, kind, id])).to.deep.equal([[1, 'jti', 'a'], [2, 'fam', 'f'], [3, 'sub', 's']])
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
