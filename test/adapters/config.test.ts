import { availableParallelism } from 'node:os'
import { describe, it } from 'mocha'
import { expect } from 'chai'
import { KNOWN_DEFAULT_SECRETS, loadConfig } from '../../src/adapters/config.ts'

const SECRET = 'a-perfectly-random-looking-secret-Zq8xW2pL0vN7'

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
    expect(config.argon2Concurrency).to.equal(availableParallelism())
    expect(config.workerNiceness).to.equal(10)
  })

  it('treats an empty variable as unset, as compose passes ${VAR:-}', () => {
    expect(loadConfig({ PORT: '', ADMIN_USERNAMES: '', JWT_SECRET: '  ' })).to.include({ port: 3000, jwtSecret: undefined })
  })

  it('reads every variable it is given', () => {
    const config = loadConfig({
      PORT: '8080', HOST: '0.0.0.0', JWT_SECRET: SECRET, ACCESS_TOKEN_TTL: '5m',
      REFRESH_TOKEN_TTL: '7d', JWT_ISSUER: 'https://auth.example', JWT_AUDIENCE: 'api',
      JWT_LEEWAY: '0', ADMIN_USERNAMES: 'alice, Bob ,', ARGON2_MEMORY_KIB: '65536',
      ARGON2_TIME_COST: '3', ARGON2_PARALLELISM: '4', LOG_LEVEL: 'debug',
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

  const bad: ReadonlyArray<readonly [string, string]> = [
    ['PORT', '70000'], ['PORT', 'http'], ['PORT', '-1'], ['ACCESS_TOKEN_TTL', '0'],
    ['ACCESS_TOKEN_TTL', '15 minutes'], ['REFRESH_TOKEN_TTL', '-5'], ['JWT_LEEWAY', 'soon'],
    ['ADMIN_USERNAMES', 'ok_name,x'], ['ARGON2_MEMORY_KIB', '8'], ['ARGON2_TIME_COST', '0'],
    ['ARGON2_PARALLELISM', '1.5'], ['LOG_LEVEL', 'loud'],
    ['REDIS_URL', 'localhost:6379'], ['REDIS_URL', 'http://redis:6379'], ['MONGO_URL', 'mongo:27017'],
    ['MONGO_URL', 'postgres://db/x'], ['REDIS_KEY_PREFIX', 'has space'], ['REDIS_COMMAND_TIMEOUT_MS', '5'],
    ['MONGO_TIMEOUT_MS', 'fast'], ['REFRESH_REUSE_GRACE', 'a while'], ['RATE_LIMIT', 'maybe'],
    ['RATE_LIMIT_IP', '100'], ['RATE_LIMIT_LOGIN_USER_IP', '0/15m'], ['RATE_LIMIT_LOGIN_USER', '5/forever'],
    ['TRUST_PROXY', 'sometimes'], ['SHUTDOWN_TIMEOUT', 'later'], ['TOKEN_CACHE_SIZE', '-1'], ['REVOCATION_CACHE', 'sure'], ['ARGON2_CONCURRENCY', '0'], ['WORKER_NICENESS', '20'], ['CORS_ORIGINS', 'https://app.example.com/path'], ['CORS_ORIGINS', '*'],
  ]
  for (const [name, value] of bad) {
    it(`refuses ${name}=${JSON.stringify(value)} with a message naming ${name}`, () => {
      expect(() => loadConfig({ [name]: value })).to.throw(RangeError, new RegExp(`Invalid configuration: .*${name}`))
    })
  }

  it('chooses memory stores without URLs and reads store URLs when given', () => {
    expect(loadConfig({})).to.include({ mongoUrl: undefined, redisUrl: undefined, redisKeyPrefix: 'hexauth:' })
    const config = loadConfig({ MONGO_URL: 'mongodb+srv://u:p@cluster0.example.net/hexauth', REDIS_URL: 'rediss://cache:6380/2' })
    expect(config.mongoUrl).to.equal('mongodb+srv://u:p@cluster0.example.net/hexauth')
    expect(config.redisUrl).to.equal('rediss://cache:6380/2')
    expect(config.redisCommandTimeoutMs).to.equal(1000)
    expect(config.mongoTimeoutMs).to.equal(2000)
    expect(config.refreshReuseGraceSeconds).to.equal(10)
  })

  it('waits for a replica\'s acknowledgement of each revocation when there is one, within a bound below the command timeout', () => {
    expect(loadConfig({})).to.include({ redisWaitReplicas: 'auto', redisWaitTimeoutMs: 250 })
    expect(loadConfig({ REDIS_COMMAND_TIMEOUT_MS: '100' }).redisWaitTimeoutMs).to.equal(50)
    expect(loadConfig({ REDIS_WAIT_REPLICAS: '2', REDIS_WAIT_TIMEOUT_MS: '400' })).to.include({ redisWaitReplicas: 2, redisWaitTimeoutMs: 400 })
    expect(loadConfig({ REDIS_WAIT_REPLICAS: '0' }).redisWaitReplicas).to.equal(0)
    for (const [name, value] of [['REDIS_WAIT_REPLICAS', 'some'], ['REDIS_WAIT_REPLICAS', '-1'], ['REDIS_WAIT_REPLICAS', '17'],
      ['REDIS_WAIT_TIMEOUT_MS', '0'], ['REDIS_WAIT_TIMEOUT_MS', 'soon']] as const) {
      expect(() => loadConfig({ [name]: value }), `${name}=${value}`).to.throw(RangeError, new RegExp(`Invalid configuration: .*${name}`))
    }
    // A WAIT the command timeout cuts short could never confirm a revocation.
    expect(() => loadConfig({ REDIS_WAIT_TIMEOUT_MS: '1000' })).to.throw(RangeError, /REDIS_WAIT_TIMEOUT_MS must be below REDIS_COMMAND_TIMEOUT_MS/)
  })

  it('turns brute-force limits on by default and reads their budgets', () => {
    expect(loadConfig({}).rateLimits).to.deep.equal({
      perIp: { points: 100, durationSeconds: 60 },
      loginFailsPerUserIp: { points: 10, durationSeconds: 900 },
      loginFailsPerUser: { points: 100, durationSeconds: 86400 },
    })
    expect(loadConfig({ RATE_LIMIT_LOGIN_USER_IP: '5/1h' }).rateLimits?.loginFailsPerUserIp)
      .to.deep.equal({ points: 5, durationSeconds: 3600 })
    expect(loadConfig({ RATE_LIMIT: 'off' }).rateLimits).to.equal(undefined)
  })

  it('keeps CORS off and the proxy untrusted unless told otherwise', () => {
    expect(loadConfig({})).to.include({ trustProxy: false })
    expect(loadConfig({}).corsOrigins).to.deep.equal([])
    const config = loadConfig({ TRUST_PROXY: 'true', CORS_ORIGINS: 'https://a.example, http://localhost:5173' })
    expect(config.trustProxy).to.equal(true)
    expect(config.corsOrigins).to.deep.equal(['https://a.example', 'http://localhost:5173'])
  })

  it('names every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'x', JWT_SECRET: 'secret' })).to.throw(RangeError, /PORT.*JWT_SECRET|JWT_SECRET.*PORT/)
  })
})

describe('.env.example', () => {
  it('lists every variable the configuration reads, and loads as it is', async () => {
    const { readFileSync } = await import('node:fs')
    const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8')
    const env = Object.fromEntries(text.split('\n')
      .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]))
    const source = readFileSync(new URL('../../src/adapters/config.ts', import.meta.url), 'utf8')
    const read = [...source.matchAll(/^ {2}([A-Z][A-Z0-9_]+): /gm)].map((match) => match[1])
    expect(Object.keys(env).sort()).to.deep.equal([...read].sort())
    expect(() => loadConfig(env)).to.not.throw()
  })
})
