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
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: prefix,
      ACCESS_TOKEN_TTL: '2',
      JWT_LEEWAY: '0',
    })
  })

  after(async () => {
    await app?.close()
    await admin?.quit()
    await redis?.stop()
  })

  it('writes revoked:jti:<jti> to expire exactly when the token does (JWT_LEEWAY=0), so the blocklist stays bounded', async () => {
    const { accessToken } = await register(app.url, 'ttl-user')
    const { jti, exp } = decodeJwt(accessToken)
    expect((await call(app.url, '/logout/access', { method: 'POST', token: accessToken })).status).to.equal(200)
    // EXPIRETIME: the absolute second Redis drops the key at (-1: none, -2: no key).
    expect(await admin.call('EXPIRETIME', `${prefix}revoked:jti:${jti}`)).to.equal(exp)
  })

  it('writes revoked:fam:<fam> on refresh logout and revoked:sub:<sub> on logout everywhere', async () => {
    const { accessToken, refreshToken } = await register(app.url, 'family-user')
    const { fam, sub } = decodeJwt(refreshToken)
    expect((await call(app.url, '/logout/refresh', { method: 'POST', token: refreshToken })).status).to.equal(200)
    expect(await admin.ttl(`${prefix}revoked:fam:${fam}`)).to.be.greaterThan(29 * 86400)
    expect((await call(app.url, '/secret', { token: accessToken })).body.error).to.equal('token_revoked') // its family
    const other = await call(app.url, '/login', {
      json: { username: 'family-user', password: 'correct horse battery' },
    })
    const before = Date.now() / 1000
    expect((await call(app.url, '/logout/all', { method: 'POST', token: other.body.access_token })).status).to.equal(
      200,
    )
    const after = Date.now() / 1000
    // "Every token issued up to now": the time of the logout, at least the other login's iat.
    const upTo = Number(await admin.get(`${prefix}revoked:sub:${sub}`))
    expect(upTo).to.be.at.least(Math.max(before - 0.001, decodeJwt(other.body.access_token).iat!)).and.at.most(after)
  })
})
