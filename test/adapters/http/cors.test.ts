import { afterEach, describe, it } from 'mocha'
import { expect } from 'chai'
import { call, startTestServer, type TestServer } from '../../support/http_harness.ts'

describe('CORS', () => {
  let server: TestServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  const preflight = (origin: string) =>
    call(server!.url, '/login', {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    })

  it('is off by default: no CORS header for any origin', async () => {
    server = await startTestServer()
    const answer = await call(server.url, '/healthz', { headers: { origin: 'https://app.example.com' } })
    expect(answer.headers.get('access-control-allow-origin')).to.equal(null)
    expect((await preflight('https://app.example.com')).headers.get('access-control-allow-origin')).to.equal(null)
  })

  it('allows exactly the origins in CORS_ORIGINS', async () => {
    server = await startTestServer({ CORS_ORIGINS: 'https://app.example.com,http://localhost:5173' })
    const allowed = await preflight('https://app.example.com')
    expect(allowed.status).to.equal(204)
    expect(allowed.headers.get('access-control-allow-origin')).to.equal('https://app.example.com')
    expect(allowed.headers.get('access-control-allow-methods')).to.contain('POST')
    expect(allowed.headers.get('access-control-allow-headers')).to.match(/authorization/i)
    const simple = await call(server.url, '/healthz', { headers: { origin: 'http://localhost:5173' } })
    expect(simple.headers.get('access-control-allow-origin')).to.equal('http://localhost:5173')
  })

  it('gives an origin that is not listed no CORS headers', async () => {
    server = await startTestServer({ CORS_ORIGINS: 'https://app.example.com' })
    for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.test', 'null']) {
      const answer = await call(server.url, '/healthz', { headers: { origin } })
      expect(answer.headers.get('access-control-allow-origin'), origin).to.equal(null)
    }
  })

  it('lets a browser read WWW-Authenticate and Retry-After from an allowed origin', async () => {
    server = await startTestServer({ CORS_ORIGINS: 'https://app.example.com' })
    const answer = await call(server.url, '/secret', { headers: { origin: 'https://app.example.com' } })
    expect(answer.status).to.equal(401)
    expect(answer.headers.get('access-control-expose-headers')).to.match(/WWW-Authenticate/i)
  })
})
