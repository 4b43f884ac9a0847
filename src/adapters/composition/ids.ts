import type { ServiceIdentifier } from 'inversify'
import type { TokenPolicy as TokenPolicyValue } from '../../application/token_minter.ts'
import type { UsernameKey } from '../../domain/username.ts'
import type { Config as ConfigValue } from '../config.ts'
import type { JwtSettings as JwtSettingsValue } from '../crypto/jwt_settings.ts'
import type { createHttpApp, HttpDeps as HttpDepsValue } from '../http/app.ts'
import type { InFlightRequests } from '../http/in_flight.ts'
import type { Metrics as MetricsValue } from '../http/metrics.ts'
import type { AuthLimits } from '../http/rate_limits.ts'
import type { ReadinessProbe } from '../http/readiness.ts'
import type { KeyRefresher } from '../key_refresher.ts'
import type { Logger as LoggerValue } from '../logger.ts'
import type { MongoConnection } from '../mongo/mongo_connection.ts'
import type { RedisClient as RedisClientValue } from '../redis/redis_client.ts'
import type { RevocationFeed } from '../redis/revocation_feed.ts'
import type { RedisRevocationStore } from '../redis/revocation_store.ts'
import type { RedisServerCheck } from '../redis/server_check.ts'
import type { StoreHealth } from '../store_health.ts'

// The adapters' injection tokens. Ports (src/application/ports) and use cases are their own
// tokens: a port's name is both its interface and its token, a use case is bound by its class.

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
/** Injection token of the revocation feed (bound only with `REDIS_URL` and the near-cache on). */
export const Feed: ServiceIdentifier<RevocationFeed> = Symbol('Feed')
/** Injection token of the brute-force limiters (`undefined` with `RATE_LIMIT=off`). */
export const Limits: ServiceIdentifier<AuthLimits | undefined> = Symbol('Limits')
/** Injection token of the Prometheus metrics. */
export const Metrics: ServiceIdentifier<MetricsValue> = Symbol('Metrics')
/** Injection token of one store's readiness probe: each store binds its own (multi-bound). */
export const Probe: ServiceIdentifier<ReadinessProbe> = Symbol('Probe')
/** Injection token of the readiness probes, one per configured store, in binding order. */
export const Probes: ServiceIdentifier<readonly ReadinessProbe[]> = Symbol('Probes')
/** Injection token of the in-flight request counter, which shutdown waits on. */
export const InFlight: ServiceIdentifier<InFlightRequests> = Symbol('InFlight')
/** Injection token of everything the HTTP adapter takes, gathered into one object. */
export const HttpDeps: ServiceIdentifier<HttpDepsValue> = Symbol('HttpDeps')
/** Injection token of the Koa app. */
export const HttpApp: ServiceIdentifier<ReturnType<typeof createHttpApp>> = Symbol('HttpApp')
