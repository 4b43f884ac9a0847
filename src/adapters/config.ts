import { availableParallelism } from 'node:os'
import { z } from 'zod'
import { type BrowserConfig, browserConfig, COOKIE_VARIABLES, cookieProblems } from './cookie_config.ts'
import type { Argon2Params } from './crypto/argon2_hasher.ts'
import type { Budget, LimitSettings } from './http/rate_limits.ts'
import { clientList, type Clients } from './client_config.ts'
import { type KeyConfig, keyConfig, keyProblems, parsePublicUrl } from './key_config.ts'
import { parseRedisUrl } from './redis/redis_url.ts'
import { secretProblem } from './secret_strength.ts'

/** Everything hexauth reads from its environment, validated. */
export interface Config {
  readonly port: number
  readonly host: string
  /** The HS256 secret; `undefined` means a random key per process (tokens die with it). */
  readonly jwtSecret: Uint8Array<ArrayBuffer> | undefined
  /** How tokens are signed: key mode, algorithm, rotation, the JWKS and `PUBLIC_URL`. */
  readonly keys: KeyConfig
  readonly jwtIssuer: string
  readonly jwtAudience: string
  readonly jwtLeewaySeconds: number
  readonly accessTokenTtlSeconds: number
  readonly refreshTokenTtlSeconds: number
  /** How long a used refresh token may be presented again before it counts as stolen. */
  readonly refreshReuseGraceSeconds: number
  /** Usernames (any letter case) that are admins whatever the stored flag says. */
  readonly adminUsernames: readonly string[]
  readonly argon2: Argon2Params
  /** Password hashes computed at once: at most `threadPoolSize - 2`. */
  readonly argon2Concurrency: number
  /** Threads of libuv's pool (`UV_THREADPOOL_SIZE`), where hashing and WebCrypto signing both run. */
  readonly threadPoolSize: number
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** MongoDB for users and items, with `MONGO_PASSWORD` applied; `undefined` means memory stores. */
  readonly mongoUrl: string | undefined
  /** Server-selection and connect timeout, in milliseconds: how long a down MongoDB takes to become a 503. */
  readonly mongoTimeoutMs: number
  /** Redis for the blocklist, with `REDIS_PASSWORD` applied; `undefined` means a memory store. */
  readonly redisUrl: string | undefined
  /** Prefix of every Redis key. */
  readonly redisKeyPrefix: string
  /** Longest wait for one Redis command, in milliseconds, before the request is a 503. */
  readonly redisCommandTimeoutMs: number
  /** Replicas that must acknowledge a revocation (`WAIT`): `auto` is one when the primary has any. */
  readonly redisWaitReplicas: 'auto' | number
  /** Longest wait for those acknowledgements, in milliseconds, before the revocation is a 503. */
  readonly redisWaitTimeoutMs: number
  /** Brute-force budgets; `undefined` when `RATE_LIMIT=off` (benchmarks only). */
  readonly rateLimits: LimitSettings | undefined
  /** Reverse proxies in front of the app, each appending to `X-Forwarded-For`; 0 ignores the header. */
  readonly trustProxy: number
  /** Origins allowed to call from a browser; empty means CORS is off. */
  readonly corsOrigins: readonly string[]
  /** How long an idle keep-alive connection stays open, in seconds: above the proxies' idle timeouts. */
  readonly keepAliveTimeoutSeconds: number
  /** How long a shutdown waits for in-flight requests before closing their connections, in seconds. */
  readonly shutdownTimeoutSeconds: number
  /** Verified tokens remembered (skipping the signature check on a repeat); 0 turns it off. */
  readonly tokenCacheSize: number
  /**
   * Keep the Redis blocklist in memory too, fed by pub/sub (checks without a round trip);
   * on by default whenever `REDIS_URL` is set, meaningless without it.
   */
  readonly revocationCache: boolean
  /** Niceness given to every thread but the event loop's (hashing runs there); 0 leaves them. */
  readonly workerNiceness: number
  /** Cookie mode and CSRF (`TOKEN_LOCATION`, `COOKIE_SECURE`, `COOKIE_SAMESITE`): cookie_config.ts. */
  readonly browser: BrowserConfig
  // Forward-auth (issue 14): the resource servers that may call /introspect and /revoke.
  /** `CLIENTS` (or `CLIENTS_FILE`): ids and secrets, the secrets never serialised. */
  readonly clients: Clients
}

const UNITS: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }

// Pool threads kept from hashing: argon2 and jose's WebCrypto share libuv's pool, and with
// every thread hashing, token checks queue behind 25 ms hashes (measured: /secret p50 from
// 1.1 ms to 12-16 ms with 4 hashes in flight on a 4-thread pool).
const THREADS_LEFT = 2

const duration = (fallback: string, min: number, max: number) =>
  z.string().default(fallback).transform((raw, ctx) => {
    const match = /^(\d{1,9})([smhd]?)$/.exec(raw.trim())
    const seconds = match === null ? -1 : Number(match[1]) * UNITS[match[2] ?? '']!
    if (seconds < min || seconds > max) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a duration from ${spell(min)} to ${spell(max)} such as 900, 15m, 12h or 30d`,
      })
    }
    return seconds
  })

/** Seconds as the largest unit that divides them: 300 → "5m". */
function spell(seconds: number): string {
  const unit = (['d', 'h', 'm'] as const).find((u) => seconds >= UNITS[u]! && seconds % UNITS[u]! === 0)
  return unit === undefined ? `${seconds}s` : `${seconds / UNITS[unit]!}${unit}`
}

const integer = (fallback: number, min: number, max: number) =>
  z.string().default(String(fallback)).transform((raw, ctx) => {
    const value = /^\d{1,10}$/.test(raw.trim()) ? Number(raw) : Number.NaN
    if (!(value >= min && value <= max)) {
      ctx.addIssue({ code: 'custom', message: `must be an integer from ${min} to ${max}` })
    }
    return value
  })

const secret = z.string().optional().transform((raw, ctx) => {
  if (raw === undefined || raw === '') return undefined
  const problem = secretProblem(raw)
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem })
  return new TextEncoder().encode(raw)
})

const usernameList = z.string().default('').transform((raw, ctx) => {
  const names = raw.split(',').map((name) => name.trim()).filter((name) => name !== '')
  const bad = names.filter((name) => !/^[A-Za-z0-9_.-]{3,64}$/.test(name))
  if (bad.length > 0) ctx.addIssue({ code: 'custom', message: `holds invalid usernames: ${bad.join(', ')}` })
  return names
})

const storeUrl = (protocols: readonly string[], example: string) =>
  z.string().optional().transform((raw, ctx) => {
    if (raw === undefined || raw.trim() === '') return undefined
    let protocol = ''
    try {
      protocol = new URL(raw.trim()).protocol
    } catch {
      // reported below
    }
    if (!protocols.includes(protocol)) {
      ctx.addIssue({ code: 'custom', message: `must be a URL such as ${example}` })
    }
    return raw.trim()
  })

const budget = (fallback: string) =>
  z.string().default(fallback).transform((raw, ctx): Budget => {
    const match = /^(\d{1,6})\/(\d{1,6})([smhd])$/.exec(raw.trim())
    const points = Number(match?.[1] ?? 0)
    const durationSeconds = Number(match?.[2] ?? 0) * (UNITS[match?.[3] ?? ''] ?? 0)
    if (points < 1 || durationSeconds < 1) {
      ctx.addIssue({ code: 'custom', message: 'must be "<count>/<duration>" such as 10/15m or 100/1d' })
    }
    return { points, durationSeconds }
  })

const FLAG_VALUES = ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'] as const
const isOn = (raw: string) => ['true', '1', 'yes', 'on'].includes(raw)

const flag = (fallback: 'true' | 'false') => z.enum(FLAG_VALUES).default(fallback).transform(isOn)

/** A flag whose default depends on other variables: `undefined` when unset. */
const optionalFlag = z.enum(FLAG_VALUES).optional().transform((raw) => raw === undefined ? undefined : isOn(raw))

const MAX_PROXY_HOPS = 10

const proxyHops = z.string().default('false').transform((raw, ctx) => {
  const value = raw.trim().toLowerCase()
  if (['false', 'no', 'off'].includes(value)) return 0
  if (['true', 'yes', 'on'].includes(value)) return 1
  const hops = /^\d{1,2}$/.test(value) ? Number(value) : -1
  if (hops < 0 || hops > MAX_PROXY_HOPS) {
    ctx.addIssue({
      code: 'custom',
      message: `must be false, true or the number of trusted proxies in front (0 to ${MAX_PROXY_HOPS})`,
    })
  }
  return hops
})

const origins = z.string().default('').transform((raw, ctx) => {
  const list = raw.split(',').map((origin) => origin.trim()).filter((origin) => origin !== '')
  for (const origin of list) {
    let ok = false
    try {
      const url = new URL(origin)
      ok = (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === origin
    } catch {
      // reported below
    }
    if (!ok) {
      ctx.addIssue({
        code: 'custom',
        message: `holds "${origin}", which is not an origin such as https://app.example.com`,
      })
    }
  }
  return list
})

const schema = z.object({
  PORT: integer(3000, 0, 65535),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  JWT_SECRET: secret,
  // Unset: PUBLIC_URL when that is set, else "hexauth".
  JWT_ISSUER: z.string().trim().min(1).optional(),
  JWT_AUDIENCE: z.string().trim().min(1).default('hexauth'),
  // Bounded: a leeway of days keeps expired tokens alive, a grace of days turns reuse detection off.
  JWT_LEEWAY: duration('5s', 0, 300),
  ACCESS_TOKEN_TTL: duration('15m', 1, 86_400),
  REFRESH_TOKEN_TTL: duration('30d', 1, 365 * 86_400),
  REFRESH_REUSE_GRACE: duration('10s', 0, 60),
  ADMIN_USERNAMES: usernameList,
  ARGON2_MEMORY_KIB: integer(19456, 1024, 4_194_304),
  ARGON2_TIME_COST: integer(2, 1, 100),
  ARGON2_PARALLELISM: integer(1, 1, 64),
  // Every core may hash; WORKER_NICENESS keeps the event loop ahead of them under a storm.
  // Unset: the CPU count, bounded by the pool (see threadPool below).
  ARGON2_CONCURRENCY: z.string().optional().transform((raw, ctx) => {
    if (raw === undefined) return undefined
    const value = /^\d{1,3}$/.test(raw.trim()) ? Number(raw) : Number.NaN
    if (!(value >= 1 && value <= 64)) ctx.addIssue({ code: 'custom', message: 'must be an integer from 1 to 64' })
    return value
  }),
  // libuv reads this when its pool starts, before any of hexauth's code runs, so the launchers
  // (npm start, the image) set it; it is read here to size hashing below it.
  UV_THREADPOOL_SIZE: integer(4, 3, 1024),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MONGO_URL: storeUrl(['mongodb:', 'mongodb+srv:'], 'mongodb://mongo:27017/hexauth'),
  MONGO_PASSWORD: z.string().optional(),
  MONGO_TIMEOUT_MS: integer(2000, 100, 60_000),
  REDIS_URL: z.string().optional().transform((raw, ctx) => {
    if (raw === undefined) return undefined
    try {
      parseRedisUrl(raw.trim())
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message })
    }
    return raw.trim()
  }),
  REDIS_PASSWORD: z.string().optional(),
  REDIS_KEY_PREFIX: z.string().regex(/^[\w:.-]{0,64}$/, 'must be at most 64 letters, digits, "_", ":", "." or "-"')
    .default('hexauth:'),
  REDIS_COMMAND_TIMEOUT_MS: integer(1000, 50, 60_000),
  REDIS_WAIT_REPLICAS: z.string().default('auto').transform((raw, ctx) => {
    if (raw.trim() === 'auto') return 'auto' as const
    const value = /^\d{1,2}$/.test(raw.trim()) ? Number(raw) : Number.NaN
    if (!(value >= 0 && value <= 16)) {
      ctx.addIssue({ code: 'custom', message: 'must be auto or an integer from 0 to 16' })
    }
    return value
  }),
  // Unset: 250, or half the command timeout if that is shorter (WAIT 0 would block forever).
  REDIS_WAIT_TIMEOUT_MS: z.string().optional().transform((raw, ctx) => {
    if (raw === undefined) return undefined
    const value = /^\d{1,5}$/.test(raw.trim()) ? Number(raw) : Number.NaN
    if (!(value >= 1 && value <= 60_000)) {
      ctx.addIssue({ code: 'custom', message: 'must be an integer from 1 to 60000' })
    }
    return value
  }),
  RATE_LIMIT: flag('true'),
  RATE_LIMIT_IP: budget('100/1m'),
  RATE_LIMIT_LOGIN_USER_IP: budget('10/15m'),
  RATE_LIMIT_LOGIN_USER: budget('100/1d'),
  TRUST_PROXY: proxyHops,
  CORS_ORIGINS: origins,
  SHUTDOWN_TIMEOUT: duration('10s', 0, 3600),
  // Above the idle timeouts of the proxies in front (nginx 75 s upstream default is the usual
  // outlier: set proxies' keepalive_timeout below this one), never Node's 5 s default.
  KEEP_ALIVE_TIMEOUT: duration('65s', 1, 3600),
  TOKEN_CACHE_SIZE: integer(10_000, 0, 1_000_000),
  // Unset: on whenever REDIS_URL is (the near-cache fails closed: Redis answers when its feed is not live).
  REVOCATION_CACHE: optionalFlag,
  WORKER_NICENESS: integer(10, 0, 19),
  // Signing keys (key_config.ts checks how they fit together).
  JWT_ALGORITHM: z.enum(['ES256', 'EdDSA', 'RS256', 'HS256']).optional(),
  JWT_KEY_ROTATION: duration('30d', 1, 365 * 86_400),
  JWT_KEY_PREPUBLISH: duration('2h', 1, 30 * 86_400),
  JWT_KEY_REFRESH: duration('60s', 1, 3600),
  KEY_ENCRYPTION_SECRET: secret,
  JWT_KEYS_FILE: z.string().trim().optional(),
  PUBLIC_URL: z.string().trim().optional().transform((raw, ctx) => {
    const url = raw === undefined ? undefined : parsePublicUrl(raw)
    if (typeof url === 'object') ctx.addIssue({ code: 'custom', message: url.problem })
    return typeof url === 'string' ? url : undefined
  }),
  JWKS_MAX_AGE: duration('5m', 0, 86_400),
  // Browsers: cookie mode and CSRF (cookie_config.ts).
  TOKEN_LOCATION: COOKIE_VARIABLES.TOKEN_LOCATION,
  COOKIE_SECURE: COOKIE_VARIABLES.COOKIE_SECURE,
  COOKIE_SAMESITE: COOKIE_VARIABLES.COOKIE_SAMESITE,
  // Resource servers (client_config.ts): "id:secret" entries, secrets of 32 characters or more.
  CLIENTS: clientList,
})

/** The lifetimes must make sense together, whatever each allows alone. */
function lifetimesAgree(c: z.output<typeof schema>, ctx: z.core.$RefinementCtx): void {
  if (c.ACCESS_TOKEN_TTL > c.REFRESH_TOKEN_TTL) {
    ctx.addIssue({
      code: 'custom',
      path: ['ACCESS_TOKEN_TTL'],
      message: `must not be longer than REFRESH_TOKEN_TTL (${spell(c.REFRESH_TOKEN_TTL)})`,
    })
  }
  if (c.ARGON2_CONCURRENCY !== undefined && c.ARGON2_CONCURRENCY > c.UV_THREADPOOL_SIZE - THREADS_LEFT) {
    ctx.addIssue({
      code: 'custom',
      path: ['ARGON2_CONCURRENCY'],
      message:
        `must leave ${THREADS_LEFT} of the UV_THREADPOOL_SIZE threads (${c.UV_THREADPOOL_SIZE}) to token signing: at most ${
          c.UV_THREADPOOL_SIZE - THREADS_LEFT
        }, or raise UV_THREADPOOL_SIZE`,
    })
  }
  if (c.JWT_LEEWAY >= c.ACCESS_TOKEN_TTL) {
    ctx.addIssue({
      code: 'custom',
      path: ['JWT_LEEWAY'],
      message: `must be shorter than ACCESS_TOKEN_TTL (${spell(c.ACCESS_TOKEN_TTL)})`,
    })
  }
  for (const { variable, message } of keyProblems(c)) ctx.addIssue({ code: 'custom', path: [variable], message })
  for (const { variable, message } of cookieProblems(c)) ctx.addIssue({ code: 'custom', path: [variable], message })
}

/**
 * Every environment variable {@linkcode loadConfig} reads: with the `<NAME>_FILE` variables of
 * `secret_files.ts`, all that hexauth's own code reads.
 */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape)

/**
 * Reads and validates the configuration. Throws a `RangeError` whose message names every bad
 * variable and what it allows, so a misconfigured service never starts.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  // An empty variable means unset (compose's `${VAR:-}` gives one): its default applies.
  const given = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  )
  const parsed = schema.superRefine(lifetimesAgree).safeParse(given)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`)
    throw new RangeError(`Invalid configuration: ${problems.join('; ')}`)
  }
  const c = parsed.data
  const waitTimeoutMs = c.REDIS_WAIT_TIMEOUT_MS ?? Math.min(250, Math.floor(c.REDIS_COMMAND_TIMEOUT_MS / 2))
  if (waitTimeoutMs >= c.REDIS_COMMAND_TIMEOUT_MS) {
    // Else the command timeout ends every WAIT first: no revocation could ever be confirmed.
    throw new RangeError(
      `Invalid configuration: REDIS_WAIT_TIMEOUT_MS must be below REDIS_COMMAND_TIMEOUT_MS (${c.REDIS_COMMAND_TIMEOUT_MS})`,
    )
  }
  return {
    port: c.PORT,
    host: c.HOST,
    jwtSecret: c.JWT_SECRET,
    keys: keyConfig(c),
    jwtIssuer: c.JWT_ISSUER ?? c.PUBLIC_URL ?? 'hexauth',
    jwtAudience: c.JWT_AUDIENCE,
    jwtLeewaySeconds: c.JWT_LEEWAY,
    accessTokenTtlSeconds: c.ACCESS_TOKEN_TTL,
    refreshTokenTtlSeconds: c.REFRESH_TOKEN_TTL,
    refreshReuseGraceSeconds: c.REFRESH_REUSE_GRACE,
    adminUsernames: c.ADMIN_USERNAMES,
    argon2: { memoryCost: c.ARGON2_MEMORY_KIB, timeCost: c.ARGON2_TIME_COST, parallelism: c.ARGON2_PARALLELISM },
    argon2Concurrency: c.ARGON2_CONCURRENCY ??
      Math.max(1, Math.min(availableParallelism(), c.UV_THREADPOOL_SIZE - THREADS_LEFT)),
    threadPoolSize: c.UV_THREADPOOL_SIZE,
    logLevel: c.LOG_LEVEL,
    mongoUrl: withPassword('MONGO', c.MONGO_URL, c.MONGO_PASSWORD),
    mongoTimeoutMs: c.MONGO_TIMEOUT_MS,
    redisUrl: withPassword('REDIS', c.REDIS_URL, c.REDIS_PASSWORD),
    redisKeyPrefix: c.REDIS_KEY_PREFIX,
    redisCommandTimeoutMs: c.REDIS_COMMAND_TIMEOUT_MS,
    redisWaitReplicas: c.REDIS_WAIT_REPLICAS,
    redisWaitTimeoutMs: waitTimeoutMs,
    rateLimits: c.RATE_LIMIT
      ? {
        perIp: c.RATE_LIMIT_IP,
        loginFailsPerUserIp: c.RATE_LIMIT_LOGIN_USER_IP,
        loginFailsPerUser: c.RATE_LIMIT_LOGIN_USER,
        knownAddressSeconds: c.REFRESH_TOKEN_TTL,
      }
      : undefined,
    trustProxy: c.TRUST_PROXY,
    corsOrigins: c.CORS_ORIGINS,
    shutdownTimeoutSeconds: c.SHUTDOWN_TIMEOUT,
    keepAliveTimeoutSeconds: c.KEEP_ALIVE_TIMEOUT,
    tokenCacheSize: c.TOKEN_CACHE_SIZE,
    revocationCache: c.REVOCATION_CACHE ?? c.REDIS_URL !== undefined,
    workerNiceness: c.WORKER_NICENESS,
    browser: browserConfig(c),
    clients: c.CLIENTS,
  }
}

// scheme://[user[:password]@]rest, for every URL form hexauth takes (several hosts included).
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)(?:([^:@/?#]*)(?::([^@/?#]*))?@)?(.*)$/is

/**
 * `<store>_URL` with `<store>_PASSWORD` as its password, percent-encoded (a Docker secret
 * then never has to be written into the URL). Refuses a password given twice, one without a
 * URL, and, for MongoDB, one without a user.
 */
function withPassword(
  store: 'MONGO' | 'REDIS',
  url: string | undefined,
  password: string | undefined,
): string | undefined {
  if (password === undefined) return url
  const fail = (why: string) => new RangeError(`Invalid configuration: ${store}_PASSWORD ${why}`)
  if (url === undefined) throw fail(`is set but ${store}_URL is not`)
  const [, scheme, user = '', given, rest] = USERINFO.exec(url)!
  if (given) throw fail(`is set and ${store}_URL has a password too; give it in one place`)
  if (store === 'MONGO' && user === '') {
    throw fail('needs a user in MONGO_URL, such as mongodb://hexauth@mongo:27017/hexauth')
  }
  return `${scheme}${user}:${encodeURIComponent(password)}@${rest}`
}
