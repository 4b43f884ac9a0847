import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { Redis } from 'ioredis'
import { LocalRevocations } from '../../../src/adapters/redis/local_revocations.ts'
import { parseRedisUrl } from '../../../src/adapters/redis/redis_url.ts'
import { closeRedisClient, createRedisClient, waitUntilReady } from '../../../src/adapters/redis/redis_client.ts'
import { scanRevocations } from '../../../src/adapters/redis/revocation_scan.ts'
import { keyBuilder } from '../../../src/adapters/redis/revocation_store.ts'
import { resyncsInWorkerOn, scanInWorker } from '../../../src/adapters/redis/scan_worker.ts'
import { acquireRedisOrSkip, freePort, type RedisHandle } from '../../support/redis_server.ts'
import { startRevocationInstance } from '../../support/revocation_instance.ts'

describe('resync in a worker thread (scanInWorker)', function () {
  let redis: RedisHandle
  let admin: Redis
  const now = () => Math.floor(Date.now() / 1000)

  before(async function () {
    redis = await acquireRedisOrSkip(this, 'resync worker suite')
    admin = new Redis(redis.url)
  })
  after(async () => {
    admin?.disconnect()
    await redis?.stop()
  })

  /** Writes under a fresh prefix what a month of logouts leaves, plus the odd keys a resync must handle. */
  async function written() {
    const prefix = `scan:${crypto.randomUUID()}:`
    const keys = keyBuilder(prefix)
    const ids = {
      jtis: Array.from({ length: 2500 }, () => crypto.randomUUID()), // several SCAN batches
      fam: crypto.randomUUID(),
      sub: crypto.randomUUID(),
      forever: crypto.randomUUID(), // set by hand, with no expiry
    }
    const pipeline = admin.pipeline()
    for (const jti of ids.jtis) pipeline.set(keys.jti(jti), '0', 'EXAT', now() + 600)
    pipeline.set(keys.fam(ids.fam), '0', 'EXAT', now() + 600)
    pipeline.set(keys.sub(ids.sub), String(now() - 5), 'EXAT', now() + 600)
    pipeline.set(keys.jti(ids.forever), '0')
    pipeline.set(`${prefix}revoked:bogus:x`, '0', 'EXAT', now() + 600) // not a revocation: skipped
    await pipeline.exec()
    return { prefix, ids }
  }
  const options = () => ({ target: parseRedisUrl(redis.url), commandTimeoutMs: 1000 })
  const query = (over: Partial<{ jti: string; fam: string; sub: string; iat: number }> = {}) => ({
    jti: crypto.randomUUID(),
    fam: crypto.randomUUID(),
    sub: crypto.randomUUID(),
    iat: now() - 10,
    ...over,
  })

  it('reads what a scan on this thread reads: every token, family and subject entry, none of the rest', async () => {
    const { prefix, ids } = await written()
    const here = new LocalRevocations()
    const client = createRedisClient(options())
    try {
      await waitUntilReady(client, 2000)
      await scanRevocations(client, prefix, (entry) => here.apply(entry))
    } finally {
      await closeRedisClient(client)
    }
    const there = new LocalRevocations()
    there.absorb(await scanInWorker(options(), prefix).done)
    expect(there.size).to.equal(here.size).and.to.equal(2500 + 3)
    for (const copy of [here, there]) copy.raiseEpoch(now() - 100)
    const queries = [
      ...ids.jtis.slice(0, 50).map((jti) => query({ jti })),
      query({ jti: ids.forever }),
      query({ fam: ids.fam }),
      query({ sub: ids.sub, iat: now() - 10 }), // issued before the subject's cut-off
      query({ sub: ids.sub, iat: now() }), // after it
      query(),
    ]
    const answers = (copy: LocalRevocations) => queries.map((q) => copy.check(q, now()))
    expect(answers(there)).to.deep.equal(answers(here))
    expect(answers(there).slice(0, 52)).to.deep.equal(Array(52).fill('confirm'))
    expect(answers(there).slice(52)).to.deep.equal(['revoked', 'clear', 'clear'])
  })

  it('answers an empty copy for a prefix with nothing revoked', async () => {
    const snapshot = await scanInWorker(options(), `scan:${crypto.randomUUID()}:`).done
    const copy = new LocalRevocations()
    copy.absorb(snapshot)
    expect(copy.size).to.equal(0)
  })

  it('rejects, naming the cause, when Redis cannot be reached: a resync fails rather than answering an empty copy', async () => {
    const nowhere = { target: parseRedisUrl(`redis://127.0.0.1:${await freePort()}`), commandTimeoutMs: 200 }
    const started = Date.now()
    const failed = await scanInWorker(nowhere, 'scan:').done.then(() => undefined, (error: Error) => error)
    expect(failed?.message).to.match(/did not answer|ECONNREFUSED|Connection is closed/)
    expect(Date.now() - started).to.be.below(5000)
  })

  it('stops on stop(): the reading ends and `done` rejects', async () => {
    const { prefix } = await written()
    const scan = scanInWorker(options(), prefix)
    scan.stop()
    const failed = await scan.done.then(() => undefined, (error: Error) => error)
    expect(failed?.message).to.match(/ended/)
  })

  it('lets a feed go live knowing what was revoked before it started, its resync read in a worker', async () => {
    const { prefix, ids } = await written()
    const a = await startRevocationInstance(redis.url, prefix, {
      heartbeatMs: 60_000,
      staleAfterMs: 60_000,
      resyncInWorker: true,
    })
    try {
      // Issued after the instance marked the epoch: only what the resync read can refuse them.
      const issued = Date.now() / 1000
      expect(a.feed.held.entries).to.equal(2500 + 3)
      expect(a.feed.check(query({ jti: ids.jtis[0]!, iat: issued }))).to.equal('confirm')
      expect(a.feed.check(query({ fam: ids.fam, iat: issued }))).to.equal('confirm')
      expect(a.feed.check(query({ iat: issued }))).to.equal('clear')
      expect(await a.store.isRevoked(query({ jti: ids.jtis[0]!, iat: issued }))).to.equal(true)
      expect(await a.store.isRevoked(query({ iat: issued }))).to.equal(false)
    } finally {
      await a.close()
    }
  })

  it('reads on its own thread while the revocation sequence is under resyncWorkerFrom, in the worker from it', async () => {
    const { prefix } = await written()
    await admin.set(keyBuilder(prefix).sequence, '2503') // what hexauth's own 2503 revocations leave
    // A worker reading this address fails, so the feed goes live only if the resync read here.
    const nowhere = `redis://127.0.0.1:${await freePort()}`
    const start = (resyncWorkerFrom: number) =>
      startRevocationInstance(redis.url, prefix, {
        heartbeatMs: 60_000,
        staleAfterMs: 60_000,
        resyncInWorker: true,
        resyncWorkerFrom,
        resyncWorkerUrl: nowhere,
      })
    const here = await start(2504)
    try {
      expect(here.feed.held.entries).to.equal(2500 + 3)
    } finally {
      await here.close()
    }
    let failure: unknown
    await start(2503).then((instance) => instance.close(), (error: unknown) => failure = error)
    expect(String(failure)).to.match(/did not go live/)
  })

  it('is used from Node 24 on, whose V8 keeps the pages an in-thread resync took; Node 20 returns them', () => {
    expect(['20.20.2', '22.12.0', '24.0.0', '24.21.0', '25.1.0'].map(resyncsInWorkerOn))
      .to.deep.equal([false, false, true, true, true])
  })
})
