import { createRequire } from 'node:module'
import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import {
  call,
  expectError,
  register,
  registerAdmin,
  startTestServer,
  type TestServer,
} from '../../support/http_harness.ts'
import { capturingLogger } from '../../support/log_capture.ts'
import { PROTOTYPE_NAMES } from '../../support/hostile_input.ts'

describe('createHttpApp', () => {
  let server: TestServer
  let url: string

  before(async () => {
    server = await startTestServer()
    url = server.url
  })

  after(() => server.close())

  it("serves /docs from swagger-ui-dist's files on disk without loading the package into the process", async () => {
    expect((await call(url, '/docs/swagger-ui-bundle.js')).status).to.equal(200)
    // Importing the package runs its index, which loads its whole browser bundle (~40 MB).
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((file) => file.includes('swagger-ui-dist'))
    expect(loaded).to.deep.equal([])
  })

  describe('routing', () => {
    it('answers GET /healthz with 200', async () => {
      const result = await call(url, '/healthz')
      expect(result.status).to.equal(200)
      expect(result.body).to.deep.equal({ status: 'ok' })
    })

    it('answers an unknown route with 404 not_found', async () => {
      expectError(await call(url, '/no-such-route'), 404, 'not_found')
    })

    it('answers prototype names in every path parameter like any other value, and logs no error', async () => {
      const logs = capturingLogger('info')
      const probe = await startTestServer({ LOG_LEVEL: 'info' }, {}, logs.logger)
      try {
        const { accessToken } = await registerAdmin(probe)
        for (const name of PROTOTYPE_NAMES) {
          for (
            const [method, path] of [['GET', `/docs/${name}`], ['GET', `/item/${name}`], ['DELETE', `/item/${name}`], [
              'POST',
              `/item/${name}`,
            ], ['DELETE', `/users/${name}`]] as const
          ) {
            const answer = await call(probe.url, path, {
              method,
              token: accessToken,
              ...method === 'POST' ? { json: { price: 1 } } : {},
            })
            expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).to.be.below(500)
            if (method === 'POST') await call(probe.url, path, { method: 'DELETE', token: accessToken })
          }
        }
        expect(logs.entries().filter((entry) => Number(entry.level) >= 50), logs.lines.join('')).to.deep.equal([])
      } finally {
        await probe.close()
      }
    })

    it('answers an unknown route under a known prefix with 404 not_found', async () => {
      expectError(await call(url, '/users/someone/extra'), 404, 'not_found')
    })

    it('answers a wrong method on a GET route with 405 and an Allow header', async () => {
      const result = await call(url, '/secret', { method: 'DELETE' })
      expectError(result, 405, 'method_not_allowed')
      expect(result.headers.get('allow')).to.include('GET')
    })

    it('answers GET on a POST route with 405 and Allow: POST', async () => {
      const result = await call(url, '/registration')
      expectError(result, 405, 'method_not_allowed')
      expect(result.headers.get('allow')).to.equal('POST')
    })

    it('answers a bodyless PUT (Content-Length: 0) on a GET route with 405, not 415', async () => {
      const result = await call(url, '/secret', { method: 'PUT' })
      expectError(result, 405, 'method_not_allowed')
      expect(result.headers.get('allow')).to.include('GET')
    })

    it('answers a JSON POST to a GET-only route with 405, not by running the GET handler', async () => {
      const result = await call(url, '/secret', { json: {} })
      expectError(result, 405, 'method_not_allowed')
      expect(result.headers.get('allow')).to.include('GET')
    })
  })

  describe('response hygiene', () => {
    it('marks a token response no-store and nosniff', async () => {
      const result = await call(url, '/registration', { json: { username: 'hygiene', password: 'hygiene-password' } })
      expect(result.status).to.equal(201)
      expect(result.headers.get('cache-control')).to.equal('no-store')
      expect(result.headers.get('x-content-type-options')).to.equal('nosniff')
    })

    it('marks a login response no-store and nosniff', async () => {
      await register(url, 'hygiene2', 'hygiene-password')
      const result = await call(url, '/login', { json: { username: 'hygiene2', password: 'hygiene-password' } })
      expect(result.status).to.equal(200)
      expect(result.headers.get('cache-control')).to.equal('no-store')
      expect(result.headers.get('x-content-type-options')).to.equal('nosniff')
    })

    it('marks a token error no-store and nosniff', async () => {
      const result = await call(url, '/secret', { token: 'not-a-token' })
      expectError(result, 401, 'invalid_token')
      expect(result.headers.get('cache-control')).to.equal('no-store')
      expect(result.headers.get('x-content-type-options')).to.equal('nosniff')
    })

    it('marks a 404 no-store and nosniff', async () => {
      const result = await call(url, '/no-such-route')
      expect(result.headers.get('cache-control')).to.equal('no-store')
      expect(result.headers.get('x-content-type-options')).to.equal('nosniff')
    })

    it('answers every error as JSON', async () => {
      const result = await call(url, '/secret')
      expect(result.headers.get('content-type')).to.match(/^application\/json/)
    })
  })
})
