import { describe, it } from 'mocha'
import { expect } from 'chai'
import { Redis } from 'ioredis'
import { loadConfig } from '../../src/adapters/config.ts'
import {
  createContainer, disposeContainer, Feed, HttpApp, Mongo, OPTIONAL_SERVICE_IDS, RedisClient, SERVICE_IDS,
} from '../../src/adapters/container.ts'
import { MongoItemRepository } from '../../src/adapters/mongo/item_repository.ts'
import { MongoUserRepository } from '../../src/adapters/mongo/user_repository.ts'
import { NearCachedRevocationStore } from '../../src/adapters/redis/near_cached_revocation_store.ts'
import { RedisRevocationStore } from '../../src/adapters/redis/revocation_store.ts'
import { ItemRepository } from '../../src/application/ports/item_repository.ts'
import { RevocationStore, type RevocationStore as RevocationStorePort } from '../../src/application/ports/revocation_store.ts'
import { createLogger } from '../../src/adapters/logger.ts'
import { MemoryUserRepository } from '../../src/adapters/memory/user_repository.ts'
import { UserRepository } from '../../src/application/ports/user_repository.ts'
import { Login } from '../../src/application/login.ts'
import { TEST_ENV } from '../support/http_harness.ts'
import { acquireRedisOrSkip } from '../support/redis_server.ts'

describe('createContainer', () => {
  const build = (overrides = {}) =>
    createContainer(loadConfig({ ...TEST_ENV, RATE_LIMIT: 'on' }), createLogger('silent'), overrides)

  it('resolves every binding it declares', async () => {
    const container = build()
    for (const id of SERVICE_IDS) {
      expect(container.isBound(id), String(id)).to.equal(true)
      expect(await container.getAsync(id), String(id)).to.not.equal(undefined)
    }
    await disposeContainer(container)
  })

  it('gives one instance per binding', async () => {
    const container = build()
    expect(await container.getAsync(Login)).to.equal(await container.getAsync(Login))
    expect(await container.getAsync(HttpApp)).to.equal(await container.getAsync(HttpApp))
  })

  it('uses a store passed as an override instead of the default one', async () => {
    const users = new MemoryUserRepository()
    const container = build({ users })
    expect(await container.getAsync(UserRepository)).to.equal(users)
  })

  it('unbinds everything on dispose', async () => {
    const container = build()
    await container.getAsync(HttpApp)
    await disposeContainer(container)
    expect(container.isBound(Login)).to.equal(false)
  })
})

describe('createContainer with real stores', () => {
  it('binds the Redis store for REDIS_URL with REVOCATION_CACHE=off and closes its client on dispose', async function () {
    const redis = await acquireRedisOrSkip(this)
    try {
      const config = loadConfig({ ...TEST_ENV, REDIS_URL: redis.url, REVOCATION_CACHE: 'off', REDIS_KEY_PREFIX: `c:${crypto.randomUUID()}:` })
      const container = createContainer(config, createLogger('silent'))
      expect(await container.getAsync(RevocationStore)).to.be.instanceOf(RedisRevocationStore)
      const client = await container.getAsync(RedisClient)
      expect(client.status).to.equal('ready')
      await disposeContainer(container)
      expect(client.status).to.equal('end')
    } finally {
      await redis.stop()
    }
  })

  it('puts the near-cache in front of Redis by default, and stops its feed on dispose', async function () {
    const redis = await acquireRedisOrSkip(this)
    try {
      const config = loadConfig({ ...TEST_ENV, REDIS_URL: redis.url, REDIS_KEY_PREFIX: `c:${crypto.randomUUID()}:` })
      const container = createContainer(config, createLogger('silent'))
      const store = await container.getAsync<RevocationStorePort>(RevocationStore)
      expect(store).to.be.instanceOf(NearCachedRevocationStore)
      const feed = await container.getAsync(Feed)
      // Started: it goes live, and a check of a good token then sends Redis no read.
      for (let i = 0; i < 200 && !feed.live; i++) await new Promise((r) => setTimeout(r, 10))
      expect(feed.live, 'the feed was never started').to.equal(true)
      const admin = new Redis(redis.url)
      await admin.config('RESETSTAT')
      expect(await store.isRevoked({ jti: crypto.randomUUID(), fam: crypto.randomUUID(), sub: 's', iat: Date.now() / 1000 })).to.equal(false)
      expect(await admin.info('commandstats')).to.not.match(/cmdstat_mget:/)
      const feedConnections = async () => String(await admin.call('CLIENT', 'LIST')).split('\n').filter((line) => / name=hexauth-feed /.test(line)).length
      expect(await feedConnections()).to.equal(1)
      await disposeContainer(container)
      // Closed: not live, and its subscriber connection is gone.
      expect(feed.live).to.equal(false)
      for (let i = 0; i < 200 && await feedConnections() > 0; i++) await new Promise((r) => setTimeout(r, 10))
      expect(await feedConnections(), 'the feed was never closed').to.equal(0)
      await admin.quit()
    } finally {
      await redis.stop()
    }
  })

  it('binds the MongoDB repositories for MONGO_URL, connecting lazily, and closes on dispose', async () => {
    const config = loadConfig({ ...TEST_ENV, MONGO_URL: 'mongodb://127.0.0.1:9/hexauth', MONGO_TIMEOUT_MS: '200' })
    const container = createContainer(config, createLogger('silent'))
    expect(await container.getAsync(UserRepository)).to.be.instanceOf(MongoUserRepository)
    expect(await container.getAsync(ItemRepository)).to.be.instanceOf(MongoItemRepository)
    for (const id of OPTIONAL_SERVICE_IDS.filter((id) => container.isBound(id))) {
      expect(await container.getAsync(id)).to.not.equal(undefined)
    }
    await disposeContainer(container)
    expect(container.isBound(Mongo)).to.equal(false)
  })
})
