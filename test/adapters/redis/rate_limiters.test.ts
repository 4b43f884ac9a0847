import { after, afterEach, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { Redis } from 'ioredis'
import { MemoryUserRepository } from '../../../src/adapters/memory/user_repository.ts'
import { CountingHasher } from '../../support/core_fixtures.ts'
import { GatedHasher, Gates } from '../../support/gates.ts'
import { call, expectError, register, startTestServer, type TestServer } from '../../support/http_harness.ts'
import { acquireRedisOrSkip, type RedisHandle } from '../../support/redis_server.ts'
import { untilAnsweredOrGated } from '../../support/until_answered_or_gated.ts'

const PASSWORD = 'correct horse battery'
const BUDGETS = {
  RATE_LIMIT: 'on',
  RATE_LIMIT_IP: '10000/1m',
  RATE_LIMIT_LOGIN_USER_IP: '10/15m',
  RATE_LIMIT_LOGIN_USER: '100/1d',
  TRUST_PROXY: '1',
}

const tryLogin = (base: string, password: string, headers: Record<string, string> = {}, path = '/login') =>
  call(base, path, { json: { username: 'target', password }, headers })

describe('Brute-force limits on Redis', function () {
  let redis: RedisHandle
  let admin: Redis
  let servers: TestServer[] = []

  before(async function () {
    redis = await acquireRedisOrSkip(this, 'Redis rate-limit suite')
    admin = new Redis(redis.url)
  })

  afterEach(async () => {
    await Promise.all(servers.map((server) => server.close()))
    servers = []
  })

  after(async () => {
    await admin?.quit()
    await redis?.stop()
  })

  /** An instance on the suite's Redis under key prefix `prefix` (two with one prefix share their counts). */
  async function serve(prefix: string, overrides: Parameters<typeof startTestServer>[1] = {}): Promise<TestServer> {
    const server = await startTestServer({ ...BUDGETS, REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix }, overrides)
    servers.push(server)
    return server
  }

  it('lets exactly the budget of 60 concurrent wrong passwords reach the hasher, counted atomically in Redis', async () => {
    const hasher = new GatedHasher()
    const server = await serve(`rl-burst-${crypto.randomUUID()}:`, { hasher })
    await register(server.url, 'target', PASSWORD)
    const gates = new Gates()
    hasher.gates = gates
    const requests = Array.from({ length: 60 }, () => tryLogin(server.url, 'wrong password'))
    await untilAnsweredOrGated(requests, gates)
    gates.openAll()
    const results = await Promise.all(requests)
    expect(gates.calls).to.equal(10)
    expect(results.filter((result) => result.status === 401)).to.have.length(10)
    const refused = results.filter((result) => result.status === 429)
    expect(refused).to.have.length(50)
    for (const result of refused) expect(Number(result.headers.get('retry-after'))).to.be.within(1, 15 * 60)
  })

  it('shares known addresses between instances: the owner gets in anywhere from where they logged in, after an attack', async () => {
    const prefix = `rl-known-${crypto.randomUUID()}:`
    const users = new MemoryUserRepository()
    const [first, second] = [await serve(prefix, { users }), await serve(prefix, { users })]
    await register(first.url, 'target', PASSWORD)
    expect((await tryLogin(first.url, PASSWORD, { 'x-forwarded-for': '192.0.2.10' })).status).to.equal(200)
    for (let a = 0; a < 10; a++) {
      for (let i = 0; i < 10; i++) {
        const via = i % 2 === 0 ? first : second
        expectError(
          await tryLogin(via.url, 'wrong password', { 'x-forwarded-for': `203.0.113.${a}` }),
          401,
          'invalid_credentials',
        )
      }
    }
    expect((await tryLogin(second.url, PASSWORD, { 'x-forwarded-for': '192.0.2.10' })).status).to.equal(200)
    expectError(await tryLogin(first.url, PASSWORD, { 'x-forwarded-for': '198.51.100.99' }), 429, 'rate_limited')
    expectError(await tryLogin(second.url, PASSWORD, { 'x-forwarded-for': '203.0.113.0' }), 429, 'rate_limited')
  })

  // One limiter's keys made unusable while every other key works: a value that is not a count
  // reads but cannot be incremented; a hash fails every command of a string key (WRONGTYPE).
  const poisons = {
    'not a count': (key: string) => admin.set(key, 'not-a-count'),
    'of the wrong type': async (key: string) => {
      await admin.del(key)
      await admin.hset(key, 'poisoned', '1')
    },
  } as const
  const keys = {
    'ip': (prefix: string) => `${prefix}rl:ip:127.0.0.1`,
    'login_fail_user_ip': (prefix: string) => `${prefix}rl:login_fail_user_ip:u:target:ip:127.0.0.1`,
    'login_fail_user': (prefix: string) => `${prefix}rl:login_fail_user:u:target`,
    'login_known_address': (prefix: string) => `${prefix}rl:login_known_address:u:target:ip:127.0.0.1`,
  } as const
  const cases: ReadonlyArray<readonly [keyof typeof keys, keyof typeof poisons]> = [
    ['ip', 'not a count'],
    ['ip', 'of the wrong type'],
    ['login_fail_user_ip', 'not a count'],
    ['login_fail_user_ip', 'of the wrong type'],
    ['login_fail_user', 'not a count'],
    ['login_fail_user', 'of the wrong type'],
  ]
  for (const [limiter, poison] of cases) {
    it(`answers 503 to every login, before any password check, when only the ${limiter} key is ${poison}`, async () => {
      const prefix = `rl-fault-${crypto.randomUUID()}:`
      const hasher = new CountingHasher()
      const server = await startTestServer({
        ...BUDGETS,
        TRUST_PROXY: 'false',
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: prefix,
      }, { hasher })
      servers.push(server)
      await register(server.url, 'target', PASSWORD)
      await poisons[poison](keys[limiter](prefix))
      for (const path of ['/login', '/fresh-login']) {
        for (const password of ['wrong password', PASSWORD]) {
          expectError(await tryLogin(server.url, password, {}, path), 503, 'service_unavailable')
        }
      }
      expect(hasher.verifies).to.equal(0)
    })
  }

  it("takes an unreadable known-address record for no exemption: the username's budget from anywhere still applies", async () => {
    const prefix = `rl-fault-${crypto.randomUUID()}:`
    const env = {
      ...BUDGETS,
      TRUST_PROXY: 'false',
      RATE_LIMIT_LOGIN_USER: '3/1d',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: prefix,
    }
    const server = await startTestServer(env)
    servers.push(server)
    await register(server.url, 'target', PASSWORD)
    // ioredis answers a failed GET inside MULTI as a value, so the limiter reads it as NaN.
    await poisons['of the wrong type'](`${prefix}rl:login_known_address:u:target:ip:127.0.0.1`)
    for (let i = 0; i < 3; i++) expectError(await tryLogin(server.url, 'wrong password'), 401, 'invalid_credentials')
    expectError(await tryLogin(server.url, PASSWORD), 429, 'rate_limited')
  })
})
