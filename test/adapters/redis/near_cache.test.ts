import { after, afterEach, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { Redis } from 'ioredis'
import { keyBuilder } from '../../../src/adapters/redis/revocation_store.ts'
import { SystemClock } from '../../../src/adapters/system_clock.ts'
import { isAuthError } from '../../../src/domain/auth_error.ts'
import { revocationStoreContract } from '../../contracts/revocation_store.contract.ts'
import { freePort, LocalRedis, redisServerOnPath } from '../../support/redis_server.ts'
import { startRevocationInstance } from '../../support/revocation_instance.ts'
import { requireOrSkip } from '../../support/requirements.ts'

// How long a revocation made on one instance may take to reach another's memory (pub/sub on
// loopback takes about a millisecond; the bound leaves room for a loaded machine).
const PROPAGATION_BOUND_MS = 1000
const clock = new SystemClock()

async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<number> {
  const started = Date.now()
  while (!await check()) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 2))
  }
  return Date.now() - started
}

describe('NearCachedRevocationStore (REVOCATION_CACHE=on)', function () {
  let redis: LocalRedis
  const opened: Array<() => Promise<void>> = []

  /** An instance's store: its own client, subscriber and feed, on the shared prefix. */
  async function instance(prefix: string, timing: { heartbeatMs?: number; staleAfterMs?: number } = {}) {
    const started = await startRevocationInstance(redis.url, prefix, timing)
    opened.push(started.close)
    return started
  }

  const query = () => ({
    jti: crypto.randomUUID(),
    fam: crypto.randomUUID(),
    sub: crypto.randomUUID(),
    iat: clock.now() / 1000,
  })
  const later = () => Math.ceil(clock.now() / 1000) + 600

  before(async function () {
    requireOrSkip(
      this,
      'redis-server',
      redisServerOnPath(),
      'the near-cache suite needs a redis-server binary on PATH (apt-get install redis-server)',
    )
    redis = new LocalRedis(await freePort())
    await redis.start()
  })

  afterEach(async () => {
    redis?.resume()
    for (const close of opened.splice(0)) await close()
  })

  after(() => redis?.stop())

  revocationStoreContract('redis with near-cache', async () => ({
    store: (await instance(`nc:${crypto.randomUUID()}:`)).store,
    advance: (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)),
    now: () => clock.now() / 1000,
  }))

  it(`shows a revocation made on one instance to another within ${PROPAGATION_BOUND_MS} ms`, async () => {
    const prefix = `nc:${crypto.randomUUID()}:`
    const [a, b] = [await instance(prefix), await instance(prefix)]
    for (const kind of ['token', 'family', 'subject'] as const) {
      const q = query()
      await new Promise((r) => setTimeout(r, 2))
      if (kind === 'token') await a.store.revokeToken(q.jti, later())
      if (kind === 'family') await a.store.revokeFamily(q.fam, later())
      if (kind === 'subject') await a.store.revokeSubject(q.sub, clock.now() / 1000, later())
      // Within the bound, or until() fails.
      await until(() => b.feed.live && (b.feed.check(q) !== 'clear'), PROPAGATION_BOUND_MS)
    }
  })

  it('answers checks from memory, with no Redis round trip, while the feed is live', async () => {
    const { store } = await instance(`nc:${crypto.randomUUID()}:`)
    const admin = new Redis(redis.url)
    const mgets = async () => Number(/cmdstat_mget:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? 0)
    const before = await mgets()
    for (let i = 0; i < 100; i++) expect(await store.isRevoked(query())).to.equal(false)
    expect(await mgets()).to.equal(before)
    await admin.quit()
  })

  it('falls back to Redis the moment its feed drops, so a revocation made meanwhile is still refused', async () => {
    const prefix = `nc:${crypto.randomUUID()}:`
    const [a, b] = [await instance(prefix), await instance(prefix)]
    const admin = new Redis(redis.url)
    // Drop every subscriber connection: b's feed is down, and misses what is published now.
    await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')
    await until(() => !b.feed.live, 1000)
    const q = query()
    await a.store.revokeToken(q.jti, later())
    expect(await b.store.isRevoked(q)).to.equal(true)
    // Reconnected and resynced, it answers from memory again, revocation included.
    await until(() => b.feed.live, 5000)
    expect(b.feed.check(q) !== 'clear').to.equal(true)
    await admin.quit()
  })

  it('never trusts a feed gone stale: a hung Redis makes checks fail closed, not answer from memory', async () => {
    const { store, feed } = await instance(`nc:${crypto.randomUUID()}:`, { heartbeatMs: 50, staleAfterMs: 200 })
    redis.pause()
    await until(() => !feed.live, 2000)
    const error = await store.isRevoked(query()).then(() => undefined, (e: unknown) => e)
    expect(isAuthError(error, 'service_unavailable'), String(error)).to.equal(true)
    redis.resume()
    await until(() => feed.live, 5000)
  })

  it('keeps in its own memory a revocation that Redis failed to take', async () => {
    const { store, feed } = await instance(`nc:${crypto.randomUUID()}:`)
    const q = query()
    redis.pause()
    const error = await store.revokeToken(q.jti, later()).then(() => undefined, (e: unknown) => e)
    expect(isAuthError(error, 'service_unavailable'), String(error)).to.equal(true)
    expect(feed.check(q) !== 'clear').to.equal(true)
  })

  it('keeps in its own memory a family or subject revocation that Redis failed to take', async () => {
    const { store, feed } = await instance(`nc:${crypto.randomUUID()}:`)
    const [family, subject] = [query(), query()]
    redis.pause()
    const failures = await Promise.all([
      store.revokeFamily(family.fam, later()).then(() => undefined, (e: unknown) => e),
      store.revokeSubject(subject.sub, Math.ceil(subject.iat), later()).then(() => undefined, (e: unknown) => e),
    ])
    expect(failures.map((error) => isAuthError(error, 'service_unavailable')), String(failures)).to.deep.equal([
      true,
      true,
    ])
    expect([feed.check(family) !== 'clear', feed.check(subject)]).to.deep.equal([true, 'revoked'])
  })

  it('asks Redis itself for a consistent check, never its copy', async () => {
    const prefix = `nc:${crypto.randomUUID()}:`
    const { store } = await instance(prefix)
    const q = query()
    const admin = new Redis(redis.url)
    // Written behind the feed's back: the copy has not heard of it.
    await admin.set(keyBuilder(prefix).jti(q.jti), '0', 'EX', 600)
    await admin.quit()
    expect([await store.isRevoked(q), await store.isRevoked(q, { consistent: true })]).to.deep.equal([false, true])
  })

  it('loads every existing revocation before answering, on a fresh instance', async () => {
    const prefix = `nc:${crypto.randomUUID()}:`
    const a = await instance(prefix)
    const revoked = Array.from({ length: 2000 }, query)
    // 100 at a time: each revocation must answer within the instance's command timeout.
    for (let i = 0; i < revoked.length; i += 100) {
      await Promise.all(revoked.slice(i, i + 100).map((q) => a.store.revokeToken(q.jti, later())))
    }
    const fresh = await instance(prefix)
    expect(revoked.filter((q) => !(fresh.feed.check(q) !== 'clear'))).to.have.length(0)
  })

  it('keeps refusing a token revoked before Redis was flushed, and refuses tokens issued before it', async () => {
    const prefix = `nc:${crypto.randomUUID()}:`
    const { store, feed } = await instance(prefix, { heartbeatMs: 50 })
    const revoked = query()
    const untouched = query()
    await store.revokeToken(revoked.jti, later())
    await new Promise((r) => setTimeout(r, 5))
    const admin = new Redis(redis.url)
    await admin.flushall()
    // The next heartbeat finds the epoch gone, writes a new one and resyncs before answering.
    await until(async () => Number(await admin.get(keyBuilder(prefix).epoch)) > untouched.iat, 2000)
    expect(await store.isRevoked(revoked)).to.equal(true)
    expect(await store.isRevoked(untouched)).to.equal(true)
    await until(() => feed.live, 5000)
    expect(await store.isRevoked(revoked)).to.equal(true)
    expect(await store.isRevoked(untouched)).to.equal(true)
    await new Promise((r) => setTimeout(r, 5))
    expect(await store.isRevoked(query())).to.equal(false)
    await admin.quit()
  })

  it('answers a good token from memory, and confirms a revoked one in Redis: the copy holds fingerprints, not ids', async () => {
    const prefix = `nc:${crypto.randomUUID()}:`
    const { store } = await instance(prefix)
    const revoked = query()
    await store.revokeToken(revoked.jti, later())
    await new Promise((r) => setTimeout(r, 5))
    const admin = new Redis(redis.url)
    const mgets = async () => Number(/cmdstat_mget:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? 0)
    await admin.config('RESETSTAT')
    for (let i = 0; i < 50; i++) expect(await store.isRevoked(query())).to.equal(false)
    expect(await mgets()).to.equal(0)
    expect(await store.isRevoked(revoked)).to.equal(true)
    expect(await mgets()).to.equal(1)
    await admin.quit()
  })

  it('refuses a token whose fingerprint is held when Redis confirms, and admits one Redis clears', async () => {
    const prefix = `nc:${crypto.randomUUID()}:`
    const { store, feed, redis: inRedis } = await instance(prefix)
    // A fingerprint held for an id Redis never revoked: what a collision looks like.
    const collides = query()
    feed.apply({ kind: 'jti', id: collides.jti, value: 0, expiresAt: later() })
    expect(feed.check(collides)).to.equal('confirm')
    expect(await store.isRevoked(collides)).to.equal(false)
    await inRedis.revokeToken(collides.jti, later())
    expect(await store.isRevoked(collides)).to.equal(true)
  })
})
