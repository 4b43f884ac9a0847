import { Writable } from 'node:stream'
import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { createLogger } from '../../../src/adapters/logger.ts'
import { call, register, startTestServer, type TestServer } from '../../support/http_harness.ts'
import {
  acquireRedisOrSkip,
  freePort,
  LocalRedis,
  type RedisHandle,
  redisServerOnPath,
} from '../../support/redis_server.ts'
import { requireOrSkip } from '../../support/requirements.ts'

describe('GET /readyz', () => {
  it('is ready on memory stores, with no store to check', async () => {
    const server = await startTestServer({ MONGO_URL: '', REDIS_URL: '' })
    try {
      const answer = await call(server.url, '/readyz')
      expect([answer.status, answer.body]).to.deep.equal([200, { status: 'ok', checks: {} }])
    } finally {
      await server.close()
    }
  })

  it('answers 503 naming MongoDB when it cannot be reached, while /healthz stays 200', async () => {
    const server = await startTestServer({
      MONGO_URL: `mongodb://127.0.0.1:${await freePort()}/x`,
      MONGO_TIMEOUT_MS: '200',
    })
    try {
      const answer = await call(server.url, '/readyz')
      expect(answer.status).to.equal(503)
      expect(answer.body.error).to.equal('service_unavailable')
      expect(answer.body.message).to.contain('mongodb')
      expect(answer.body.checks).to.deep.include({ mongodb: 'unavailable' })
      expect((await call(server.url, '/healthz')).status).to.equal(200)
    } finally {
      await server.close()
    }
  })

  describe('with Redis', function () {
    let redis: RedisHandle
    before(async function () {
      redis = await acquireRedisOrSkip(this)
    })
    after(() => redis?.stop())

    it('checks Redis and reports it ok', async () => {
      const server = await startTestServer({ REDIS_URL: redis.url, MONGO_URL: '' })
      try {
        const answer = await call(server.url, '/readyz')
        expect([answer.status, answer.body.checks]).to.deep.equal([200, { redis: 'ok' }])
      } finally {
        await server.close()
      }
    })
  })
})

describe('GET /metrics', () => {
  let server: TestServer
  let text: string
  before(async () => {
    server = await startTestServer({ MONGO_URL: '', REDIS_URL: '' })
    const tokens = await register(server.url, 'metrics-user')
    await call(server.url, '/secret', { token: tokens.accessToken })
    await call(server.url, '/login', { json: { username: 'metrics-user', password: 'correct horse battery' } })
    await call(server.url, '/login', { json: { username: 'metrics-user', password: 'wrong password!' } })
    await call(server.url, '/users/alice-the-secret-name', { method: 'DELETE', token: tokens.accessToken })
    await call(server.url, '/no/such/path/bob-secret-path')
    await call(server.url, '/logout/access', { method: 'POST', token: tokens.accessToken })
    const answer = await call(server.url, '/metrics')
    expect(answer.status).to.equal(200)
    expect(answer.headers.get('content-type')).to.match(/^text\/plain/)
    text = answer.body as string
  })
  after(() => server.close())

  it('times requests by route pattern and status', () => {
    expect(text).to.match(/hexauth_http_request_duration_seconds_count\{method="GET",route="\/secret",status="200"\} 1/)
    expect(text).to.match(
      /hexauth_http_request_duration_seconds_count\{method="DELETE",route="\/users\/:username",status="403"\} 1/,
    )
  })

  it('keeps labels bounded: no raw path or username reaches a label', () => {
    expect(text).to.not.contain('alice-the-secret-name')
    expect(text).to.not.contain('bob-secret-path')
    expect(text).to.contain('route="unmatched"')
  })

  it('counts login outcomes, tokens issued and revocations', () => {
    expect(text).to.match(/hexauth_logins_total\{outcome="success"\} 1/)
    expect(text).to.match(/hexauth_logins_total\{outcome="invalid_credentials"\} 1/)
    expect(text).to.match(/hexauth_tokens_issued_total\{type="access"\} 2/)
    expect(text).to.match(/hexauth_tokens_issued_total\{type="refresh"\} 2/)
    expect(text).to.match(/hexauth_revocations_total\{scope="token"\} 1/)
  })

  it('exposes the default process metrics', () => {
    expect(text).to.match(/hexauth_process_cpu_seconds_total/)
    expect(text).to.match(/hexauth_nodejs_heap_size_used_bytes/)
  })

  it('counts requests failed by a store that cannot answer, by store', async () => {
    const down = await startTestServer({
      MONGO_URL: `mongodb://127.0.0.1:${await freePort()}/x`,
      MONGO_TIMEOUT_MS: '200',
    })
    try {
      await call(down.url, '/login', { json: { username: 'anyone', password: 'long enough pw' } })
      const metrics = (await call(down.url, '/metrics')).body as string
      expect(metrics).to.match(/hexauth_store_errors_total\{store="mongodb"\} 1/)
    } finally {
      await down.close()
    }
  })
})

describe('Request logs and ids', () => {
  let server: TestServer
  const lines: string[] = []
  before(async () => {
    const sink = new Writable({
      write(chunk, _e, done) {
        lines.push(String(chunk))
        done()
      },
    })
    server = await startTestServer({ LOG_LEVEL: 'info' }, {}, createLogger('info', sink))
  })
  after(() => server.close())

  it('echoes a valid X-Request-Id and logs one line for the request with it', async () => {
    const { accessToken } = await register(server.url, 'logged')
    lines.length = 0
    const answer = await call(server.url, '/secret', {
      token: accessToken,
      headers: { 'x-request-id': 'trace-abc.123' },
    })
    expect(answer.headers.get('x-request-id')).to.equal('trace-abc.123')
    const logged = lines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'request')
    expect(logged).to.have.length(1)
    expect(logged[0]).to.include({ req_id: 'trace-abc.123', method: 'GET', route: '/secret', status: 200 })
    expect(logged[0].ms).to.be.a('number')
    expect(lines.join('')).to.not.contain(accessToken.split('.')[2])
  })

  it('replaces an invalid X-Request-Id with a generated one', async () => {
    const answer = await call(server.url, '/healthz', { headers: { 'x-request-id': 'bad id with spaces' } })
    expect(answer.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/)
  })

  it('logs the error code of a failed request', async () => {
    lines.length = 0
    await call(server.url, '/secret')
    const entry = JSON.parse(lines.find((line) => line.includes('"request"'))!)
    expect(entry).to.include({ status: 401, error: 'authorization_required' })
  })
})

describe('GET /metrics: the revocation near-cache', function () {
  this.timeout(30_000)
  let redis: LocalRedis

  before(async function () {
    requireOrSkip(
      this,
      'redis-server',
      redisServerOnPath(),
      'the near-cache gauge needs a redis-server binary on PATH (apt-get install redis-server)',
    )
    redis = new LocalRedis(await freePort())
    await redis.start()
  })
  after(() => redis?.stop())

  const gauge = async (url: string, name: string) => {
    const text = String((await call(url, '/metrics')).body)
    const line = text.split('\n').find((l) => l.startsWith(`${name} `))
    return line === undefined ? undefined : Number(line.split(' ')[1])
  }
  async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
    const deadline = Date.now() + ms
    while (!await check()) {
      if (Date.now() > deadline) throw new Error(`not within ${ms} ms`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  it('is on by default with REDIS_URL, and its gauge says whether the feed is live', async () => {
    const server = await startTestServer({ REDIS_URL: redis.url })
    try {
      await until(async () => await gauge(server.url, 'hexauth_revocation_feed_live') === 1, 5000)
      const { accessToken } = await register(server.url, 'gauge_user')
      await call(server.url, '/logout/access', { method: 'POST', token: accessToken, json: {} })
      expect(await gauge(server.url, 'hexauth_revocation_cache_entries')).to.be.at.least(1)
      expect(await gauge(server.url, 'hexauth_revocation_cache_bytes')).to.be.above(0)
      redis.pause() // no heartbeat gets through: the feed goes stale and checks go to Redis
      await until(async () => await gauge(server.url, 'hexauth_revocation_feed_live') === 0, 10_000)
      redis.resume()
      await until(async () => await gauge(server.url, 'hexauth_revocation_feed_live') === 1, 10_000)
    } finally {
      redis.resume()
      await server.close()
    }
  })

  it('is off with REVOCATION_CACHE=off, and then has no gauge', async () => {
    const server = await startTestServer({ REDIS_URL: redis.url, REVOCATION_CACHE: 'off' })
    try {
      expect(await gauge(server.url, 'hexauth_revocation_feed_live')).to.equal(undefined)
    } finally {
      await server.close()
    }
  })
})
