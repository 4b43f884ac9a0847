import { describe, it } from 'mocha'
import { expect } from 'chai'
import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible'
import { loadConfig } from '../../src/adapters/config.ts'
import { createMemoryLimits } from '../../src/adapters/memory/rate_limiters.ts'
import { startFakeMongo } from '../support/fake_mongo.ts'
import { call, PRODUCTION_LIMITS, startTestServer, TEST_ENV } from '../support/http_harness.ts'
import { capturingLogger } from '../support/log_capture.ts'

/** A perIp limiter whose store is down until `up` is set. */
class SwitchableLimiter extends RateLimiterMemory {
  up = false

  constructor() {
    super({ points: 1000, duration: 60 })
  }

  override consume(key: string | number, points?: number): Promise<RateLimiterRes> {
    return this.up
      ? super.consume(key, points)
      : Promise.reject(new Error('Cannot reach the limiter store: it is down'))
  }
}

const credentials = { username: 'episode', password: 'correct horse battery' }
const storeLines = (logs: ReturnType<typeof capturingLogger>, store: string) =>
  logs.entries().filter((entry) => entry.store === store).map((entry) => ({
    level: entry.level,
    msg: entry.msg,
    cause: entry.cause,
  }))

// A store that fails is logged with its cause once per outage, and once when it is back; the
// 503s in between are counted, not logged (a client sees no cause: the log has it).
describe('store failures in the log', () => {
  it('logs a MongoDB outage once with its cause, and its end once', async function () {
    this.timeout(30_000)
    const fake = await startFakeMongo()
    const logs = capturingLogger('info')
    const server = await startTestServer(
      { LOG_LEVEL: 'info', MONGO_URL: fake.url, MONGO_TIMEOUT_MS: '300' },
      {},
      logs.logger,
    )
    try {
      expect((await call(server.url, '/registration', { json: credentials })).status).to.equal(201)
      await fake.pause()
      for (let i = 0; i < 5; i++) expect((await call(server.url, '/login', { json: credentials })).status).to.equal(503)
      await fake.resume()
      let status = 0
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = (await call(server.url, '/login', { json: credentials })).status
      }
      expect(status).to.equal(200)
      const lines = storeLines(logs, 'mongodb')
      expect(lines.map((line) => [line.level, line.msg])).to.deep.equal([
        [50, 'MongoDB failed: requests that need it answer 503 service_unavailable until it recovers'],
        [30, 'MongoDB recovered'],
      ])
      expect((lines[0]!.cause as { message: string }).message).to.be.a('string').that.is.not.empty
    } finally {
      await server.close()
      await fake.stop()
    }
  })

  it('logs a limiter store outage once with its cause, and its end once', async () => {
    const logs = capturingLogger('info')
    const perIp = new SwitchableLimiter()
    const limits = { ...createMemoryLimits(loadConfig({ ...TEST_ENV, ...PRODUCTION_LIMITS }).rateLimits!), perIp }
    const server = await startTestServer({ ...PRODUCTION_LIMITS, LOG_LEVEL: 'info' }, { limits }, logs.logger)
    try {
      for (let i = 0; i < 20; i++) {
        expect((await call(server.url, '/login', { json: credentials })).status).to.equal(503)
      }
      perIp.up = true
      expect((await call(server.url, '/login', { json: credentials })).status).to.equal(401)
      const lines = storeLines(logs, 'limiter')
      expect(lines.map((line) => line.level)).to.deep.equal([50, 30])
      expect(lines[0]!.cause).to.deep.include({ message: 'Cannot reach the limiter store: it is down' })
    } finally {
      await server.close()
    }
  })
})
