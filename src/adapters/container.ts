import { Container, type ServiceIdentifier } from 'inversify'
import { CheckClaims } from '../application/check_claims.ts'
import { CreateItem } from '../application/create_item.ts'
import { CredentialsCheck } from '../application/credentials_check.ts'
import { DeleteAllUsers } from '../application/delete_all_users.ts'
import { DeleteItem } from '../application/delete_item.ts'
import { DeleteUser } from '../application/delete_user.ts'
import { FreshLogin } from '../application/fresh_login.ts'
import { GetItem } from '../application/get_item.ts'
import { KeyRing } from '../application/key_ring.ts'
import { ListItems } from '../application/list_items.ts'
import { ListUsers } from '../application/list_users.ts'
import { Login } from '../application/login.ts'
import { Clock } from '../application/ports/clock.ts'
import { ItemRepository } from '../application/ports/item_repository.ts'
import { KeyMaker } from '../application/ports/key_maker.ts'
import { KeyStore } from '../application/ports/key_store.ts'
import { PasswordHasher } from '../application/ports/password_hasher.ts'
import { RevocationStore } from '../application/ports/revocation_store.ts'
import { SigningKeys } from '../application/ports/signing_keys.ts'
import { TokenIssuer } from '../application/ports/token_issuer.ts'
import { TokenVerifier } from '../application/ports/token_verifier.ts'
import { UserRepository } from '../application/ports/user_repository.ts'
import { RefreshAccess } from '../application/refresh_access.ts'
import { RegisterUser } from '../application/register_user.ts'
import { RevokeToken } from '../application/revoke_token.ts'
import { RevokeUserTokens } from '../application/revoke_user_tokens.ts'
import { SetAdmin } from '../application/set_admin.ts'
import { TokenMinter, type TokenPolicy as TokenPolicyValue } from '../application/token_minter.ts'
import { isAuthError } from '../domain/auth_error.ts'
import type { UsernameKey } from '../domain/username.ts'
import type { Config as ConfigValue } from './config.ts'
import { Argon2Hasher } from './crypto/argon2_hasher.ts'
import { bindForwardAuth, FORWARD_AUTH_SERVICE_IDS, IntrospectionHttp } from './composition/forward_auth.ts'
import { JoseTokenIssuer } from './crypto/jose_token_issuer.ts'
import { CachedTokenVerifier } from './crypto/cached_token_verifier.ts'
import { HmacSigningKeys } from './crypto/hmac_signing_keys.ts'
import { JoseKeyMaker } from './crypto/jose_key_maker.ts'
import { JoseTokenVerifier } from './crypto/jose_token_verifier.ts'
import type { JwtSettings as JwtSettingsValue } from './crypto/jwt_settings.ts'
import { FileKeyStore } from './file/key_store.ts'
import { KeyRefresher } from './key_refresher.ts'
import { MemoryKeyStore } from './memory/key_store.ts'
import { MongoKeyStore } from './mongo/key_store.ts'
import { createHttpApp, type HttpDeps } from './http/app.ts'
import type { Logger as LoggerValue } from './logger.ts'
import { MemoryItemRepository } from './memory/item_repository.ts'
import { MemoryRevocationStore } from './memory/revocation_store.ts'
import { MemoryUserRepository } from './memory/user_repository.ts'
import { MongoItemRepository } from './mongo/item_repository.ts'
import { MongoConnection } from './mongo/mongo_connection.ts'
import { MongoUserRepository } from './mongo/user_repository.ts'
import type { AuthLimits } from './http/rate_limits.ts'
import { Metrics as MetricsValue } from './http/metrics.ts'
import { InFlightRequests } from './http/in_flight.ts'
import type { ReadinessProbe } from './http/readiness.ts'
import { createMemoryLimits } from './memory/rate_limiters.ts'
import { createRedisLimits } from './redis/rate_limiters.ts'
import { closeRedisClient, createRedisClient, duplicateClient, type RedisClient as RedisClientValue, waitUntilReady } from './redis/redis_client.ts'
import { keyPrefixFor, parseRedisUrl } from './redis/redis_url.ts'
import { NearCachedRevocationStore } from './redis/near_cached_revocation_store.ts'
import { RevocationFeed } from './redis/revocation_feed.ts'
import { keyBuilder, RedisRevocationStore } from './redis/revocation_store.ts'
import { RedisServerCheck } from './redis/server_check.ts'
import { StoreHealth } from './store_health.ts'
import { SystemClock } from './system_clock.ts'

/** Injection token of the validated {@linkcode ConfigValue | Config}. */
export const Config: ServiceIdentifier<ConfigValue> = Symbol('Config')
/** Injection token of the service logger. */
export const Logger: ServiceIdentifier<LoggerValue> = Symbol('Logger')
/** Injection token of the signing keys and JWT options. */
export const JwtSettings: ServiceIdentifier<JwtSettingsValue> = Symbol('JwtSettings')
/** Injection token of the background key refresh (and SIGHUP reload); `main.ts` starts it. */
export const KeyRefresh: ServiceIdentifier<KeyRefresher> = Symbol('KeyRefresh')
/** Injection token of the token lifetimes. */
export const TokenPolicy: ServiceIdentifier<TokenPolicyValue> = Symbol('TokenPolicy')
/** Injection token of the case-folded usernames only an operator may register (`ADMIN_USERNAMES`). */
export const ReservedUsernames: ServiceIdentifier<ReadonlySet<UsernameKey>> = Symbol('ReservedUsernames')
/**
 * Injection token of whether the blocklist is the one the service instances share (Redis, or
 * one given as an override): a revocation in a per-process memory store reaches no instance.
 */
export const SharedBlocklist: ServiceIdentifier<boolean> = Symbol('SharedBlocklist')
/** Injection token of the shared MongoDB connection (bound only with `MONGO_URL`). */
export const Mongo: ServiceIdentifier<MongoConnection> = Symbol('Mongo')
/** Injection token of the store health: each store's failures, logged once per episode. */
export const Health: ServiceIdentifier<StoreHealth> = Symbol('Health')
/** Injection token of the ioredis client (bound only with `REDIS_URL`). */
export const RedisClient: ServiceIdentifier<RedisClientValue> = Symbol('RedisClient')
/** Injection token of the connection revocations are written on, `WAIT` included (bound only with `REDIS_URL`). */
export const RedisWriter: ServiceIdentifier<RedisClientValue> = Symbol('RedisWriter')
/** Injection token of the Redis version and replica check (bound only with `REDIS_URL`). */
export const RedisServer: ServiceIdentifier<RedisServerCheck> = Symbol('RedisServer')
/** Injection token of the Redis blocklist itself (bound only with `REDIS_URL`). */
export const RedisRevocations: ServiceIdentifier<RedisRevocationStore> = Symbol('RedisRevocations')
/** Injection token of the revocation feed (bound only with `REVOCATION_CACHE=on`). */
export const Feed: ServiceIdentifier<RevocationFeed> = Symbol('Feed')
/** Injection token of the brute-force limiters (`undefined` with `RATE_LIMIT=off`). */
export const Limits: ServiceIdentifier<AuthLimits | undefined> = Symbol('Limits')
/** Injection token of the Prometheus metrics. */
export const Metrics: ServiceIdentifier<MetricsValue> = Symbol('Metrics')
/** Injection token of the readiness probes, one per configured store. */
export const Probes: ServiceIdentifier<readonly ReadinessProbe[]> = Symbol('Probes')
/** Injection token of the in-flight request counter, which shutdown waits on. */
export const InFlight: ServiceIdentifier<InFlightRequests> = Symbol('InFlight')
/** Injection token of the Koa app. */
export const HttpApp: ServiceIdentifier<ReturnType<typeof createHttpApp>> = Symbol('HttpApp')

/** Ready-made adapters that replace the configured ones (tests, embedders). */
export interface ContainerOverrides {
  readonly clock?: Clock
  readonly users?: UserRepository
  readonly items?: ItemRepository
  readonly revocations?: RevocationStore
  readonly hasher?: PasswordHasher
  readonly limits?: AuthLimits
  /** The managed keys' store (instances sharing one, a tampered one). */
  readonly keyStore?: KeyStore
}

/** The application's one composition root: every binding is a singleton. */
export type AppContainer = Container

/** Binds every port, use case and the HTTP app for `config`. */
export function createContainer(config: ConfigValue, logger: LoggerValue, overrides: ContainerOverrides = {}): AppContainer {
  const c = new Container({ defaultScope: 'Singleton' })
  c.bind(Config).toConstantValue(config)
  c.bind(Logger).toConstantValue(logger)
  bindAdapters(c, config, overrides)
  bindUseCases(c)
  bindForwardAuth(c, config, TokenPolicy)
  c.bind(HttpApp).toResolvedValue((deps: HttpDeps) => createHttpApp(deps), [httpDeps(c)])
  return c
}

function bindAdapters(c: Container, config: ConfigValue, o: ContainerOverrides): void {
  c.bind(Clock).toConstantValue(o.clock ?? new SystemClock())
  c.bind(Health).toResolvedValue((logger: LoggerValue, clock: Clock) => new StoreHealth({ logger, clock }), [Logger, Clock])
  bindUserStores(c, config, o)
  bindRevocationStore(c, config, o)
  bindLimits(c, config, o)
  c.bind(Metrics).toResolvedValue(async () => {
    const metrics = new MetricsValue()
    metrics.watchInFlight(await c.getAsync(InFlight))
    if (c.isBound(Feed)) metrics.watchNearCache(await c.getAsync(Feed))
    return metrics
  })
  c.bind(InFlight).toConstantValue(new InFlightRequests())
  c.bind(Probes).toResolvedValue(() => [
    ...c.isBound(Mongo) ? [{ name: 'mongodb', check: async () => (await c.getAsync(Mongo)).ping() }] : [],
    ...c.isBound(RedisClient) ? [{ name: 'redis', check: async () => {
      await (await c.getAsync(RedisClient)).ping()
      if (c.isBound(RedisServer)) (await c.getAsync(RedisServer)).assertUsable()
    } }] : [],
  ])
  c.bind(PasswordHasher).toConstantValue(o.hasher ?? new Argon2Hasher(config.argon2, config.argon2Concurrency))
  bindKeys(c, config, o)
  c.bind(JwtSettings).toResolvedValue((clock: Clock, keys: SigningKeys) => ({
    keys,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    leewaySeconds: config.jwtLeewaySeconds,
    clock,
  }), [Clock, SigningKeys])
  c.bind(TokenIssuer).toResolvedValue((s: JwtSettingsValue) => new JoseTokenIssuer(s), [JwtSettings])
  c.bind(TokenVerifier).toResolvedValue((s: JwtSettingsValue) => {
    const jose = new JoseTokenVerifier(s)
    const maxEntries = config.tokenCacheSize
    return maxEntries === 0 ? jose : new CachedTokenVerifier({ inner: jose, clock: s.clock, maxEntries })
  }, [JwtSettings])
  c.bind(TokenPolicy).toConstantValue({
    accessTtlSeconds: config.accessTokenTtlSeconds,
    refreshTtlSeconds: config.refreshTokenTtlSeconds,
    refreshReuseGraceSeconds: config.refreshReuseGraceSeconds,
    leewaySeconds: config.jwtLeewaySeconds,
  })
  c.bind(ReservedUsernames).toConstantValue(new Set(config.adminUsernames.map((name) => name.toLowerCase() as UsernameKey)))
  c.bind(SharedBlocklist).toConstantValue(o.revocations !== undefined || config.redisUrl !== undefined)
}

/**
 * The signing keys: HS256 with one secret; else a key ring over a key file (`JWT_KEYS_FILE`),
 * MongoDB (`MONGO_URL`) or memory, loaded before the app serves. A key that cannot be opened
 * (a wrong `KEY_ENCRYPTION_SECRET`) fails the start; a store that cannot answer does not: the
 * ring retries in the background and token routes answer 503 until it has keys.
 */
function bindKeys(c: Container, config: ConfigValue, o: ContainerOverrides): void {
  const { mode, algorithm, encryptionSecret, keysFile, refreshSeconds } = config.keys
  const refresher = (refresh: () => Promise<void>, reload: () => Promise<void>, logger: LoggerValue) =>
    new KeyRefresher({ refresh, reload, logger, intervalMs: refreshSeconds * 1000 })
  if (mode === 'hs256') {
    // No secret configured: a random one, so tokens die with the process (main warns).
    c.bind(SigningKeys).toResolvedValue((clock: Clock) =>
      HmacSigningKeys.create(config.jwtSecret ?? crypto.getRandomValues(new Uint8Array(48)), clock.now()), [Clock])
    const nothing = () => Promise.resolve()
    c.bind(KeyRefresh).toResolvedValue((logger: LoggerValue) => refresher(nothing, nothing, logger), [Logger])
    return
  }
  const maker = new JoseKeyMaker({ secret: mode === 'managed' ? encryptionSecret : undefined })
  c.bind(KeyMaker).toConstantValue(maker)
  if (o.keyStore !== undefined) c.bind(KeyStore).toConstantValue(o.keyStore)
  else if (mode === 'file') c.bind(KeyStore).toResolvedValue((clock: Clock) => new FileKeyStore({ path: keysFile!, maker, clock }), [Clock])
  else if (config.mongoUrl !== undefined) c.bind(KeyStore).toResolvedValue((mongo: MongoConnection) => new MongoKeyStore(mongo), [Mongo])
  else c.bind(KeyStore).toConstantValue(new MemoryKeyStore())
  const { rotationSeconds, prepublishSeconds } = config.keys
  const retentionSeconds = config.refreshTokenTtlSeconds + config.accessTokenTtlSeconds + config.jwtLeewaySeconds
  c.bind(KeyRing).toResolvedValue((store: KeyStore, clock: Clock) => new KeyRing({
    store, maker, clock, algorithm: algorithm === 'HS256' ? 'ES256' : algorithm, managed: mode === 'managed',
    policy: { rotationMs: rotationSeconds * 1000, prepublishMs: prepublishSeconds * 1000, retentionMs: retentionSeconds * 1000 },
  }), [KeyStore, Clock])
  c.bind(SigningKeys).toResolvedValue(async (ring: KeyRing, logger: LoggerValue) => {
    await ring.refresh().catch((error: unknown) => {
      if (!isAuthError(error, 'service_unavailable')) throw error
      logger.warn({ error: error.message }, 'Cannot load the signing keys yet: token routes answer 503 until the key store answers')
    })
    return ring
  }, [KeyRing, Logger])
  c.bind(KeyRefresh).toResolvedValue((ring: KeyRing, store: KeyStore, logger: LoggerValue) => refresher(
    () => ring.refresh(),
    async () => {
      if (store instanceof FileKeyStore) await store.reload()
      await ring.refresh()
    }, logger), [KeyRing, KeyStore, Logger]).onDeactivation((refresh) => refresh.stop())
}

/** `MONGO_URL` set: users and items in MongoDB; else in memory. */
function bindUserStores(c: Container, config: ConfigValue, o: ContainerOverrides): void {
  const url = config.mongoUrl
  if (url !== undefined) {
    c.bind(Mongo).toResolvedValue((health: StoreHealth) => new MongoConnection({ url, timeoutMs: config.mongoTimeoutMs, health }), [Health])
      .onDeactivation((mongo) => mongo.close())
  }
  if (o.users !== undefined) c.bind(UserRepository).toConstantValue(o.users)
  else if (url === undefined) c.bind(UserRepository).toConstantValue(new MemoryUserRepository())
  else c.bind(UserRepository).toResolvedValue((mongo: MongoConnection) => new MongoUserRepository(mongo), [Mongo])
  if (o.items !== undefined) c.bind(ItemRepository).toConstantValue(o.items)
  else if (url === undefined) c.bind(ItemRepository).toConstantValue(new MemoryItemRepository())
  else c.bind(ItemRepository).toResolvedValue((mongo: MongoConnection) => new MongoItemRepository(mongo), [Mongo])
}

/** `REDIS_URL` set: the blocklist in Redis, shared by every instance; else in memory. */
function bindRevocationStore(c: Container, config: ConfigValue, o: ContainerOverrides): void {
  const url = config.redisUrl
  if (o.revocations !== undefined) {
    c.bind(RevocationStore).toConstantValue(o.revocations)
  } else if (url === undefined) {
    c.bind(RevocationStore).toResolvedValue((clock: Clock) => new MemoryRevocationStore({ clock }), [Clock])
  } else {
    const timeout = config.redisCommandTimeoutMs
    const prefix = keyPrefixFor(parseRedisUrl(url), config.redisKeyPrefix)
    c.bind(RedisClient).toResolvedValue(async () => {
      const client = createRedisClient({ target: parseRedisUrl(url), commandTimeoutMs: timeout })
      await waitUntilReady(client, Math.max(2 * timeout, 2000))
      return client
    }).onDeactivation((client) => closeRedisClient(client))
    bindRedisServer(c, config, prefix)
    c.bind(RedisRevocations).toResolvedValue(async (client: RedisClientValue, writer: RedisClientValue,
      server: RedisServerCheck, clock: Clock, logger: LoggerValue, health: StoreHealth) => {
      const wait = { replicas: config.redisWaitReplicas, timeoutMs: config.redisWaitTimeoutMs }
      const store = new RedisRevocationStore({ client, writer, server, clock, prefix, logger, health, wait, commandTimeoutMs: timeout })
      // Mark the epoch now if this Redis has none; if Redis is down, the first check does it.
      await store.ensureEpoch().catch(() => {})
      return store
    }, [RedisClient, RedisWriter, RedisServer, Clock, Logger, Health])
    if (!config.revocationCache) {
      c.bind(RevocationStore).toResolvedValue((redis: RedisRevocationStore) => redis, [RedisRevocations])
      return
    }
    c.bind(Feed).toResolvedValue((client: RedisClientValue, clock: Clock, redis: RedisRevocationStore, health: StoreHealth) => {
      const subscriber = duplicateClient(client, 'hexauth-feed')
      const feed = new RevocationFeed({ subscriber, client, clock, keys: keyBuilder(prefix), sequence: redis.sequence, health })
      feed.start()
      return feed
    }, [RedisClient, Clock, RedisRevocations, Health]).onDeactivation((feed) => feed.close())
    c.bind(RevocationStore).toResolvedValue(
      (redis: RedisRevocationStore, feed: RevocationFeed) => new NearCachedRevocationStore({ redis, feed }),
      [RedisRevocations, Feed])
  }
}

/** The writer connection and the version and replica check, beside the shared client. */
function bindRedisServer(c: Container, config: ConfigValue, prefix: string): void {
  c.bind(RedisWriter).toResolvedValue(async (client: RedisClientValue) => {
    const writer = duplicateClient(client, 'hexauth-writer')
    // Redis answers the shared client: the first logout must not find this one still connecting.
    if (client.status === 'ready') await waitUntilReady(writer, Math.max(2 * config.redisCommandTimeoutMs, 2000))
    return writer
  }, [RedisClient]).onDeactivation((writer) => closeRedisClient(writer))
  c.bind(RedisServer).toResolvedValue(async (client: RedisClientValue) => {
    const server = new RedisServerCheck({ client, key: keyBuilder(prefix).sequence })
    await server.start() // Redis down: read on its 'ready'
    return server
  }, [RedisClient]).onDeactivation((server) => server.close())
}

/** Brute-force limiters: in Redis with `REDIS_URL` (shared counts), else in memory. */
function bindLimits(c: Container, config: ConfigValue, o: ContainerOverrides): void {
  const settings = config.rateLimits
  if (o.limits !== undefined) c.bind(Limits).toConstantValue(o.limits)
  else if (settings === undefined) c.bind(Limits).toConstantValue(undefined)
  else if (config.redisUrl === undefined) c.bind(Limits).toConstantValue(createMemoryLimits(settings))
  else {
    c.bind(Limits).toResolvedValue((client: RedisClientValue) =>
      createRedisLimits(client, keyPrefixFor(parseRedisUrl(config.redisUrl!), config.redisKeyPrefix), settings, config.redisCommandTimeoutMs), [RedisClient])
  }
}

function bindUseCases(c: Container): void {
  c.bind(TokenMinter).toResolvedValue(
    (issuer: TokenIssuer, revocations: RevocationStore, policy: TokenPolicyValue) => new TokenMinter({ issuer, revocations, policy }),
    [TokenIssuer, RevocationStore, TokenPolicy])
  c.bind(CredentialsCheck).toResolvedValue(
    (users: UserRepository, hasher: PasswordHasher) => new CredentialsCheck({ users, hasher }),
    [UserRepository, PasswordHasher])
  c.bind(CheckClaims).toResolvedValue(
    (verifier: TokenVerifier, revocations: RevocationStore) => new CheckClaims({ verifier, revocations }),
    [TokenVerifier, RevocationStore])
  c.bind(RegisterUser).toResolvedValue(
    (users: UserRepository, hasher: PasswordHasher, minter: TokenMinter, clock: Clock, reservedUsernames: ReadonlySet<UsernameKey>) =>
      new RegisterUser({ users, hasher, minter, clock, reservedUsernames }),
    [UserRepository, PasswordHasher, TokenMinter, Clock, ReservedUsernames])
  c.bind(Login).toResolvedValue(
    (credentials: CredentialsCheck, minter: TokenMinter, clock: Clock) => new Login({ credentials, minter, clock }),
    [CredentialsCheck, TokenMinter, Clock])
  c.bind(FreshLogin).toResolvedValue(
    (credentials: CredentialsCheck, checkClaims: CheckClaims, minter: TokenMinter, clock: Clock) =>
      new FreshLogin({ credentials, checkClaims, minter, clock }),
    [CredentialsCheck, CheckClaims, TokenMinter, Clock])
  const revoking = [RevocationStore, Clock, TokenPolicy] as const
  c.bind(RefreshAccess).toResolvedValue(
    (checkClaims: CheckClaims, users: UserRepository, minter: TokenMinter, revocations: RevocationStore,
      clock: Clock, policy: TokenPolicyValue) => new RefreshAccess({ checkClaims, users, minter, revocations, clock, policy }),
    [CheckClaims, UserRepository, TokenMinter, ...revoking])
  c.bind(RevokeToken).toResolvedValue(
    (checkClaims: CheckClaims, revocations: RevocationStore, clock: Clock, policy: TokenPolicyValue) =>
      new RevokeToken({ checkClaims, revocations, clock, policy }),
    [CheckClaims, ...revoking])
  c.bind(ListUsers).toResolvedValue((users: UserRepository) => new ListUsers({ users }), [UserRepository])
  c.bind(DeleteUser).toResolvedValue(
    (users: UserRepository, revocations: RevocationStore, clock: Clock, policy: TokenPolicyValue) =>
      new DeleteUser({ users, revocations, clock, policy }),
    [UserRepository, ...revoking])
  c.bind(DeleteAllUsers).toResolvedValue(
    (users: UserRepository, revocations: RevocationStore, clock: Clock, policy: TokenPolicyValue) =>
      new DeleteAllUsers({ users, revocations, clock, policy }),
    [UserRepository, ...revoking])
  c.bind(SetAdmin).toResolvedValue(
    (users: UserRepository, revocations: RevocationStore, clock: Clock, policy: TokenPolicyValue) =>
      new SetAdmin({ users, revocations, clock, policy }),
    [UserRepository, ...revoking])
  c.bind(RevokeUserTokens).toResolvedValue(
    (users: UserRepository, revocations: RevocationStore, clock: Clock, policy: TokenPolicyValue) =>
      new RevokeUserTokens({ users, revocations, clock, policy }),
    [UserRepository, ...revoking])
  c.bind(ListItems).toResolvedValue((items: ItemRepository) => new ListItems({ items }), [ItemRepository])
  c.bind(GetItem).toResolvedValue((items: ItemRepository) => new GetItem({ items }), [ItemRepository])
  c.bind(CreateItem).toResolvedValue((items: ItemRepository) => new CreateItem({ items }), [ItemRepository])
  c.bind(DeleteItem).toResolvedValue((items: ItemRepository) => new DeleteItem({ items }), [ItemRepository])
}

/** A binding that gathers the HTTP adapter's dependencies into one object. */
function httpDeps(c: Container): ServiceIdentifier<HttpDeps> {
  const id: ServiceIdentifier<HttpDeps> = Symbol('HttpDeps')
  c.bind(id).toResolvedValue(async () => ({
    logger: await c.getAsync(Logger),
    options: { trustProxy: (await c.getAsync(Config)).trustProxy, corsOrigins: (await c.getAsync(Config)).corsOrigins },
    limits: await c.getAsync(Limits),
    health: await c.getAsync(Health),
    metrics: await c.getAsync(Metrics),
    inFlight: await c.getAsync(InFlight),
    probes: await c.getAsync(Probes),
    signingKeys: await c.getAsync(SigningKeys),
    wellKnown: {
      issuer: (await c.getAsync(Config)).jwtIssuer,
      publicUrl: (await c.getAsync(Config)).keys.publicUrl,
      jwksMaxAgeSeconds: (await c.getAsync(Config)).keys.jwksMaxAgeSeconds,
    },
    registerUser: await c.getAsync(RegisterUser),
    login: await c.getAsync(Login),
    freshLogin: await c.getAsync(FreshLogin),
    refreshAccess: await c.getAsync(RefreshAccess),
    revokeToken: await c.getAsync(RevokeToken),
    checkClaims: await c.getAsync(CheckClaims),
    listUsers: await c.getAsync(ListUsers),
    deleteUser: await c.getAsync(DeleteUser),
    deleteAllUsers: await c.getAsync(DeleteAllUsers),
    listItems: await c.getAsync(ListItems),
    getItem: await c.getAsync(GetItem),
    createItem: await c.getAsync(CreateItem),
    deleteItem: await c.getAsync(DeleteItem),
    ...await c.getAsync(IntrospectionHttp),
  }))
  return id
}

/** Every injection token bound by {@linkcode createContainer}, for tests and diagnostics. */
export const SERVICE_IDS: readonly ServiceIdentifier<unknown>[] = [
  Config, Logger, Clock, Health, UserRepository, ItemRepository, RevocationStore, PasswordHasher, JwtSettings, SigningKeys, KeyRefresh,
  TokenIssuer, TokenVerifier, TokenPolicy, ReservedUsernames, SharedBlocklist, TokenMinter, CredentialsCheck, CheckClaims, RegisterUser,
  Login, FreshLogin, RefreshAccess, RevokeToken, ListUsers, DeleteUser, DeleteAllUsers, SetAdmin,
  RevokeUserTokens, ListItems,
  GetItem, CreateItem, DeleteItem, Limits, Metrics, Probes, InFlight, HttpApp, ...FORWARD_AUTH_SERVICE_IDS,
]

/** Tokens bound only when their store is configured (`MONGO_URL`, `REDIS_URL`), or for a key ring (not HS256). */
export const OPTIONAL_SERVICE_IDS: readonly ServiceIdentifier<unknown>[] = [Mongo, RedisClient, RedisWriter, RedisServer, RedisRevocations, Feed, KeyStore, KeyMaker, KeyRing]

/** Closes every client the container opened (deactivation hooks), for a graceful shutdown. */
export async function disposeContainer(c: AppContainer): Promise<void> {
  // A binding whose resolution failed (keys that would not open: a refused start) rejects
  // again here, after every other binding's deactivation has been started; it has nothing to close.
  await c.unbindAllAsync().catch(() => {})
}
