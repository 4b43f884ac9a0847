import { availableParallelism } from 'node:os'
import { describe, it } from 'mocha'
import { expect } from 'chai'
import { CONFIG_VARIABLES, loadConfig } from '../../src/adapters/config.ts'
import { keyWarnings } from '../../src/adapters/key_config.ts'
import { resolveSecretFiles, SECRET_FILE_VARIABLES } from '../../src/adapters/secret_files.ts'
import { KNOWN_DEFAULT_SECRETS } from '../../src/adapters/secret_strength.ts'

const SECRET = 'a-perfectly-random-looking-secret-Zq8xW2pL0vN7'
/** What a configuration with MONGO_URL needs for its signing keys (they are stored there, sealed). */
const KEYS_IN_MONGO = { KEY_ENCRYPTION_SECRET: 'another-random-looking-secret-Hq3wZ8rV1tN6yB4m' }

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadConfig({})
    expect(config.port).to.equal(3000)
    expect(config.host).to.equal('127.0.0.1')
    expect(config.jwtSecret).to.equal(undefined)
    expect(config.accessTokenTtlSeconds).to.equal(900)
    expect(config.refreshTokenTtlSeconds).to.equal(30 * 86400)
    expect(config.jwtIssuer).to.equal('hexauth')
    expect(config.jwtAudience).to.equal('hexauth')
    expect(config.adminUsernames).to.deep.equal([])
    expect(config.argon2).to.deep.equal({ memoryCost: 19456, timeCost: 2, parallelism: 1 })
    expect(config.shutdownTimeoutSeconds).to.equal(10)
    expect(config.tokenCacheSize).to.equal(10_000)
    expect(config.revocationCache).to.equal(false)
    expect(config.threadPoolSize).to.equal(4) // libuv's own default
    expect(config.argon2Concurrency).to.equal(Math.max(1, Math.min(availableParallelism(), 2)))
    expect(config.workerNiceness).to.equal(10)
  })

  it('turns the revocation near-cache on by default whenever REDIS_URL is set, and off when told', () => {
    expect(loadConfig({}).revocationCache).to.equal(false) // no Redis: nothing to cache
    expect(loadConfig({ REDIS_URL: 'redis://cache:6379' }).revocationCache).to.equal(true)
    expect(loadConfig({ REDIS_URL: 'redis://cache:6379', REVOCATION_CACHE: 'off' }).revocationCache).to.equal(false)
    expect(loadConfig({ REDIS_URL: 'redis://cache:6379', REVOCATION_CACHE: 'on' }).revocationCache).to.equal(true)
  })

  it('treats an empty variable as unset, as compose passes ${VAR:-}', () => {
    expect(loadConfig({ PORT: '', ADMIN_USERNAMES: '', JWT_SECRET: '  ' })).to.include({
      port: 3000,
      jwtSecret: undefined,
    })
  })

  it('reads every variable it is given', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      JWT_SECRET: SECRET,
      ACCESS_TOKEN_TTL: '5m',
      REFRESH_TOKEN_TTL: '7d',
      JWT_ISSUER: 'https://auth.example',
      JWT_AUDIENCE: 'api',
      JWT_LEEWAY: '0',
      ADMIN_USERNAMES: 'alice, Bob ,',
      ARGON2_MEMORY_KIB: '65536',
      ARGON2_TIME_COST: '3',
      ARGON2_PARALLELISM: '4',
      LOG_LEVEL: 'debug',
    })
    expect(config.port).to.equal(8080)
    expect(config.host).to.equal('0.0.0.0')
    expect(new TextDecoder().decode(config.jwtSecret)).to.equal(SECRET)
    expect(config.accessTokenTtlSeconds).to.equal(300)
    expect(config.refreshTokenTtlSeconds).to.equal(7 * 86400)
    expect(config.jwtIssuer).to.equal('https://auth.example')
    expect(config.jwtAudience).to.equal('api')
    expect(config.jwtLeewaySeconds).to.equal(0)
    expect(config.adminUsernames).to.deep.equal(['alice', 'Bob'])
    expect(config.argon2).to.deep.equal({ memoryCost: 65536, timeCost: 3, parallelism: 4 })
    expect(config.logLevel).to.equal('debug')
  })

  it('refuses a JWT_SECRET shorter than 32 bytes, naming the variable', () => {
    expect(() => loadConfig({ JWT_SECRET: 'short-but-random-Zq8xW2' })).to.throw(RangeError, /JWT_SECRET.*32 bytes/)
  })

  for (const secret of ['secret', 'jwt-secret-string', 'SECRET ', KNOWN_DEFAULT_SECRETS.at(-1)!]) {
    it(`refuses the published default secret ${JSON.stringify(secret)}`, () => {
      expect(() => loadConfig({ JWT_SECRET: secret })).to.throw(RangeError, /JWT_SECRET/)
    })
  }

  it('refuses a long but repetitive JWT_SECRET', () => {
    expect(() => loadConfig({ JWT_SECRET: 'ab'.repeat(32) })).to.throw(RangeError, /JWT_SECRET.*repetitive/)
  })

  // Each a way to weaken the service by configuration that loadConfig used to accept.
  const unbounded: ReadonlyArray<readonly [Record<string, string>, RegExp]> = [
    [{ JWT_LEEWAY: '30d' }, /JWT_LEEWAY must be a duration from 0s to 5m/],
    [{ JWT_LEEWAY: '301' }, /JWT_LEEWAY/],
    [{ REFRESH_REUSE_GRACE: '365d' }, /REFRESH_REUSE_GRACE must be a duration from 0s to 1m/],
    [{ REFRESH_REUSE_GRACE: '61s' }, /REFRESH_REUSE_GRACE/],
    [{ ACCESS_TOKEN_TTL: '2d', REFRESH_TOKEN_TTL: '30d' }, /ACCESS_TOKEN_TTL must be a duration from 1s to 1d/],
    [{ REFRESH_TOKEN_TTL: '366d' }, /REFRESH_TOKEN_TTL must be a duration from 1s to 365d/],
    [
      { ACCESS_TOKEN_TTL: '1h', REFRESH_TOKEN_TTL: '30m' },
      /ACCESS_TOKEN_TTL must not be longer than REFRESH_TOKEN_TTL \(30m\)/,
    ],
    [{ ACCESS_TOKEN_TTL: '5s', JWT_LEEWAY: '5s' }, /JWT_LEEWAY must be shorter than ACCESS_TOKEN_TTL \(5s\)/],
    [{ SHUTDOWN_TIMEOUT: '2h' }, /SHUTDOWN_TIMEOUT/],
  ]
  for (const [env, message] of unbounded) {
    it(`refuses ${JSON.stringify(env)}, naming the variable and its bound`, () => {
      expect(() => loadConfig(env)).to.throw(RangeError, message)
    })
  }

  it('accepts the bounds themselves', () => {
    const config = loadConfig({
      JWT_LEEWAY: '5m',
      REFRESH_REUSE_GRACE: '60',
      ACCESS_TOKEN_TTL: '1d',
      REFRESH_TOKEN_TTL: '1d',
    })
    expect(config).to.include({
      jwtLeewaySeconds: 300,
      refreshReuseGraceSeconds: 60,
      accessTokenTtlSeconds: 86_400,
      refreshTokenTtlSeconds: 86_400,
    })
  })

  const weakSecrets: ReadonlyArray<readonly [string, RegExp]> = [
    ['a-test-secret-of-at-least-32-bytes-long', /published default/],
    ['abcdefghabcdefghabcdefghabcdefgh', /short pattern repeated/],
    ['Zq8xW2pL0vN7Zq8xW2pL0vN7Zq8xW2pL0vN7-tail', /short pattern repeated/],
    ['abcdefghijklmnopqrstuvwxyz0123456789', /consecutive characters/],
    ['Zq8x-abcdefghijklm-W2pL0vN7xQ5tYu', /consecutive characters/],
    ['Zq8x-zyxwvutsrqpon-W2pL0vN7xQr5tY', /consecutive characters/],
  ]
  for (const [secret, why] of weakSecrets) {
    it(`refuses the weak JWT_SECRET ${JSON.stringify(secret)}`, () => {
      expect(() => loadConfig({ JWT_SECRET: secret })).to.throw(RangeError, new RegExp(`JWT_SECRET .*${why.source}`))
    })
  }

  it('accepts secrets as openssl generates them', async () => {
    const { randomBytes } = await import('node:crypto')
    for (let i = 0; i < 200; i++) {
      for (
        const secret of [
          randomBytes(48).toString('base64'),
          randomBytes(32).toString('hex'),
          randomBytes(32).toString('base64url'),
        ]
      ) {
        expect(() => loadConfig({ JWT_SECRET: secret }), secret).to.not.throw()
      }
    }
  })

  it('refuses every example secret the README and .env.example show', async () => {
    const { readFileSync } = await import('node:fs')
    const docs = ['../../README.md', '../../.env.example'].map((path) =>
      readFileSync(new URL(path, import.meta.url), 'utf8')
    ).join('\n')
    // `JWT_SECRET: '…'` in code, `JWT_SECRET=…` in env files; `$(openssl …)` is no example.
    const examples = [...docs.matchAll(/JWT_SECRET["']?\s*:\s*["']([^"']{8,})["']|^JWT_SECRET=([^\s$]\S{7,})$/gm)]
      .map((match) => match[1] ?? match[2]!)
    for (const example of examples) {
      expect(() => loadConfig({ JWT_SECRET: example }), example).to.throw(RangeError, /JWT_SECRET/)
    }
  })

  it('sizes hashing below the thread pool: by default the CPU count, at most UV_THREADPOOL_SIZE - 2', () => {
    expect(loadConfig({ UV_THREADPOOL_SIZE: '16' })).to.include({
      threadPoolSize: 16,
      argon2Concurrency: Math.min(availableParallelism(), 14),
    })
    expect(loadConfig({ UV_THREADPOOL_SIZE: '3' }).argon2Concurrency).to.equal(1)
    expect(loadConfig({ UV_THREADPOOL_SIZE: '16', ARGON2_CONCURRENCY: '14' }).argon2Concurrency).to.equal(14)
  })

  it('refuses an ARGON2_CONCURRENCY that would leave token signing fewer than 2 pool threads, naming both variables', () => {
    expect(() => loadConfig({ ARGON2_CONCURRENCY: '4' }))
      .to.throw(
        RangeError,
        /ARGON2_CONCURRENCY must leave 2 of the UV_THREADPOOL_SIZE threads \(4\) to token signing: at most 2/,
      )
    expect(() => loadConfig({ ARGON2_CONCURRENCY: '15', UV_THREADPOOL_SIZE: '16' })).to.throw(
      RangeError,
      /ARGON2_CONCURRENCY/,
    )
    expect(() => loadConfig({ UV_THREADPOOL_SIZE: '2' })).to.throw(RangeError, /UV_THREADPOOL_SIZE/)
  })

  const bad: ReadonlyArray<readonly [string, string]> = [
    ['PORT', '70000'],
    ['PORT', 'http'],
    ['PORT', '-1'],
    ['ACCESS_TOKEN_TTL', '0'],
    ['ACCESS_TOKEN_TTL', '15 minutes'],
    ['REFRESH_TOKEN_TTL', '-5'],
    ['JWT_LEEWAY', 'soon'],
    ['ADMIN_USERNAMES', 'ok_name,x'],
    ['ARGON2_MEMORY_KIB', '8'],
    ['ARGON2_TIME_COST', '0'],
    ['ARGON2_PARALLELISM', '1.5'],
    ['LOG_LEVEL', 'loud'],
    ['REDIS_URL', 'localhost:6379'],
    ['REDIS_URL', 'http://redis:6379'],
    ['MONGO_URL', 'mongo:27017'],
    ['MONGO_URL', 'postgres://db/x'],
    ['REDIS_KEY_PREFIX', 'has space'],
    ['REDIS_COMMAND_TIMEOUT_MS', '5'],
    ['MONGO_TIMEOUT_MS', 'fast'],
    ['REFRESH_REUSE_GRACE', 'a while'],
    ['RATE_LIMIT', 'maybe'],
    ['RATE_LIMIT_IP', '100'],
    ['RATE_LIMIT_LOGIN_USER_IP', '0/15m'],
    ['RATE_LIMIT_LOGIN_USER', '5/forever'],
    ['TRUST_PROXY', 'sometimes'],
    ['TRUST_PROXY', '11'],
    ['TRUST_PROXY', '-1'],
    ['TRUST_PROXY', '1.5'],
    ['TRUST_PROXY', '2 hops'],
    ['SHUTDOWN_TIMEOUT', 'later'],
    ['TOKEN_CACHE_SIZE', '-1'],
    ['REVOCATION_CACHE', 'sure'],
    ['ARGON2_CONCURRENCY', '0'],
    ['WORKER_NICENESS', '20'],
    ['CORS_ORIGINS', 'https://app.example.com/path'],
    ['CORS_ORIGINS', '*'],
  ]
  for (const [name, value] of bad) {
    it(`refuses ${name}=${JSON.stringify(value)} with a message naming ${name}`, () => {
      expect(() => loadConfig({ [name]: value })).to.throw(RangeError, new RegExp(`Invalid configuration: .*${name}`))
    })
  }

  it('chooses memory stores without URLs and reads store URLs when given', () => {
    expect(loadConfig({})).to.include({ mongoUrl: undefined, redisUrl: undefined, redisKeyPrefix: 'hexauth:' })
    const config = loadConfig({
      ...KEYS_IN_MONGO,
      MONGO_URL: 'mongodb+srv://u:p@cluster0.example.net/hexauth',
      REDIS_URL: 'rediss://cache:6380/2',
    })
    expect(config.mongoUrl).to.equal('mongodb+srv://u:p@cluster0.example.net/hexauth')
    expect(config.redisUrl).to.equal('rediss://cache:6380/2')
    expect(config.redisCommandTimeoutMs).to.equal(1000)
    expect(config.mongoTimeoutMs).to.equal(2000)
    expect(config.refreshReuseGraceSeconds).to.equal(10)
  })

  it("waits for a replica's acknowledgement of each revocation when there is one, within a bound below the command timeout", () => {
    expect(loadConfig({})).to.include({ redisWaitReplicas: 'auto', redisWaitTimeoutMs: 250 })
    expect(loadConfig({ REDIS_COMMAND_TIMEOUT_MS: '100' }).redisWaitTimeoutMs).to.equal(50)
    expect(loadConfig({ REDIS_WAIT_REPLICAS: '2', REDIS_WAIT_TIMEOUT_MS: '400' })).to.include({
      redisWaitReplicas: 2,
      redisWaitTimeoutMs: 400,
    })
    expect(loadConfig({ REDIS_WAIT_REPLICAS: '0' }).redisWaitReplicas).to.equal(0)
    for (
      const [name, value] of [
        ['REDIS_WAIT_REPLICAS', 'some'],
        ['REDIS_WAIT_REPLICAS', '-1'],
        ['REDIS_WAIT_REPLICAS', '17'],
        ['REDIS_WAIT_TIMEOUT_MS', '0'],
        ['REDIS_WAIT_TIMEOUT_MS', 'soon'],
      ] as const
    ) {
      expect(() => loadConfig({ [name]: value }), `${name}=${value}`).to.throw(
        RangeError,
        new RegExp(`Invalid configuration: .*${name}`),
      )
    }
    // A WAIT the command timeout cuts short could never confirm a revocation.
    expect(() => loadConfig({ REDIS_WAIT_TIMEOUT_MS: '1000' })).to.throw(
      RangeError,
      /REDIS_WAIT_TIMEOUT_MS must be below REDIS_COMMAND_TIMEOUT_MS/,
    )
  })

  it('turns brute-force limits on by default and reads their budgets', () => {
    expect(loadConfig({}).rateLimits).to.deep.equal({
      perIp: { points: 100, durationSeconds: 60 },
      loginFailsPerUserIp: { points: 10, durationSeconds: 900 },
      loginFailsPerUser: { points: 100, durationSeconds: 86400 },
      knownAddressSeconds: 30 * 86400,
    })
    expect(loadConfig({ REFRESH_TOKEN_TTL: '7d' }).rateLimits?.knownAddressSeconds).to.equal(7 * 86400)
    expect(loadConfig({ RATE_LIMIT_LOGIN_USER_IP: '5/1h' }).rateLimits?.loginFailsPerUserIp)
      .to.deep.equal({ points: 5, durationSeconds: 3600 })
    expect(loadConfig({ RATE_LIMIT: 'off' }).rateLimits).to.equal(undefined)
  })

  it('keeps CORS off and the proxy untrusted unless told otherwise', () => {
    expect(loadConfig({})).to.include({ trustProxy: 0 })
    expect(loadConfig({}).corsOrigins).to.deep.equal([])
    const config = loadConfig({ TRUST_PROXY: 'true', CORS_ORIGINS: 'https://a.example, http://localhost:5173' })
    expect(config.trustProxy).to.equal(1)
    expect(config.corsOrigins).to.deep.equal(['https://a.example', 'http://localhost:5173'])
  })

  it('reads TRUST_PROXY as a number of trusted proxy hops, true meaning one', () => {
    const hops = (value: string) => loadConfig({ TRUST_PROXY: value }).trustProxy
    expect(['false', 'off', 'no', '0'].map(hops)).to.deep.equal([0, 0, 0, 0])
    expect(['true', 'on', 'yes', '1', 'TRUE'].map(hops)).to.deep.equal([1, 1, 1, 1, 1])
    expect(['2', '3', '10'].map(hops)).to.deep.equal([2, 3, 10])
  })

  it('names every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'x', JWT_SECRET: 'secret' })).to.throw(
      RangeError,
      /PORT.*JWT_SECRET|JWT_SECRET.*PORT/,
    )
  })
})

describe('loadConfig: store passwords', () => {
  const PASSWORD = 'p@ss:w/rd%41 #?&é'
  const ENCODED = encodeURIComponent(PASSWORD)

  it('applies REDIS_PASSWORD to the user of REDIS_URL, percent-encoded', () => {
    const config = loadConfig({ REDIS_URL: 'redis://hexauth@redis:6379', REDIS_PASSWORD: PASSWORD })
    expect(config.redisUrl).to.equal(`redis://hexauth:${ENCODED}@redis:6379`)
    expect(decodeURIComponent(new URL(config.redisUrl!).password)).to.equal(PASSWORD)
  })

  const redisForms: ReadonlyArray<readonly [string, string]> = [
    ['rediss://hexauth@cache:6380/2', `rediss://hexauth:${ENCODED}@cache:6380/2`],
    ['redis://redis:6379', `redis://:${ENCODED}@redis:6379`],
    [
      'redis+sentinel://hexauth@s1:26379,s2:26379/primary',
      `redis+sentinel://hexauth:${ENCODED}@s1:26379,s2:26379/primary`,
    ],
    ['redis+cluster://hexauth@n1:6379,n2:6379', `redis+cluster://hexauth:${ENCODED}@n1:6379,n2:6379`],
  ]
  for (const [url, expected] of redisForms) {
    it(`applies REDIS_PASSWORD to ${url}`, () => {
      expect(loadConfig({ REDIS_URL: url, REDIS_PASSWORD: PASSWORD }).redisUrl).to.equal(expected)
    })
  }

  it('gives Sentinel and Cluster URLs the password as it was, once decoded', async () => {
    const { parseRedisUrl } = await import('../../src/adapters/redis/redis_url.ts')
    const config = loadConfig({ REDIS_URL: 'redis+cluster://hexauth@n1:6379,n2:6379', REDIS_PASSWORD: PASSWORD })
    expect(parseRedisUrl(config.redisUrl!)).to.deep.include({
      auth: { username: 'hexauth', password: PASSWORD, tls: false },
    })
  })

  it('applies MONGO_PASSWORD to the user of MONGO_URL, keeping the rest of the URL', () => {
    const config = loadConfig({
      ...KEYS_IN_MONGO,
      MONGO_URL: 'mongodb://hexauth@mongo:27017/hexauth?authSource=hexauth',
      MONGO_PASSWORD: PASSWORD,
    })
    expect(config.mongoUrl).to.equal(`mongodb://hexauth:${ENCODED}@mongo:27017/hexauth?authSource=hexauth`)
    const several = loadConfig({
      ...KEYS_IN_MONGO,
      MONGO_URL: 'mongodb://hexauth@h1,h2,h3/hexauth?replicaSet=rs0',
      MONGO_PASSWORD: 'pw',
    })
    expect(several.mongoUrl).to.equal('mongodb://hexauth:pw@h1,h2,h3/hexauth?replicaSet=rs0')
  })

  it('leaves the URLs as they are without a password variable', () => {
    expect(
      loadConfig({
        ...KEYS_IN_MONGO,
        REDIS_URL: 'redis://u:inline@redis:6379',
        MONGO_URL: 'mongodb://u:inline@mongo/db',
      }),
    )
      .to.include({ redisUrl: 'redis://u:inline@redis:6379', mongoUrl: 'mongodb://u:inline@mongo/db' })
  })

  for (
    const [store, url] of [['REDIS', 'redis://hexauth:inline@redis:6379'], ['REDIS', 'redis://:inline@redis:6379'], [
      'REDIS',
      'redis+sentinel://u:inline@s1:26379/primary',
    ], ['MONGO', 'mongodb://hexauth:inline@mongo/hexauth']] as const
  ) {
    it(`refuses ${store}_PASSWORD with ${url}, which has a password already, naming both`, () => {
      expect(() => loadConfig({ ...KEYS_IN_MONGO, [`${store}_URL`]: url, [`${store}_PASSWORD`]: 'pw' }))
        .to.throw(RangeError, new RegExp(`^Invalid configuration: ${store}_PASSWORD .*${store}_URL has a password`))
    })
  }

  for (const store of ['REDIS', 'MONGO']) {
    it(`refuses ${store}_PASSWORD without ${store}_URL`, () => {
      expect(() => loadConfig({ [`${store}_PASSWORD`]: 'pw' }))
        .to.throw(RangeError, `Invalid configuration: ${store}_PASSWORD is set but ${store}_URL is not`)
    })
  }

  it('refuses MONGO_PASSWORD with a MONGO_URL that names no user', () => {
    expect(() => loadConfig({ ...KEYS_IN_MONGO, MONGO_URL: 'mongodb://mongo:27017/hexauth', MONGO_PASSWORD: 'pw' }))
      .to.throw(RangeError, /^Invalid configuration: MONGO_PASSWORD needs a user in MONGO_URL/)
  })

  it('never puts a password into its error', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://u:first-secret@redis', REDIS_PASSWORD: 'second-secret' }))
      .to.throw(RangeError).that.satisfies((e: Error) => !/first-secret|second-secret/.test(e.message))
  })
})

/** The variables hexauth reads: the configuration's, and `<NAME>_FILE` for each secret. */
const DOCUMENTED = [...CONFIG_VARIABLES, ...SECRET_FILE_VARIABLES.map((name) => `${name}_FILE`)].sort()

describe('.env.example', () => {
  it('lists every variable hexauth reads, the _FILE variant of each secret too, and loads as it is', async () => {
    const { readFileSync } = await import('node:fs')
    const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8')
    const env = Object.fromEntries(
      text.split('\n')
        .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    )
    const source = readFileSync(new URL('../../src/adapters/config.ts', import.meta.url), 'utf8')
    const read = [...source.matchAll(/^ {2}([A-Z][A-Z0-9_]+): /gm)].map((match) => match[1])
    const files = SECRET_FILE_VARIABLES.map((name) => `${name}_FILE`)
    expect(Object.keys(env).sort()).to.deep.equal([...read, ...files].sort())
    expect(() => loadConfig(resolveSecretFiles(env))).to.not.throw()
  })
})

describe('README configuration table', () => {
  it('lists every variable hexauth reads, _FILE variants included, and no other', async () => {
    const { readFileSync } = await import('node:fs')
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
    const section = readme.slice(readme.indexOf('\n## Configuration'), readme.indexOf('\n## API'))
    const names = [...section.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((match) => match[1]!)
    expect(names.sort()).to.deep.equal(DOCUMENTED)
  })
})

describe('loadConfig: signing keys', () => {
  const SEALING = 'sealing-secret-for-config-Hq3wZ8rV1tN6yB4mK7pL2'

  it('defaults to ES256 keys hexauth manages, rotated every 30 days, pre-published 2 hours, a JWKS cached 5 minutes', () => {
    expect(loadConfig({}).keys).to.deep.equal({
      mode: 'managed',
      algorithm: 'ES256',
      secretOnly: false,
      rotationSeconds: 30 * 86400,
      prepublishSeconds: 7200,
      refreshSeconds: 60,
      encryptionSecret: undefined,
      keysFile: undefined,
      publicUrl: undefined,
      jwksMaxAgeSeconds: 300,
    })
  })

  it('keeps HS256 when only JWT_SECRET is set, and says so, and on JWT_ALGORITHM=HS256 without one', () => {
    expect(loadConfig({ JWT_SECRET: SECRET }).keys).to.include({ mode: 'hs256', algorithm: 'HS256', secretOnly: true })
    expect(loadConfig({ JWT_ALGORITHM: 'HS256' }).keys).to.include({
      mode: 'hs256',
      algorithm: 'HS256',
      secretOnly: false,
    })
    expect(loadConfig({ JWT_ALGORITHM: 'HS256', JWT_SECRET: SECRET }).keys).to.include({
      mode: 'hs256',
      secretOnly: false,
    })
  })

  for (const algorithm of ['EdDSA', 'RS256']) {
    it(`manages ${algorithm} keys when JWT_ALGORITHM says so`, () => {
      expect(loadConfig({ JWT_ALGORITHM: algorithm }).keys).to.include({ mode: 'managed', algorithm })
    })
  }

  it('reads the key variables it is given', () => {
    const keys = loadConfig({
      JWT_KEY_ROTATION: '7d',
      JWT_KEY_PREPUBLISH: '3h',
      JWT_KEY_REFRESH: '30s',
      JWKS_MAX_AGE: '10m',
      KEY_ENCRYPTION_SECRET: SEALING,
    }).keys
    expect(keys).to.include({
      rotationSeconds: 7 * 86400,
      prepublishSeconds: 3 * 3600,
      refreshSeconds: 30,
      jwksMaxAgeSeconds: 600,
    })
    expect(new TextDecoder().decode(keys.encryptionSecret)).to.equal(SEALING)
  })

  it('uses the keys of JWT_KEYS_FILE when it is set, MONGO_URL or not', () => {
    expect(loadConfig({ JWT_KEYS_FILE: '/run/secrets/jwt_keys' }).keys).to.include({
      mode: 'file',
      keysFile: '/run/secrets/jwt_keys',
    })
    expect(loadConfig({ JWT_KEYS_FILE: '/run/secrets/jwt_keys', MONGO_URL: 'mongodb://mongo/hexauth' }).keys.mode).to
      .equal('file')
  })

  it('needs no KEY_ENCRYPTION_SECRET with MONGO_URL for HS256 or a key file: nothing is stored', () => {
    expect(() => loadConfig({ MONGO_URL: 'mongodb://mongo/hexauth', JWT_SECRET: SECRET })).to.not.throw()
    expect(() => loadConfig({ MONGO_URL: 'mongodb://mongo/hexauth', JWT_KEYS_FILE: '/k.json' })).to.not.throw()
  })

  const refused: ReadonlyArray<readonly [Record<string, string>, RegExp]> = [
    [
      { JWT_SECRET: SECRET, JWT_ALGORITHM: 'ES256' },
      /JWT_SECRET is set and JWT_ALGORITHM is ES256: a shared secret signs HS256 only/,
    ],
    [{ JWT_SECRET: SECRET, JWT_ALGORITHM: 'EdDSA' }, /JWT_SECRET .*JWT_ALGORITHM is EdDSA/],
    [{ JWT_KEYS_FILE: '/k.json', JWT_SECRET: SECRET }, /JWT_KEYS_FILE is set and JWT_SECRET is too/],
    [{ JWT_KEYS_FILE: '/k.json', JWT_ALGORITHM: 'RS256' }, /JWT_KEYS_FILE is set and JWT_ALGORITHM is too/],
    [{ MONGO_URL: 'mongodb://mongo/hexauth' }, /KEY_ENCRYPTION_SECRET is required with MONGO_URL/],
    [{ KEY_ENCRYPTION_SECRET: 'short-but-random-Zq8xW2' }, /KEY_ENCRYPTION_SECRET must be at least 32 bytes/],
    [
      { KEY_ENCRYPTION_SECRET: 'change-this-to-a-long-random-secret-of-32-bytes-or-more' },
      /KEY_ENCRYPTION_SECRET is a published default/,
    ],
    [{ KEY_ENCRYPTION_SECRET: 'ab'.repeat(32) }, /KEY_ENCRYPTION_SECRET is too repetitive/],
    [{ JWT_ALGORITHM: 'RS512' }, /JWT_ALGORITHM/],
    [{ JWT_ALGORITHM: 'none' }, /JWT_ALGORITHM/],
    [{ JWT_KEY_ROTATION: '2h' }, /JWT_KEY_ROTATION must be longer than JWT_KEY_PREPUBLISH \(7200s\)/],
    [{ JWT_KEY_PREPUBLISH: '60s' }, /JWT_KEY_PREPUBLISH must be longer than JWT_KEY_REFRESH \(60s\)/],
    [{ JWKS_MAX_AGE: '31m' }, /JWKS_MAX_AGE must be at most a quarter of JWT_KEY_PREPUBLISH \(7200s\)/],
    [{ JWT_KEY_PREPUBLISH: '20m', JWKS_MAX_AGE: '5m1s' }, /JWKS_MAX_AGE/],
    [{ JWT_KEY_REFRESH: '2h' }, /JWT_KEY_REFRESH must be a duration from 1s to 1h/],
    [{ JWT_KEY_ROTATION: 'monthly' }, /JWT_KEY_ROTATION/],
    [{ PUBLIC_URL: 'auth.example.com' }, /PUBLIC_URL must be an absolute URL/],
    [{ PUBLIC_URL: 'ftp://auth.example.com' }, /PUBLIC_URL must be an http or https URL/],
    [{ PUBLIC_URL: 'https://auth.example.com/?tenant=1' }, /PUBLIC_URL must have no query or fragment/],
    [{ PUBLIC_URL: 'https://auth.example.com/#top' }, /PUBLIC_URL must have no query or fragment/],
    [{ PUBLIC_URL: 'https://user:pw@auth.example.com' }, /PUBLIC_URL must carry no user or password/],
  ]
  for (const [env, message] of refused) {
    it(`refuses ${JSON.stringify(env)}, naming the variable`, () => {
      expect(() => loadConfig(env)).to.throw(RangeError, message)
    })
  }

  it('takes PUBLIC_URL without its trailing slash, as the default issuer; JWT_ISSUER still wins', () => {
    const config = loadConfig({ PUBLIC_URL: 'https://auth.example.com/' })
    expect([config.keys.publicUrl, config.jwtIssuer]).to.deep.equal([
      'https://auth.example.com',
      'https://auth.example.com',
    ])
    expect(loadConfig({ PUBLIC_URL: 'https://example.com/auth/' }).keys.publicUrl).to.equal('https://example.com/auth')
    expect(loadConfig({ PUBLIC_URL: 'https://auth.example.com', JWT_ISSUER: 'hexauth' }).jwtIssuer).to.equal('hexauth')
  })

  it('accepts short periods for tests as long as they fit together', () => {
    expect(
      loadConfig({ JWT_KEY_PREPUBLISH: '2s', JWT_KEY_ROTATION: '4s', JWT_KEY_REFRESH: '1s', JWKS_MAX_AGE: '0' }).keys,
    )
      .to.include({ prepublishSeconds: 2, rotationSeconds: 4, refreshSeconds: 1, jwksMaxAgeSeconds: 0 })
  })
})

describe('keyWarnings', () => {
  it('warns that with only JWT_SECRET every verifier needs the secret and can mint tokens', () => {
    const [warning] = keyWarnings(loadConfig({ JWT_SECRET: SECRET }).keys, true)
    expect(warning).to.match(
      /^JWT_SECRET is set and JWT_ALGORITHM is not: signing HS256 .*needs JWT_SECRET, and whoever holds it can mint tokens/,
    )
  })

  it('warns of a random HS256 key when HS256 is asked for without a secret', () => {
    expect(keyWarnings(loadConfig({ JWT_ALGORITHM: 'HS256' }).keys, false)).to.deep.equal([
      'JWT_SECRET is not set: using a random HS256 key for this process; tokens stop working at restart and are not shared between instances',
    ])
  })

  it('warns of a pre-publication shorter than the common verifier caches, and of nothing for the defaults', () => {
    expect(keyWarnings(loadConfig({ JWT_KEY_PREPUBLISH: '10m', JWKS_MAX_AGE: '1m' }).keys, false)[0]).to.match(
      /^JWT_KEY_PREPUBLISH is 600s, shorter than common verifiers cache a JWKS \(PyJWT 5 min, jose 10 min, Go keyfunc 1 h\)/,
    )
    expect(keyWarnings(loadConfig({}).keys, false)).to.deep.equal([])
    expect(keyWarnings(loadConfig({ JWT_ALGORITHM: 'HS256', JWT_SECRET: SECRET }).keys, true)).to.deep.equal([])
  })
})
