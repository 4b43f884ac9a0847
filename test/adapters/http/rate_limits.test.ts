import { afterEach, describe, it } from 'mocha'
import { expect } from 'chai'
import { RateLimiterMemory } from 'rate-limiter-flexible'
import type { AuthLimits } from '../../../src/adapters/http/rate_limits.ts'
import { call, expectError, register, startTestServer, type TestServer } from '../../support/http_harness.ts'

const PASSWORD = 'correct horse battery'
const LIMITS = {
  RATE_LIMIT: 'on', RATE_LIMIT_IP: '1000/1m', RATE_LIMIT_LOGIN_USER_IP: '3/15m', RATE_LIMIT_LOGIN_USER: '5/1d',
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
    for (let i = 0; i < 3; i++) await call(server.url, '/fresh-login', { json: { username: 'target', password: 'nope nope' } })
    expectError(await attempt(PASSWORD), 429, 'rate_limited')
  })

  it('counts a username in any letter case as one', async () => {
    server = await startTestServer(LIMITS)
    await register(server.url, 'target', PASSWORD)
    for (const name of ['target', 'TARGET', 'Target']) await attempt('wrong password', name)
    expectError(await attempt(PASSWORD), 429, 'rate_limited')
  })

  it('clears the address\'s count for a username on a successful login', async () => {
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
      expectError(await attempt('wrong password', 'target', { 'x-forwarded-for': `203.0.113.${i}` }), 401, 'invalid_credentials')
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
    const down = () => Object.assign(new RateLimiterMemory({ points: 1, duration: 1 }), {
      consume: () => Promise.reject(new Error('limiter store down')),
      get: () => Promise.reject(new Error('limiter store down')),
    })
    const limits: AuthLimits = { perIp: down(), loginFailsPerUserIp: down(), loginFailsPerUser: down() }
    // Started first: its memory blocklist refuses tokens issued before it (a restart's rule).
    server = await startTestServer(LIMITS, { limits })
    const healthy = await startTestServer(LIMITS)
    try {
      const { accessToken } = await register(healthy.url, 'target', PASSWORD)
      expectError(await attempt(PASSWORD), 503, 'service_unavailable')
      expectError(await call(server.url, '/registration', { json: { username: 'new-user', password: PASSWORD } }), 503, 'service_unavailable')
      expect((await call(server.url, '/secret', { token: accessToken })).status).to.equal(200)
    } finally {
      await healthy.close()
    }
  })
})
