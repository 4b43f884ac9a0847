import { after, afterEach, before, beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import { Redis } from 'ioredis'
import { call, register, startTestServer, type TestServer } from '../../support/http_harness.ts'
import { freePort, LocalRedis, redisServerOnPath } from '../../support/redis_server.ts'
import { requireOrSkip } from '../../support/requirements.ts'

// Long enough for any answer on a loaded machine; a request still open then has hung.
const HANG = 8000
// The servers' REDIS_COMMAND_TIMEOUT_MS, and the slack a 503 may take beyond it on a loaded
// machine: far less than a second timeout (what a request queued behind another batch took).
const TIMEOUT_MS = 500
const SLACK_MS = 300

async function callWithin(base: string, path: string, options: Parameters<typeof call>[2] = {}) {
  const started = Date.now()
  const result = await Promise.race([
    call(base, path, options),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${path} hung for ${HANG} ms`)), HANG)),
  ])
  return { ...result, ms: Date.now() - started }
}

async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`not recovered within ${ms} ms`)
}

describe('Redis faults (real redis-server)', function () {
  let redis: LocalRedis
  let app: TestServer
  let limited: TestServer
  let tokens: { accessToken: string; refreshToken: string }

  before(async function () {
    requireOrSkip(
      this,
      'redis-server',
      redisServerOnPath(),
      'Redis fault suite needs a redis-server binary on PATH (apt-get install redis-server)',
    )
    redis = new LocalRedis(await freePort())
    await redis.start({ persistent: true })
    // Every check asks Redis (no near-cache), so every protected route shows how a hung one is met.
    app = await startTestServer({
      REDIS_URL: redis.url,
      REDIS_COMMAND_TIMEOUT_MS: String(TIMEOUT_MS),
      REVOCATION_CACHE: 'off',
    })
    limited = await startTestServer({
      REDIS_URL: redis.url,
      REDIS_COMMAND_TIMEOUT_MS: String(TIMEOUT_MS),
      REVOCATION_CACHE: 'off',
      RATE_LIMIT: 'on',
    })
  })

  beforeEach(async () => {
    tokens = await register(app.url, `user-${crypto.randomUUID().slice(0, 8)}`)
  })

  afterEach(() => {
    redis?.resume()
  })

  after(async () => {
    await app?.close()
    await limited?.close()
    await redis?.stop()
  })

  const protectedCalls = () =>
    [
      ['/secret', { token: tokens.accessToken }],
      ['/token/refresh', { method: 'POST', token: tokens.refreshToken }],
      ['/logout/access', { method: 'POST', token: tokens.accessToken }],
      ['/logout/refresh', { method: 'POST', token: tokens.refreshToken }],
      ['/logout/all', { method: 'POST', token: tokens.accessToken }],
    ] as const

  async function expectAllUnavailable(): Promise<void> {
    for (const [path, options] of protectedCalls()) {
      const result = await callWithin(app.url, path, options)
      expect(result.status, path).to.equal(503)
      expect(result.body.error, path).to.equal('service_unavailable')
    }
  }

  it('answers 503, never 200, while Redis is killed, and recovers by itself when it returns', async () => {
    await register(limited.url, 'limited-user')
    await redis.kill()
    await expectAllUnavailable()
    // Brute-force counters live in Redis too: login fails closed rather than uncounted.
    const login = await callWithin(limited.url, '/login', {
      json: { username: 'limited-user', password: 'correct horse battery' },
    })
    expect([login.status, login.body.error]).to.deep.equal([503, 'service_unavailable'])
    await redis.start({ persistent: true })
    await eventually(async () => (await call(app.url, '/secret', { token: tokens.accessToken })).status === 200)
    const refreshed = await call(app.url, '/token/refresh', { method: 'POST', token: tokens.refreshToken })
    expect(refreshed.status).to.equal(200)
  })

  it('answers 503 within the command timeout while Redis hangs (SIGSTOP), and recovers on SIGCONT', async () => {
    redis.pause()
    await expectAllUnavailable()
    redis.resume()
    await eventually(async () => (await call(app.url, '/secret', { token: tokens.accessToken })).status === 200)
  })

  it(`answers each of many concurrent requests with 503 within the command timeout (+${SLACK_MS} ms) while Redis hangs`, async () => {
    await register(limited.url, 'limited-hang')
    redis.pause()
    const requests = [
      ...Array.from({ length: 20 }, () => callWithin(app.url, '/secret', { token: tokens.accessToken })),
      ...Array.from(
        { length: 10 },
        () =>
          callWithin(limited.url, '/login', { json: { username: 'limited-hang', password: 'correct horse battery' } }),
      ),
      ...protectedCalls().map(([path, options]) => callWithin(app.url, path, options)),
    ]
    const answers = await Promise.all(requests)
    expect(answers.map((answer) => answer.status)).to.deep.equal(answers.map(() => 503))
    expect(Math.max(...answers.map((answer) => answer.ms))).to.be.below(TIMEOUT_MS + SLACK_MS)
  })

  it("answers /readyz within 1 s (Kubernetes' default probe timeout) while Redis hangs, naming Redis, whatever the command timeout", async () => {
    const patient = await startTestServer({
      REDIS_URL: redis.url,
      REDIS_COMMAND_TIMEOUT_MS: '3000',
      REVOCATION_CACHE: 'off',
    })
    try {
      redis.pause()
      for (const server of [app, patient]) {
        const ready = await callWithin(server.url, '/readyz')
        expect([ready.status, ready.body.checks]).to.deep.equal([503, { redis: 'unavailable' }])
        expect(ready.ms).to.be.below(1000)
      }
    } finally {
      redis.resume()
      await patient.close()
    }
  })

  it('keeps refusing a revoked token after FLUSHALL, and lets a new login in', async () => {
    expect((await call(app.url, '/logout/access', { method: 'POST', token: tokens.accessToken })).status).to.equal(200)
    const admin = new Redis(redis.url)
    await admin.flushall()
    await admin.quit()
    const after = await call(app.url, '/secret', { token: tokens.accessToken })
    expect(after.status).to.equal(401)
    expect(after.body.error).to.equal('token_revoked')
    const fresh = await register(app.url, `user-${crypto.randomUUID().slice(0, 8)}`)
    expect((await call(app.url, '/secret', { token: fresh.accessToken })).status).to.equal(200)
  })

  it('keeps refusing a revoked token after Redis restarts without persistence', async () => {
    expect((await call(app.url, '/logout/access', { method: 'POST', token: tokens.accessToken })).status).to.equal(200)
    await redis.kill()
    await redis.start({ persistent: false })
    let status = 0
    await eventually(async () => {
      status = (await call(app.url, '/secret', { token: tokens.accessToken })).status
      return status !== 503
    })
    expect(status).to.equal(401)
    await redis.kill()
    await redis.start({ persistent: true })
  })
})

/** Two app instances sharing one Redis (and its key prefix), one per test of this file. */
function twoInstances(
  name: string,
  env: Record<string, string>,
  tests: (pair: () => [TestServer, TestServer]) => void,
): void {
  describe(name, function () {
    let redis: LocalRedis
    let first: TestServer
    let second: TestServer

    before(async function () {
      requireOrSkip(
        this,
        'redis-server',
        redisServerOnPath(),
        'two-instance suite needs a redis-server binary on PATH (apt-get install redis-server)',
      )
      redis = new LocalRedis(await freePort())
      await redis.start()
      const shared = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'shared:', ...env }
      first = await startTestServer(shared)
      second = await startTestServer(shared)
    })

    after(async () => {
      await first?.close()
      await second?.close()
      await redis?.stop()
    })

    tests(() => [first, second])
  })
}

twoInstances('Two instances on one Redis, every check asking Redis', { REVOCATION_CACHE: 'off' }, (pair) => {
  it('refuses on one instance a token revoked through the other', async () => {
    const tokens = await register(pair()[0].url, 'two-instances')
    expect((await call(pair()[1].url, '/secret', { token: tokens.accessToken })).status).to.equal(200)
    expect((await call(pair()[0].url, '/logout/access', { method: 'POST', token: tokens.accessToken })).status).to
      .equal(200)
    const refused = await call(pair()[1].url, '/secret', { token: tokens.accessToken })
    expect(refused.status).to.equal(401)
    expect(refused.body.error).to.equal('token_revoked')
  })

  it('refuses on one instance a refresh family logged out through the other', async () => {
    const tokens = await register(pair()[0].url, 'two-instances-fam')
    expect((await call(pair()[1].url, '/logout/refresh', { method: 'POST', token: tokens.refreshToken })).status).to
      .equal(200)
    const refused = await call(pair()[0].url, '/token/refresh', { method: 'POST', token: tokens.refreshToken })
    expect(refused.body.error).to.equal('token_revoked')
  })
})

twoInstances('Two instances on one Redis, with the revocation near-cache (the default)', {}, (pair) => {
  it('refuses on one instance, within a second, a token revoked through the other, under load', async () => {
    const tokens = await register(pair()[0].url, 'two-instances-nc')
    // The second instance's feed goes live once it has subscribed and read the blocklist.
    await eventually(async () => (await call(pair()[1].url, '/secret', { token: tokens.accessToken })).status === 200)
    const load = Array.from({ length: 20 }, () => call(pair()[1].url, '/secret', { token: tokens.accessToken }))
    expect((await call(pair()[0].url, '/logout/access', { method: 'POST', token: tokens.accessToken })).status).to
      .equal(200)
    await Promise.all(load)
    // Within the propagation bound, or eventually() fails.
    await eventually(
      async () => (await call(pair()[1].url, '/secret', { token: tokens.accessToken })).body.error === 'token_revoked',
      1000,
    )
  })
})

describe('Redis hanging, with the revocation near-cache (the default)', function () {
  let redis: LocalRedis
  let app: TestServer

  before(async function () {
    requireOrSkip(
      this,
      'redis-server',
      redisServerOnPath(),
      'Redis fault suite needs a redis-server binary on PATH (apt-get install redis-server)',
    )
    redis = new LocalRedis(await freePort())
    await redis.start()
    app = await startTestServer({ REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: String(TIMEOUT_MS) })
  })

  after(async () => {
    redis?.resume()
    await app?.close()
    await redis?.stop()
  })

  it('answers /secret from memory only until the feed goes stale, then 503; refresh and logout at once 503', async () => {
    const tokens = await register(app.url, 'near-cache-hang')
    const other = await register(app.url, 'near-cache-other') // logged out below: its write lands once Redis is back
    await eventually(async () => (await call(app.url, '/secret', { token: tokens.accessToken })).status === 200)
    redis.pause()
    const refresh = await callWithin(app.url, '/token/refresh', { method: 'POST', token: tokens.refreshToken })
    expect(refresh.status).to.equal(503) // a refresh asks Redis itself: it may mint
    expect((await callWithin(app.url, '/logout/access', { method: 'POST', token: other.accessToken })).status).to.equal(
      503,
    )
    // The feed's staleness bound is 3 s: by then no heartbeat arrived, and checks go to Redis.
    await eventually(
      async () => (await callWithin(app.url, '/secret', { token: tokens.accessToken })).status === 503,
      8000,
    )
    redis.resume()
    await eventually(async () => (await call(app.url, '/secret', { token: tokens.accessToken })).status === 200, 10_000)
  })
})
