import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { Redis } from 'ioredis'
import type { ServiceIdentifier } from 'inversify'
import * as ids from '../../src/adapters/composition/ids.ts'
import { loadConfig } from '../../src/adapters/config.ts'
import {
  type AppContainer,
  boundIdentifiers,
  CAPABILITIES,
  type ContainerOverrides,
  createContainer,
  disposeContainer,
  Feed,
  HttpApp,
  Limits,
  Mongo,
  Probes,
  RedisClient,
} from '../../src/adapters/container.ts'
import { createLogger } from '../../src/adapters/logger.ts'
import { MemoryItemRepository } from '../../src/adapters/memory/item_repository.ts'
import { MemoryRevocationStore } from '../../src/adapters/memory/revocation_store.ts'
import { MemorySessionStore } from '../../src/adapters/memory/session_store.ts'
import { MemoryUserRepository } from '../../src/adapters/memory/user_repository.ts'
import { MongoItemRepository } from '../../src/adapters/mongo/item_repository.ts'
import { MongoUserRepository } from '../../src/adapters/mongo/user_repository.ts'
import { NearCachedRevocationStore } from '../../src/adapters/redis/near_cached_revocation_store.ts'
import { RedisRevocationStore } from '../../src/adapters/redis/revocation_store.ts'
import { CheckClaims } from '../../src/application/check_claims.ts'
import { CreateItem } from '../../src/application/create_item.ts'
import { DeleteAllUsers } from '../../src/application/delete_all_users.ts'
import { DeleteItem } from '../../src/application/delete_item.ts'
import { DeleteUser } from '../../src/application/delete_user.ts'
import { FreshLogin } from '../../src/application/fresh_login.ts'
import { GetItem } from '../../src/application/get_item.ts'
import { ListItems } from '../../src/application/list_items.ts'
import { ListUsers } from '../../src/application/list_users.ts'
import { Login } from '../../src/application/login.ts'
import {
  ItemRepository,
  type ItemRepository as ItemRepositoryPort,
} from '../../src/application/ports/item_repository.ts'
import type { PasswordHasher } from '../../src/application/ports/password_hasher.ts'
import {
  RevocationStore,
  type RevocationStore as RevocationStorePort,
} from '../../src/application/ports/revocation_store.ts'
import {
  UserRepository,
  type UserRepository as UserRepositoryPort,
} from '../../src/application/ports/user_repository.ts'
import { RefreshAccess } from '../../src/application/refresh_access.ts'
import { RegisterUser } from '../../src/application/register_user.ts'
import { RevokeToken } from '../../src/application/revoke_token.ts'
import { RevokeUserTokens } from '../../src/application/revoke_user_tokens.ts'
import { IntrospectToken } from '../../src/application/introspect_token.ts'
import { RevokeAnyToken } from '../../src/application/revoke_any_token.ts'
import { TokenIdentity } from '../../src/application/token_identity.ts'
import { SetAdmin } from '../../src/application/set_admin.ts'
import { isAuthError } from '../../src/domain/auth_error.ts'
import type { Username } from '../../src/domain/username.ts'
import { FakeClock } from '../support/fake_clock.ts'
import { startFakeMongo } from '../support/fake_mongo.ts'
import { TEST_ENV } from '../support/http_harness.ts'
import { acquireRedisOrSkip } from '../support/redis_server.ts'
import { resyncsInWorkerOn } from '../../src/adapters/redis/scan_worker.ts'
import { createTestHasher } from '../support/test_hasher.ts'

/** TEST_ENV on memory stores whatever the CI run sets (REDIS_URL), with `env` on top. */
const memoryEnv = (env: Record<string, string> = {}) => {
  const { REDIS_URL: _ignored, ...rest } = TEST_ENV
  return { ...rest, ...env }
}
const SECRET = Buffer.from(crypto.getRandomValues(new Uint8Array(36))).toString('base64')
const build = (env: Record<string, string> = {}, overrides: ContainerOverrides = {}) =>
  createContainer(loadConfig(memoryEnv(env)), createLogger('silent'), overrides)

/** The adapter with every method call written to `calls` as "name.method". */
function recording<T extends object>(name: string, target: T, calls: string[]): T {
  return new Proxy(target, {
    get(object, key, receiver) {
      const value = Reflect.get(object, key, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        calls.push(`${name}.${String(key)}`)
        return (value as (...a: unknown[]) => unknown).apply(object, args)
      }
    },
  })
}

/** Resolves every identifier the container bound; the ones that resolved to `undefined`. */
async function resolveAll(container: AppContainer): Promise<string[]> {
  const empty: string[] = []
  for (const id of boundIdentifiers(container)) {
    if (await container.getAsync(id as ServiceIdentifier<unknown>) === undefined) empty.push(String(id))
  }
  return empty
}

const nameOf = (id: ServiceIdentifier) => typeof id === 'function' ? id.name : String(id)

describe('createContainer: every bound identifier', () => {
  const seen = new Set<ServiceIdentifier>()

  it('resolves on memory stores with managed keys and rate limits on', async () => {
    const container = build({ RATE_LIMIT: 'on' })
    expect(await resolveAll(container)).to.deep.equal([])
    for (const id of boundIdentifiers(container)) seen.add(id)
    await disposeContainer(container)
  })

  it('resolves with HS256 (JWT_SECRET) and rate limits off, Limits alone resolving to undefined', async () => {
    const container = build({ JWT_SECRET: SECRET })
    expect(await resolveAll(container)).to.deep.equal([String(Limits)])
    for (const id of boundIdentifiers(container)) seen.add(id)
    await disposeContainer(container)
  })

  it('resolves on Redis with the near-cache, and with it off', async function () {
    const redis = await acquireRedisOrSkip(this)
    try {
      for (const cache of ['on', 'off']) {
        const container = build({
          REDIS_URL: redis.url,
          REVOCATION_CACHE: cache,
          RATE_LIMIT: 'on',
          REDIS_KEY_PREFIX: `c:${crypto.randomUUID()}:`,
        })
        expect(await resolveAll(container), cache).to.deep.equal([])
        expect(boundIdentifiers(container).includes(Feed), cache).to.equal(cache === 'on')
        for (const id of boundIdentifiers(container)) seen.add(id)
        await disposeContainer(container)
      }
    } finally {
      await redis.stop()
    }
  })

  it('resolves on MongoDB (the fake wire server), with the keys stored there', async () => {
    const mongo = await startFakeMongo()
    try {
      const container = build({ MONGO_URL: mongo.url, RATE_LIMIT: 'on' })
      expect(await resolveAll(container)).to.deep.equal([])
      for (const id of boundIdentifiers(container)) seen.add(id)
      await disposeContainer(container)
    } finally {
      await mongo.stop()
    }
  })

  it('has bound, over those configurations, every adapter token and every use case the HTTP app and CLI take', function () {
    if (!seen.has(ids.Feed)) this.skip() // the Redis case was skipped: the union is incomplete
    const tokens = Object.values(ids) as ServiceIdentifier[]
    const useCases = [
      RegisterUser,
      Login,
      FreshLogin,
      RefreshAccess,
      RevokeToken,
      CheckClaims,
      ListUsers,
      DeleteUser,
      DeleteAllUsers,
      SetAdmin,
      RevokeUserTokens,
      ListItems,
      GetItem,
      CreateItem,
      DeleteItem,
      TokenIdentity,
      IntrospectToken,
      RevokeAnyToken,
    ]
    expect([...tokens, ...useCases].filter((id) => !seen.has(id)).map(nameOf)).to.deep.equal([])
  })

  it('loads one module per capability, in order, the HTTP app last', () => {
    expect(CAPABILITIES.map((capability) => capability.name)).to.deep.equal([
      'runtime',
      'userStores',
      'revocationStore',
      'limits',
      'tokens',
      'accounts',
      'administration',
      'items',
      'forwardAuth',
      'browser',
      'http',
    ])
  })

  it('probes each configured store for /readyz, and none on memory', async () => {
    const memory = build()
    expect(await memory.getAsync(Probes)).to.deep.equal([])
    await disposeContainer(memory)
    const mongo = await startFakeMongo()
    try {
      const container = build({ MONGO_URL: mongo.url })
      const probes = await container.getAsync(Probes)
      expect(probes.map((probe) => probe.name)).to.deep.equal(['mongodb'])
      await probes[0]!.check() // the fake answers ping
      await mongo.pause()
      const down = await probes[0]!.check().then(() => 'answered', () => 'refused')
      expect(down).to.equal('refused')
      await disposeContainer(container)
    } finally {
      await mongo.stop()
    }
  })
})

describe('createContainer: each use case resolved from it acts on the adapters it was given', () => {
  const calls: string[] = []
  const clock = new FakeClock()
  const users = new MemoryUserRepository()
  const items = new MemoryItemRepository()
  const revocations = new MemoryRevocationStore({ clock })
  const sessions = new MemorySessionStore()
  const hasher: PasswordHasher = createTestHasher()
  let container: AppContainer
  const credentials = (username: string) => ({ username, password: `a good password for ${username}` })
  const steps = async <T>(run: () => Promise<T>): Promise<[T, string[]]> => {
    calls.length = 0
    const result = await run()
    return [result, [...new Set(calls)]]
  }

  before(() => {
    container = build({}, {
      clock,
      users: recording('users', users, calls),
      items: recording('items', items, calls),
      revocations: recording('revocations', revocations, calls),
      sessions: recording('sessions', sessions, calls),
      hasher: recording('hasher', hasher, calls),
    })
  })
  after(() => disposeContainer(container))

  it('binds the overrides themselves as the ports', async () => {
    calls.length = 0
    await (await container.getAsync<UserRepositoryPort>(UserRepository)).list()
    await (await container.getAsync<ItemRepositoryPort>(ItemRepository)).list()
    await (await container.getAsync<RevocationStorePort>(RevocationStore)).isRevoked({
      jti: 'j',
      fam: 'f',
      sub: 's',
      iat: 1,
    })
    expect(calls).to.deep.equal(['users.list', 'items.list', 'revocations.isRevoked'])
  })

  it('RegisterUser hashes with the hasher and creates the user in the user store', async () => {
    const [result, used] = await steps(async () => (await container.getAsync(RegisterUser)).execute(credentials('ada')))
    expect(used).to.include.members(['hasher.hash', 'users.create'])
    expect((await users.findByUsername('ada' as Username))?.passwordHash).to.match(/^\$argon2id\$/)
    expect(result.username).to.equal('ada')
  })

  it('Login checks the password with the hasher against the stored user and records the session; CheckClaims accepts its tokens against the blocklist', async () => {
    const [pair, used] = await steps(async () => (await container.getAsync(Login)).execute(credentials('ada')))
    expect(used).to.include.members(['users.findByUsername', 'hasher.verify', 'sessions.save'])
    const [claims, checked] = await steps(async () =>
      (await container.getAsync(CheckClaims)).execute({ token: pair.accessToken, type: 'access' })
    )
    expect(claims.sub).to.equal((await users.findByUsername('ada' as Username))!.id)
    expect(checked).to.include('revocations.isRevoked')
  })

  it('RevokeToken writes the jti to the blocklist it was given, and CheckClaims then refuses the token', async () => {
    const pair = await (await container.getAsync(Login)).execute(credentials('ada'))
    const check = await container.getAsync(CheckClaims)
    const claims = await check.execute({ token: pair.accessToken, type: 'access' })
    const [, used] = await steps(async () =>
      (await container.getAsync(RevokeToken)).execute({ token: pair.accessToken, type: 'access' })
    )
    expect(used).to.include('revocations.revokeToken')
    expect(await revocations.isRevoked(claims)).to.equal(true)
    const refused = await check.execute({ token: pair.accessToken, type: 'access' }).then(
      () => 'accepted',
      (e: unknown) => isAuthError(e, 'token_revoked'),
    )
    expect(refused).to.equal(true)
  })

  it('SetAdmin writes the flag to the user store, and RefreshAccess reads it from there', async () => {
    const pair = await (await container.getAsync(Login)).execute(credentials('ada'))
    const [, used] = await steps(async () =>
      (await container.getAsync(SetAdmin)).execute({ username: 'ada', isAdmin: true })
    )
    expect(used).to.include('users.setAdmin')
    expect((await users.findByUsername('ada' as Username))?.isAdmin).to.equal(true)
    const [refreshed, reads] = await steps(async () =>
      (await container.getAsync(RefreshAccess)).execute({ token: pair.refreshToken })
    )
    expect(reads).to.include.members(['users.findById', 'revocations.retire', 'sessions.touch'])
    const claims = await (await container.getAsync(CheckClaims)).execute({
      token: refreshed.accessToken,
      type: 'access',
    })
    expect(claims.isAdmin).to.equal(true)
  })

  it('ListUsers lists the user store; RevokeUserTokens and DeleteUser revoke the subject in the blocklist', async () => {
    await (await container.getAsync(RegisterUser)).execute(credentials('bob'))
    const [listed, used] = await steps(async () => (await container.getAsync(ListUsers)).execute())
    expect(used).to.deep.equal(['users.list'])
    expect(listed.map((user) => user.username)).to.include.members(['ada', 'bob'])
    const [, revoked] = await steps(async () =>
      (await container.getAsync(RevokeUserTokens)).execute({ username: 'bob' })
    )
    expect(revoked).to.include('revocations.revokeSubject')
    const [, deleted] = await steps(async () => (await container.getAsync(DeleteUser)).execute({ username: 'bob' }))
    expect(deleted).to.include.members(['users.delete', 'revocations.revokeSubject'])
    expect(await users.findByUsername('bob' as Username)).to.equal(undefined)
  })

  it("IntrospectToken checks the blocklist it was given; RevokeAnyToken writes a refresh token's family to it", async () => {
    const pair = await (await container.getAsync(Login)).execute(credentials('ada'))
    const [active, checked] = await steps(async () =>
      (await container.getAsync(IntrospectToken)).execute({ token: pair.refreshToken })
    )
    expect(active.active).to.equal(true)
    expect(checked).to.include.members(['revocations.isRevoked', 'users.findById'])
    const [, revoked] = await steps(async () =>
      (await container.getAsync(RevokeAnyToken)).execute({ token: pair.refreshToken })
    )
    expect(revoked).to.deep.equal(['revocations.revokeFamily'])
    expect(await (await container.getAsync(IntrospectToken)).execute({ token: pair.accessToken })).to.deep.equal({
      active: false,
    })
  })

  it('the item use cases act on the item store', async () => {
    const [, created] = await steps(async () =>
      (await container.getAsync(CreateItem)).execute({ name: 'chair', body: { price: 12.5 } })
    )
    expect(created).to.include('items.create')
    expect(await items.find('chair')).to.deep.include({ name: 'chair', price: 12.5 })
    const [item, got] = await steps(async () => (await container.getAsync(GetItem)).execute({ name: 'chair' }))
    expect(got).to.deep.equal(['items.find'])
    expect(item.price).to.equal(12.5)
    const [, listed] = await steps(async () => (await container.getAsync(ListItems)).execute({ signedIn: true }))
    expect(listed).to.deep.equal(['items.list'])
    const [, deleted] = await steps(async () => (await container.getAsync(DeleteItem)).execute({ name: 'chair' }))
    expect(deleted).to.include('items.delete')
    expect(await items.find('chair')).to.equal(undefined)
  })

  it('DeleteAllUsers empties the user store and revokes every deleted subject', async () => {
    const [count, used] = await steps(async () => (await container.getAsync(DeleteAllUsers)).execute())
    expect(count).to.be.greaterThan(0)
    expect(used).to.include.members(['users.deleteAll', 'revocations.revokeSubject'])
    expect(await users.list()).to.deep.equal([])
  })

  it('serves HTTP over the same use cases: POST /registration lands in the given user store', async () => {
    const server = createServer((await container.getAsync(HttpApp)).callback()).listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    try {
      const { port } = server.address() as AddressInfo
      const response = await fetch(`http://127.0.0.1:${port}/registration`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(credentials('carol')),
      })
      expect(response.status).to.equal(201)
      expect((await users.findByUsername('carol' as Username))?.username).to.equal('carol')
    } finally {
      server.close()
    }
  })
})

describe('createContainer: the configured adapters', () => {
  it('on REDIS_URL with the near-cache off: the Redis blocklist, its client closed on dispose, a revocation seen by a second instance', async function () {
    const redis = await acquireRedisOrSkip(this)
    try {
      const env = {
        REDIS_URL: redis.url,
        REVOCATION_CACHE: 'off',
        REDIS_KEY_PREFIX: `c:${crypto.randomUUID()}:`,
        JWT_SECRET: SECRET,
      }
      const [one, two] = [build(env), build(env)]
      expect(await one.getAsync(RevocationStore)).to.be.instanceOf(RedisRevocationStore)
      const client = await one.getAsync(RedisClient)
      expect(client.status).to.equal('ready')
      await (await one.getAsync(RegisterUser)).execute({ username: 'dan', password: 'a good password for dan' })
      const users = await one.getAsync<UserRepositoryPort>(UserRepository)
      await (await two.getAsync<UserRepositoryPort>(UserRepository)).create(
        (await users.findByUsername('dan' as Username))!,
      )
      const pair = await (await one.getAsync(Login)).execute({ username: 'dan', password: 'a good password for dan' })
      await (await one.getAsync(RevokeToken)).execute({ token: pair.accessToken, type: 'access' })
      const seen = await (await two.getAsync(CheckClaims)).execute({ token: pair.accessToken, type: 'access' })
        .then(() => 'accepted', (e: unknown) => isAuthError(e, 'token_revoked'))
      expect(seen, 'the second instance reads the same blocklist').to.equal(true)
      await disposeContainer(one)
      await disposeContainer(two)
      expect(client.status).to.equal('end')
    } finally {
      await redis.stop()
    }
  })

  it('puts the near-cache in front of Redis by default, its resyncs read in a worker on Node 24 and later, and stops its feed on dispose', async function () {
    const redis = await acquireRedisOrSkip(this)
    try {
      const container = build({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: `c:${crypto.randomUUID()}:` })
      const store = await container.getAsync<RevocationStorePort>(RevocationStore)
      expect(store).to.be.instanceOf(NearCachedRevocationStore)
      const feed = await container.getAsync(Feed)
      // Started: it goes live, and a check of a good token then sends Redis no read.
      for (let i = 0; i < 200 && !feed.live; i++) await new Promise((r) => setTimeout(r, 10))
      expect(feed.live, 'the feed was never started').to.equal(true)
      expect(feed.resyncsInWorker).to.equal(resyncsInWorkerOn(process.versions.node))
      const admin = new Redis(redis.url)
      await admin.config('RESETSTAT')
      expect(
        await store.isRevoked({ jti: crypto.randomUUID(), fam: crypto.randomUUID(), sub: 's', iat: Date.now() / 1000 }),
      ).to.equal(false)
      expect(await admin.info('commandstats')).to.not.match(/cmdstat_mget:/)
      const feedConnections = async () =>
        String(await admin.call('CLIENT', 'LIST')).split('\n').filter((line) => / name=hexauth-feed /.test(line)).length
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

  it('on MONGO_URL: the MongoDB repositories, a user registered by one instance logging in on another, closed on dispose', async () => {
    const mongo = await startFakeMongo()
    try {
      const env = { MONGO_URL: mongo.url, JWT_SECRET: SECRET }
      const [one, two] = [build(env), build(env)]
      expect(await one.getAsync(UserRepository)).to.be.instanceOf(MongoUserRepository)
      expect(await one.getAsync(ItemRepository)).to.be.instanceOf(MongoItemRepository)
      await (await one.getAsync(RegisterUser)).execute({ username: 'erin', password: 'a good password for erin' })
      expect(mongo.commands.some((command) => command.name === 'insert')).to.equal(true)
      const pair = await (await two.getAsync(Login)).execute({ username: 'erin', password: 'a good password for erin' })
      expect(pair.username).to.equal('erin')
      await disposeContainer(one)
      await disposeContainer(two)
      expect(one.isBound(Mongo)).to.equal(false)
    } finally {
      await mongo.stop()
    }
  })

  it('gives one instance per binding', async () => {
    const container = build()
    expect(await container.getAsync(Login)).to.equal(await container.getAsync(Login))
    expect(await container.getAsync(HttpApp)).to.equal(await container.getAsync(HttpApp))
    await disposeContainer(container)
    expect(container.isBound(Login)).to.equal(false)
  })
})
