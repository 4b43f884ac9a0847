import { afterEach, describe, it } from 'mocha'
import { expect } from 'chai'
import { loadConfig } from '../../../src/adapters/config.ts'
import type { AuthLimits } from '../../../src/adapters/http/rate_limits.ts'
import { createMemoryLimits } from '../../../src/adapters/memory/rate_limiters.ts'
import { MemoryUserRepository } from '../../../src/adapters/memory/user_repository.ts'
import { AuthError } from '../../../src/domain/auth_error.ts'
import type { User } from '../../../src/domain/user.ts'
import type { Username } from '../../../src/domain/username.ts'
import { CountingHasher } from '../../support/core_fixtures.ts'
import { FailingLimiter, type LimiterFault } from '../../support/failing_limiter.ts'
import { GatedHasher, Gates } from '../../support/gates.ts'
import {
  call,
  type CallResult,
  expectError,
  register,
  startTestServer,
  TEST_ENV,
  type TestServer,
} from '../../support/http_harness.ts'
import { untilAnsweredOrGated } from '../../support/until_answered_or_gated.ts'

const PASSWORD = 'correct horse battery'
const LIMITS = {
  RATE_LIMIT: 'on',
  RATE_LIMIT_IP: '1000/1m',
  RATE_LIMIT_LOGIN_USER_IP: '3/15m',
  RATE_LIMIT_LOGIN_USER: '5/1d',
}

describe('Brute-force limits', () => {
  let server: TestServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  const attempt = (password: string, username = 'target', headers: Record<string, string> = {}) =>
    call(server!.url, '/login', { json: { username, password }, headers })

  it('refuses a username after too many failed logins from one address, right password included', async () => {
    server = await startTestServer(LIMITS)
    await register(server.url, 'target', PASSWORD)
    for (let i = 0; i < 3; i++) expectError(await attempt('wrong password'), 401, 'invalid_credentials')
    for (const password of ['wrong password', PASSWORD]) {
      const refused = await attempt(password)
      expectError(refused, 429, 'rate_limited')
      expect(Number(refused.headers.get('retry-after'))).to.be.within(1, 15 * 60)
    }
  })

  it('counts fresh-login failures against the same budget', async () => {
    server = await startTestServer(LIMITS)
    await register(server.url, 'target', PASSWORD)
    for (let i = 0; i < 3; i++) {
      await call(server.url, '/fresh-login', { json: { username: 'target', password: 'nope nope' } })
    }
    expectError(await attempt(PASSWORD), 429, 'rate_limited')
  })

  it('counts a username in any letter case as one', async () => {
    server = await startTestServer(LIMITS)
    await register(server.url, 'target', PASSWORD)
    for (const name of ['target', 'TARGET', 'Target']) await attempt('wrong password', name)
    expectError(await attempt(PASSWORD), 429, 'rate_limited')
  })

  it("clears the address's count for a username on a successful login", async () => {
    server = await startTestServer(LIMITS)
    await register(server.url, 'target', PASSWORD)
    for (let i = 0; i < 2; i++) await attempt('wrong password')
    expect((await attempt(PASSWORD)).status).to.equal(200)
    for (let i = 0; i < 2; i++) expectError(await attempt('wrong password'), 401, 'invalid_credentials')
    expect((await attempt(PASSWORD)).status).to.equal(200)
  })

  it('leaves other usernames alone', async () => {
    server = await startTestServer(LIMITS)
    await register(server.url, 'target', PASSWORD)
    await register(server.url, 'bystander', PASSWORD)
    for (let i = 0; i < 4; i++) await attempt('wrong password')
    expect((await attempt(PASSWORD, 'bystander')).status).to.equal(200)
  })

  it('limits a username across addresses with the slower per-username budget (behind a trusted proxy)', async () => {
    server = await startTestServer({ ...LIMITS, TRUST_PROXY: 'true' })
    await register(server.url, 'target', PASSWORD)
    for (let i = 0; i < 5; i++) {
      expectError(
        await attempt('wrong password', 'target', { 'x-forwarded-for': `203.0.113.${i}` }),
        401,
        'invalid_credentials',
      )
    }
    expectError(await attempt(PASSWORD, 'target', { 'x-forwarded-for': '198.51.100.7' }), 429, 'rate_limited')
  })

  it('ignores X-Forwarded-For unless TRUST_PROXY is set', async () => {
    server = await startTestServer(LIMITS)
    await register(server.url, 'target', PASSWORD)
    for (let i = 0; i < 3; i++) await attempt('wrong password', 'target', { 'x-forwarded-for': `203.0.113.${i}` })
    expectError(await attempt(PASSWORD, 'target', { 'x-forwarded-for': '198.51.100.7' }), 429, 'rate_limited')
  })

  it('limits requests per address on the credential and refresh routes', async () => {
    server = await startTestServer({ ...LIMITS, RATE_LIMIT_IP: '4/1m' })
    const { refreshToken } = await register(server.url, 'target', PASSWORD)
    await attempt(PASSWORD)
    await call(server.url, '/fresh-login', { json: { username: 'target', password: PASSWORD } })
    await call(server.url, '/token/refresh', { method: 'POST', token: refreshToken })
    for (const path of ['/registration', '/login', '/fresh-login', '/token/refresh']) {
      const refused = await call(server.url, path, { json: { username: 'other', password: PASSWORD } })
      expectError(refused, 429, 'rate_limited')
      expect(refused.headers.get('retry-after'), path).to.match(/^\d+$/)
    }
  })

  it('never limits /secret', async () => {
    server = await startTestServer({ ...LIMITS, RATE_LIMIT_IP: '2/1m' })
    const { accessToken } = await register(server.url, 'target', PASSWORD)
    for (let i = 0; i < 5; i++) expect((await call(server.url, '/secret', { token: accessToken })).status).to.equal(200)
  })

  it('applies no limit with RATE_LIMIT=off', async () => {
    server = await startTestServer({ ...LIMITS, RATE_LIMIT: 'off' })
    await register(server.url, 'target', PASSWORD)
    for (let i = 0; i < 6; i++) await attempt('wrong password')
    expect((await attempt(PASSWORD)).status).to.equal(200)
  })

  it('fails closed on login when the limiter store cannot answer, and keeps /secret up', async () => {
    const limits: AuthLimits = {
      perIp: new FailingLimiter('down'),
      loginFailsPerUserIp: new FailingLimiter('down'),
      loginFailsPerUser: new FailingLimiter('down'),
      knownAddresses: new FailingLimiter('down'),
      knownAddressSeconds: 60,
    }
    // Started first: its memory blocklist refuses tokens issued before it (a restart's rule).
    server = await startTestServer(LIMITS, { limits })
    const healthy = await startTestServer(LIMITS)
    try {
      const { accessToken } = await register(healthy.url, 'target', PASSWORD)
      expectError(await attempt(PASSWORD), 503, 'service_unavailable')
      expectError(
        await call(server.url, '/registration', { json: { username: 'new-user', password: PASSWORD } }),
        503,
        'service_unavailable',
      )
      expect((await call(server.url, '/secret', { token: accessToken })).status).to.equal(200)
    } finally {
      await healthy.close()
    }
  })
})

/** Budgets like the defaults, with room for a test's many requests from one address. */
const BUDGETS = {
  RATE_LIMIT: 'on',
  RATE_LIMIT_IP: '10000/1m',
  RATE_LIMIT_LOGIN_USER_IP: '10/15m',
  RATE_LIMIT_LOGIN_USER: '100/1d',
}

const from = (address: string): Record<string, string> => ({ 'x-forwarded-for': address })

function tryLogin(base: string, password: string, headers: Record<string, string> = {}, path = '/login') {
  return call(base, path, { json: { username: 'target', password }, headers })
}

/**
 * `attempts` wrong passwords at once, each that reaches the hasher held there until every one
 * is answered or held; answers the results and how many reached the hasher.
 */
async function burst(
  base: string,
  hasher: GatedHasher,
  attempts: number,
  headers: Record<string, string> = {},
  path = '/login',
) {
  const gates = new Gates()
  hasher.gates = gates
  const requests = Array.from({ length: attempts }, () => tryLogin(base, 'wrong password', headers, path))
  await untilAnsweredOrGated(requests, gates)
  gates.openAll()
  const results = await Promise.all(requests)
  hasher.gates = undefined
  return { results, verifies: gates.calls }
}

/** Asserts `invalid` 401s and `limited` 429s with a `Retry-After` of at most `retryWithin` seconds. */
function expectOutcomes(results: readonly CallResult[], invalid: number, limited: number, retryWithin: number): void {
  const refused = results.filter((result) => result.status === 429)
  expect(results.map((result) => result.status).sort()).to.deep.equal([
    ...Array<number>(invalid).fill(401),
    ...Array<number>(limited).fill(429),
  ])
  for (const result of results.filter((r) => r.status === 401)) expectError(result, 401, 'invalid_credentials')
  for (const result of refused) {
    expectError(result, 429, 'rate_limited')
    expect(Number(result.headers.get('retry-after'))).to.be.within(1, retryWithin)
  }
}

/** A user store that can be taken down: the password check then fails for another reason. */
class SwitchableUsers extends MemoryUserRepository {
  down = false

  override findByUsername(username: Username): Promise<User | undefined> {
    if (this.down) {
      return Promise.reject(new AuthError('service_unavailable', 'Cannot find the user: the user store is down'))
    }
    return super.findByUsername(username)
  }
}

describe('Brute-force limits, attempts at once', () => {
  let server: TestServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  for (const path of ['/login', '/fresh-login']) {
    it(`lets exactly the budget of 60 concurrent wrong passwords on ${path} reach the hasher, and refuses the rest with 429`, async () => {
      const hasher = new GatedHasher()
      server = await startTestServer(BUDGETS, { hasher })
      await register(server.url, 'target', PASSWORD)
      const { results, verifies } = await burst(server.url, hasher, 60, {}, path)
      expect(verifies).to.equal(10)
      expectOutcomes(results, 10, 50, 15 * 60)
    })
  }

  it('gives back the point a correct password took: a later burst from elsewhere gets the budget less the real failures', async () => {
    const hasher = new GatedHasher()
    server = await startTestServer({
      ...BUDGETS,
      RATE_LIMIT_LOGIN_USER_IP: '100/15m',
      RATE_LIMIT_LOGIN_USER: '10/1d',
      TRUST_PROXY: '1',
    }, { hasher })
    await register(server.url, 'target', PASSWORD)
    for (let i = 0; i < 3; i++) {
      expectError(await tryLogin(server.url, 'wrong password', from('192.0.2.10')), 401, 'invalid_credentials')
    }
    expect((await tryLogin(server.url, PASSWORD, from('192.0.2.10'))).status).to.equal(200)
    const { results, verifies } = await burst(server.url, hasher, 60, from('198.51.100.20'))
    expect(verifies).to.equal(7)
    expectOutcomes(results, 7, 53, 86400)
  })

  it("clears this address's count on a correct password: a later burst from it gets the whole budget", async () => {
    const hasher = new GatedHasher()
    server = await startTestServer(BUDGETS, { hasher })
    await register(server.url, 'target', PASSWORD)
    for (let i = 0; i < 9; i++) expectError(await tryLogin(server.url, 'wrong password'), 401, 'invalid_credentials')
    expect((await tryLogin(server.url, PASSWORD)).status).to.equal(200)
    const { results, verifies } = await burst(server.url, hasher, 30)
    expect(verifies).to.equal(10)
    expectOutcomes(results, 10, 20, 15 * 60)
  })

  it('takes nothing from the budgets for a body refused as invalid', async () => {
    const hasher = new CountingHasher()
    server = await startTestServer(LIMITS, { hasher })
    await register(server.url, 'target', PASSWORD)
    const bodies = [
      { username: 'target' },
      { username: 'target', password: 42 },
      { username: 'target', password: 'short' },
      { username: 'target', password: ['correct horse battery'] },
      { username: 'target', password: 'x'.repeat(2000) },
    ]
    for (let round = 0; round < 4; round++) {
      for (const json of bodies) {
        expectError(await call(server.url, '/login', { json }), 400, 'invalid_request', ['password'])
      }
    }
    for (let i = 0; i < 3; i++) expectError(await tryLogin(server.url, 'wrong password'), 401, 'invalid_credentials')
    expectError(await tryLogin(server.url, PASSWORD), 429, 'rate_limited')
    expect(hasher.verifies).to.equal(3)
  })

  it('gives the points back when the check fails for another reason than the password (user store down)', async () => {
    const users = new SwitchableUsers()
    server = await startTestServer(LIMITS, { users })
    await register(server.url, 'target', PASSWORD)
    users.down = true
    for (let i = 0; i < 6; i++) expectError(await tryLogin(server.url, 'wrong password'), 503, 'service_unavailable')
    users.down = false
    for (let i = 0; i < 3; i++) expectError(await tryLogin(server.url, 'wrong password'), 401, 'invalid_credentials')
    expectError(await tryLogin(server.url, PASSWORD), 429, 'rate_limited')
  })
})

describe('Brute-force limits, one limiter store failing alone', () => {
  let server: TestServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  const settings = loadConfig({ ...TEST_ENV, ...LIMITS }).rateLimits!

  /** A server whose `name` limiter fails as `fault` and whose others work, with `target` registered. */
  async function serverWith(
    name: keyof AuthLimits,
    failing: FailingLimiter,
    hasher: CountingHasher,
  ): Promise<TestServer> {
    const users = new MemoryUserRepository()
    const healthy = await startTestServer(LIMITS, { users })
    await register(healthy.url, 'target', PASSWORD)
    await healthy.close()
    return startTestServer(LIMITS, { users, hasher, limits: { ...createMemoryLimits(settings), [name]: failing } })
  }

  const cases: ReadonlyArray<readonly [keyof AuthLimits, LimiterFault]> = [
    ['perIp', 'down'],
    ['perIp', 'read_only'],
    ['loginFailsPerUserIp', 'down'],
    ['loginFailsPerUserIp', 'read_only'],
    ['loginFailsPerUser', 'down'],
    ['loginFailsPerUser', 'read_only'],
    ['knownAddresses', 'down'],
  ]
  for (const [name, fault] of cases) {
    it(`answers 503 to every login, before any password check, when only ${name} is ${fault.replace('_', ' ')}`, async () => {
      const failing = new FailingLimiter(fault)
      const hasher = new CountingHasher()
      server = await serverWith(name, failing, hasher)
      for (const path of ['/login', '/fresh-login']) {
        for (const password of ['wrong password', PASSWORD]) {
          expectError(await tryLogin(server.url, password, {}, path), 503, 'service_unavailable')
        }
      }
      expect(hasher.verifies).to.equal(0)
      expect(failing.calls).to.be.above(0)
    })
  }

  it('still counts every failure when only knownAddresses cannot be written, and lets the right password in', async () => {
    const failing = new FailingLimiter('read_only')
    server = await serverWith('knownAddresses', failing, new CountingHasher())
    expect((await tryLogin(server.url, PASSWORD)).status).to.equal(200)
    for (let i = 0; i < 3; i++) expectError(await tryLogin(server.url, 'wrong password'), 401, 'invalid_credentials')
    expectError(await tryLogin(server.url, PASSWORD), 429, 'rate_limited')
    expect(failing.calls).to.be.above(0)
  })
})

describe('Brute-force limits, no lockout of the owner', () => {
  let server: TestServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  const ATTACK = { ...BUDGETS, TRUST_PROXY: '1' }

  /** 100 wrong passwords for `target`, 10 from each of 10 addresses: every one a 401. */
  async function attack(base: string): Promise<void> {
    for (let a = 0; a < 10; a++) {
      for (let i = 0; i < 10; i++) {
        expectError(await tryLogin(base, 'wrong password', from(`203.0.113.${a}`)), 401, 'invalid_credentials')
      }
    }
  }

  it('lets the owner in from an address they logged in from after 100 failures from 10 addresses, and refuses new ones', async () => {
    server = await startTestServer(ATTACK)
    await register(server.url, 'target', PASSWORD)
    expect((await tryLogin(server.url, PASSWORD, from('192.0.2.10'))).status).to.equal(200)
    await attack(server.url)
    expect((await tryLogin(server.url, PASSWORD, from('192.0.2.10'))).status).to.equal(200)
    const fresh = await tryLogin(server.url, PASSWORD, from('198.51.100.99'))
    expectError(fresh, 429, 'rate_limited')
    expect(Number(fresh.headers.get('retry-after'))).to.be.within(15 * 60 + 1, 86400)
  })

  it('keeps refusing the attacking addresses, right password included', async () => {
    server = await startTestServer(ATTACK)
    await register(server.url, 'target', PASSWORD)
    expect((await tryLogin(server.url, PASSWORD, from('192.0.2.10'))).status).to.equal(200)
    await attack(server.url)
    for (const password of ['wrong password', PASSWORD]) {
      expectError(await tryLogin(server.url, password, from('203.0.113.0')), 429, 'rate_limited')
      expectError(await tryLogin(server.url, password, from('203.0.113.200')), 429, 'rate_limited')
    }
  })

  it('keeps the per-address budget for an address the owner logged in from', async () => {
    server = await startTestServer(ATTACK)
    await register(server.url, 'target', PASSWORD)
    expect((await tryLogin(server.url, PASSWORD, from('192.0.2.10'))).status).to.equal(200)
    for (let i = 0; i < 10; i++) {
      expectError(await tryLogin(server.url, 'wrong password', from('192.0.2.10')), 401, 'invalid_credentials')
    }
    const refused = await tryLogin(server.url, PASSWORD, from('192.0.2.10'))
    expectError(refused, 429, 'rate_limited')
    expect(Number(refused.headers.get('retry-after'))).to.be.within(1, 15 * 60)
  })

  it("spends nothing of the username's budget from anywhere on attempts refused by the per-address one", async () => {
    server = await startTestServer({ ...ATTACK, RATE_LIMIT_LOGIN_USER_IP: '3/15m', RATE_LIMIT_LOGIN_USER: '10/1d' })
    await register(server.url, 'target', PASSWORD)
    for (let i = 0; i < 3; i++) {
      expectError(await tryLogin(server.url, 'wrong password', from('203.0.113.1')), 401, 'invalid_credentials')
    }
    // Refused without a hash, so cheap: were they counted, one address could lock the username.
    for (let i = 0; i < 20; i++) {
      expectError(await tryLogin(server.url, 'wrong password', from('203.0.113.1')), 429, 'rate_limited')
    }
    expect((await tryLogin(server.url, PASSWORD, from('198.51.100.99'))).status).to.equal(200)
  })

  it('knows an IPv6 owner by their /64: a new privacy address of the same network still gets in', async () => {
    server = await startTestServer(ATTACK)
    await register(server.url, 'target', PASSWORD)
    expect((await tryLogin(server.url, PASSWORD, from('2001:db8:1:2:aaaa::1'))).status).to.equal(200)
    await attack(server.url)
    expect((await tryLogin(server.url, PASSWORD, from('2001:db8:1:2:bbbb::2'))).status).to.equal(200)
    expectError(await tryLogin(server.url, PASSWORD, from('2001:db8:1:3::1')), 429, 'rate_limited')
  })
})
