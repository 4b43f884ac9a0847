import { Writable } from 'node:stream'
import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { parseRedisUrl } from '../../../src/adapters/redis/redis_url.ts'
import {
  closeRedisClient,
  createRedisClient,
  type RedisClient,
  waitUntilReady,
} from '../../../src/adapters/redis/redis_client.ts'
import {
  keyBuilder,
  RedisRevocationStore,
  type RedisRevocationStoreDeps,
} from '../../../src/adapters/redis/revocation_store.ts'
import { createLogger } from '../../../src/adapters/logger.ts'
import { StoreHealth } from '../../../src/adapters/store_health.ts'
import { SystemClock } from '../../../src/adapters/system_clock.ts'
import { isAuthError } from '../../../src/domain/auth_error.ts'
import { revocationStoreContract } from '../../contracts/revocation_store.contract.ts'
import { FakeClock } from '../../support/fake_clock.ts'
import {
  acquireRedisOrSkip,
  freePort,
  LocalRedis,
  type RedisHandle,
  redisServerOnPath,
} from '../../support/redis_server.ts'
import { requireOrSkip } from '../../support/requirements.ts'

describe('RedisRevocationStore', function () {
  let redis: RedisHandle
  const clients: RedisClient[] = []
  const clock = new SystemClock()
  const logger = createLogger('silent')
  const health = new StoreHealth({ logger, clock })

  async function client(url = redis.url): Promise<RedisClient> {
    const made = createRedisClient({ target: parseRedisUrl(url), commandTimeoutMs: 1000 })
    clients.push(made)
    await waitUntilReady(made, 2000)
    return made
  }

  async function store(prefix = `test:${crypto.randomUUID()}:`) {
    const made = new RedisRevocationStore({ client: await client(), clock, prefix, logger, health })
    await made.ensureEpoch()
    return { store: made, prefix }
  }

  before(async function () {
    redis = await acquireRedisOrSkip(this)
    console.log(`      Redis from ${redis.source}: ${redis.url}`)
  })

  after(async () => {
    await Promise.all(clients.map(closeRedisClient))
    await redis?.stop()
  })

  revocationStoreContract('redis', async () => ({
    ...await store(),
    advance: (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)),
    now: () => clock.now() / 1000,
  }))

  it("keeps a refresh token's successor for the grace window by Redis's clock, however far the instance's lags", async () => {
    const lagging = { now: () => Date.now() - 120_000 } // two minutes behind Redis
    const s = new RedisRevocationStore({
      client: await client(),
      clock: lagging,
      prefix: `test:${crypto.randomUUID()}:`,
      logger,
      health,
    })
    await s.ensureEpoch()
    const now = lagging.now() / 1000
    const jti = crypto.randomUUID()
    expect(await s.retire(jti, { expiresAt: now + 3600, successor: 'the first answer', successorUntil: now + 10 })).to
      .equal(undefined)
    expect((await s.retire(jti, { expiresAt: now + 3600, successor: 'another', successorUntil: now + 10 }))?.successor)
      .to.equal('the first answer')
  })

  it("writes revoked:jti:<jti> under the prefix with a TTL equal to the token's remaining life", async () => {
    const { store: s, prefix } = await store()
    const admin = await client()
    const exp = Math.floor(clock.now() / 1000) + 600
    await s.revokeToken('abc', exp)
    const ttl = await admin.ttl(`${prefix}revoked:jti:abc`)
    expect(ttl).to.be.within(598, 600)
  })

  it('writes nothing for a token that has already expired', async () => {
    const { store: s, prefix } = await store()
    await s.revokeToken('gone', Math.floor(clock.now() / 1000) - 5)
    expect(await (await client()).exists(`${prefix}revoked:jti:gone`)).to.equal(0)
  })

  it('checks jti, family, subject, epoch and sequence in one MGET per request', async () => {
    const { store: s } = await store()
    const admin = await client()
    const query = { jti: 'j', fam: 'f', sub: 's', iat: clock.now() / 1000 }
    await s.isRevoked(query) // warm the connection
    const before = await commandCalls(admin)
    for (let i = 0; i < 20; i++) await s.isRevoked(query)
    const after = await commandCalls(admin)
    const delta = Object.fromEntries(
      Object.entries(after)
        .filter(([name]) => name !== 'info')
        .map(([name, calls]) => [name, calls - (before[name] ?? 0)])
        .filter(([, calls]) => calls !== 0),
    )
    expect(delta).to.deep.equal({ mget: 20 })
  })

  it('keeps refusing a token revoked before Redis was flushed', async () => {
    const { store: s, prefix } = await store()
    const admin = await client()
    const issued = clock.now() / 1000
    const revoked = { jti: 'revoked-jti', fam: 'fam-a', sub: 'user-a', iat: issued }
    const untouched = { jti: 'other-jti', fam: 'fam-b', sub: 'user-b', iat: issued }
    await s.revokeToken(revoked.jti, Math.ceil(issued) + 600)
    expect(await s.isRevoked(revoked)).to.equal(true)
    await new Promise((r) => setTimeout(r, 5)) // the wipe comes strictly after the tokens were issued
    // Wipe this store's keys (a flush, without touching other suites sharing this Redis).
    const keys = keyBuilder(prefix)
    await admin.del(keys.jti(revoked.jti), keys.epoch)
    expect(await s.isRevoked(revoked)).to.equal(true)
    // Every token issued before the wipe is refused; one issued after the new epoch is not.
    expect(await s.isRevoked(untouched)).to.equal(true)
    expect(await admin.exists(keys.epoch)).to.equal(1)
    await new Promise((r) => setTimeout(r, 5))
    expect(await s.isRevoked({ ...untouched, iat: clock.now() / 1000 })).to.equal(false)
  })

  it('logs 20 failed checks as one error line with the cause, and one line when Redis answers again', async function () {
    requireOrSkip(
      this,
      'redis-server',
      redisServerOnPath(),
      'no redis-server on PATH to restart on the port (apt-get install redis-server)',
    )
    const port = await freePort()
    const lines: Array<{ level: number; store?: string; msg: string; cause?: { message: string } }> = []
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(JSON.parse(String(chunk)))
          done()
        },
      }),
    )
    const down = new RedisRevocationStore({
      client: await client(`redis://127.0.0.1:${port}`),
      clock,
      prefix: 'x:',
      logger,
      health: new StoreHealth({ logger, clock }),
    })
    const query = { jti: 'j', fam: 'f', sub: 's', iat: 1 }
    for (let i = 0; i < 20; i++) {
      expect(await down.isRevoked(query).then(() => 'answered', () => 'failed')).to.equal('failed')
    }
    const local = new LocalRedis(port)
    await local.start()
    try {
      let answered = false
      for (let i = 0; i < 100 && !answered; i++) {
        answered = await down.isRevoked(query).then(() => true, () => false)
        if (!answered) await new Promise((r) => setTimeout(r, 50))
      }
      expect(answered).to.equal(true)
    } finally {
      await local.stop()
    }
    const health = lines.filter((line) => line.store === 'redis')
    expect(health.map((line) => [line.level, line.msg.split(':')[0]])).to.deep.equal([[50, 'Redis failed'], [
      30,
      'Redis recovered',
    ]])
    expect(health[0]!.cause?.message).to.be.a('string').that.is.not.empty
  })

  it('answers service_unavailable, never an answer, when Redis cannot be reached', async () => {
    const closed = new RedisRevocationStore({
      client: await client(`redis://127.0.0.1:${await freePort()}`),
      clock,
      prefix: 'x:',
      logger,
      health,
    })
    const error = await closed.isRevoked({ jti: 'j', fam: 'f', sub: 's', iat: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isAuthError(error, 'service_unavailable'), String(error)).to.equal(true)
    expect((error as Error).message).to.equal('Cannot check revocations: Redis is unavailable')
  })

  /** A store on a fresh prefix with `deps` changed, and its keys. */
  async function storeWith(deps: Partial<RedisRevocationStoreDeps>) {
    const prefix = `test:${crypto.randomUUID()}:`
    const made = new RedisRevocationStore({ client: await client(), clock, prefix, logger, health, ...deps })
    await made.ensureEpoch()
    return { store: made, keys: keyBuilder(prefix) }
  }

  it('names every key and the channel under the prefix', () => {
    const keys = keyBuilder('p:')
    expect([
      keys.channel,
      keys.jti('j'),
      keys.fam('f'),
      keys.sub('s'),
      keys.retired('r'),
      keys.successor('r'),
      keys.epoch,
      keys.sequence,
    ])
      .to.deep.equal([
        'p:revocations',
        'p:revoked:jti:j',
        'p:revoked:fam:f',
        'p:revoked:sub:s',
        'p:retired:jti:r',
        'p:successor:jti:r',
        'p:revoked:epoch',
        'p:revoked:seq',
      ])
  })

  it('follows its own writes in the sequence it shares with the feed', async () => {
    const { store: s } = await storeWith({})
    await s.revokeToken('a', Math.ceil(clock.now() / 1000) + 60)
    await s.revokeFamily('f', Math.ceil(clock.now() / 1000) + 60)
    expect(s.sequence.highest).to.equal(2)
  })

  it('is usable without a server check', async () => {
    expect((await storeWith({})).store.usable).to.equal(true)
  })

  it('neither writes nor numbers nor publishes a revocation that has expired, to the very second', async () => {
    const whole = new FakeClock(Math.floor(Date.now() / 1000) * 1000)
    const { store: s, keys } = await storeWith({ clock: whole })
    await s.revokeToken('past', whole.now() / 1000 - 5)
    await s.revokeSubject('now', whole.now() / 1000, whole.now() / 1000)
    const admin = await client()
    expect([await admin.get(keys.sequence), await admin.exists(keys.jti('past'), keys.sub('now')), s.sequence.highest])
      .to.deep.equal([null, 0, 0])
  })

  it('keeps a retired token used for at least a second, even when its own life has ended', async () => {
    const { store: s } = await storeWith({})
    const now = clock.now() / 1000
    const rotation = { expiresAt: now - 60, successor: 'next', successorUntil: now + 10 }
    expect(await s.retire('late', rotation)).to.equal(undefined)
    expect((await s.retire('late', rotation))?.successor).to.equal('next')
  })

  it('answers service_unavailable when a check outlasts the command timeout, with the timeout as the cause', async () => {
    const { store: s } = await storeWith({ commandTimeoutMs: 100 })
    const admin = await client()
    await admin.client('PAUSE', 400, 'ALL')
    const error = await s.isRevoked({ jti: 'j', fam: 'f', sub: 's', iat: clock.now() / 1000 }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isAuthError(error, 'service_unavailable'), String(error)).to.equal(true)
    expect(((error as Error).cause as Error | undefined)?.message).to.equal('Command timed out')
  })
})

async function commandCalls(client: RedisClient): Promise<Record<string, number>> {
  const info = await client.info('commandstats')
  const calls: Record<string, number> = {}
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[match[1]!] = Number(match[2])
  return calls
}
