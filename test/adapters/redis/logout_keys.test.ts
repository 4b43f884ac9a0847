import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { Redis } from 'ioredis'
import { decodeJwt } from 'jose'
import { call, register, startTestServer, type TestServer } from '../../support/http_harness.ts'
import { acquireRedisOrSkip, type RedisHandle } from '../../support/redis_server.ts'

describe('Logout on Redis: keys and their lifetimes', function () {
  let redis: RedisHandle
  let admin: Redis
  let app: TestServer
  const prefix = `logout-keys:${crypto.randomUUID()}:`

  before(async function () {
    redis = await acquireRedisOrSkip(this)
    admin = new Redis(redis.url)
    app = await startTestServer({
      REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix, ACCESS_TOKEN_TTL: '2', JWT_LEEWAY: '0',
    })
  })

  after(async () => {
    await app?.close()
    await admin?.quit()
    await redis?.stop()
  })

  it('writes revoked:jti:<jti> with a TTL equal to the token\'s remaining life, gone after expiry', async () => {
    const { accessToken } = await register(app.url, 'ttl-user')
    const { jti, exp } = decodeJwt(accessToken)
    expect((await call(app.url, '/logout/access', { method: 'POST', token: accessToken })).status).to.equal(200)
    const key = `${prefix}revoked:jti:${jti}`
    const ttl = await admin.pttl(key)
    const remaining = exp! * 1000 - Date.now()
    expect(ttl).to.be.greaterThan(0)
    // EXAT has whole-second precision: the key lives to the second the token expires in.
    expect(Math.abs(ttl - remaining)).to.be.lessThan(1100)
    await new Promise((resolve) => setTimeout(resolve, ttl + 200))
    expect(await admin.exists(key)).to.equal(0)
  })

  it('writes revoked:fam:<fam> on refresh logout and revoked:sub:<sub> on logout everywhere', async () => {
    const { accessToken, refreshToken } = await register(app.url, 'family-user')
    const { fam, sub } = decodeJwt(refreshToken)
    expect((await call(app.url, '/logout/refresh', { method: 'POST', token: refreshToken })).status).to.equal(200)
    expect(await admin.ttl(`${prefix}revoked:fam:${fam}`)).to.be.greaterThan(29 * 86400)
    const other = await call(app.url, '/login', { json: { username: 'family-user', password: 'correct horse battery' } })
    expect((await call(app.url, '/logout/all', { method: 'POST', token: other.body.access_token })).status).to.equal(200)
    expect(Number(await admin.get(`${prefix}revoked:sub:${sub}`))).to.be.closeTo(Date.now() / 1000, 5)
    expect(accessToken).to.be.a('string')
  })
})
