import { type AddressInfo, createServer, type Server, type Socket } from 'node:net'
import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { AuthError, isAuthError } from '../../../src/domain/auth_error.ts'
import { guarded, isDuplicateKey, MongoConnection } from '../../../src/adapters/mongo/mongo_connection.ts'
import { MongoUserRepository } from '../../../src/adapters/mongo/user_repository.ts'
import type { Username } from '../../../src/domain/username.ts'
import { call, register, startTestServer, type TestServer } from '../../support/http_harness.ts'
import { freePort } from '../../support/redis_server.ts'

describe('MongoDB unreachable', () => {
  let closedUrl: string
  let down: TestServer
  let healthy: TestServer

  before(async () => {
    closedUrl = `mongodb://127.0.0.1:${await freePort()}/hexauth`
    down = await startTestServer({ MONGO_URL: closedUrl, MONGO_TIMEOUT_MS: '300' })
    healthy = await startTestServer({ MONGO_URL: '' })
  })

  after(async () => {
    await down?.close()
    await healthy?.close()
  })

  it('answers register with 503 service_unavailable, not a hang or a 500', async () => {
    const result = await call(down.url, '/registration', { json: { username: 'nobody', password: 'long enough pw' } })
    expect(result.status).to.equal(503)
    expect(result.body).to.deep.equal({
      error: 'service_unavailable',
      message: 'Cannot reach the user store: MongoDB is unavailable',
    })
  })

  it('answers login and fresh-login with 503 service_unavailable', async () => {
    for (const path of ['/login', '/fresh-login']) {
      const result = await call(down.url, path, { json: { username: 'nobody', password: 'long enough pw' } })
      expect(result.status, path).to.equal(503)
      expect(result.body.error, path).to.equal('service_unavailable')
    }
  })

  it('keeps serving /secret, which needs no user store', async () => {
    // Same signing secret: a token from a healthy instance is valid on the one without MongoDB.
    const tokens = await register(healthy.url, 'secret-keeper')
    const result = await call(down.url, '/secret', { token: tokens.accessToken })
    expect(result.status).to.equal(200)
    expect(result.body).to.deep.equal({ answer: 42 })
  })

  it('fails a repository call with service_unavailable and tries to connect again on the next', async () => {
    const users = new MongoUserRepository(new MongoConnection({ url: closedUrl, timeoutMs: 200 }))
    for (let i = 0; i < 2; i++) {
      const error = await users.findByUsername('anyone' as Username).then(() => undefined, (e: unknown) => e)
      expect(isAuthError(error, 'service_unavailable'), String(error)).to.equal(true)
    }
  })
})

describe('MongoDB that accepts connections and never answers', () => {
  let silent: Server
  let app: TestServer
  const sockets = new Set<Socket>()

  before(async () => {
    // A bare TCP listener: the connection opens, the handshake is never answered.
    silent = createServer((socket) => {
      sockets.add(socket)
      socket.on('error', () => {})
    })
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const { port } = silent.address() as AddressInfo
    app = await startTestServer({ MONGO_URL: `mongodb://127.0.0.1:${port}/hexauth`, MONGO_TIMEOUT_MS: '2000' })
  })

  after(async () => {
    await app?.close()
    for (const socket of sockets) socket.destroy()
    silent?.close()
  })

  it("answers /readyz within 1 s (Kubernetes' default probe timeout), naming MongoDB, though its timeout is longer", async () => {
    const started = Date.now()
    const ready = await call(app.url, '/readyz')
    expect([ready.status, ready.body.checks]).to.deep.equal([503, { mongodb: 'unavailable' }])
    expect(Date.now() - started).to.be.below(1000)
  })

  it('answers a registration with 503 once MONGO_TIMEOUT_MS has run out, not later', async () => {
    const started = Date.now()
    const result = await call(app.url, '/registration', {
      json: { username: 'silent_user', password: 'long enough pw' },
    })
    expect([result.status, result.body.error]).to.deep.equal([503, 'service_unavailable'])
    expect(Date.now() - started).to.be.below(2000 + 1000)
  })
})

describe('MongoDB error translation', () => {
  it('recognises the duplicate-key error by its code', () => {
    expect(isDuplicateKey(Object.assign(new Error('E11000 duplicate key'), { code: 11000 }))).to.equal(true)
    expect(isDuplicateKey(Object.assign(new Error('other'), { code: 2 }))).to.equal(false)
    expect(isDuplicateKey(null)).to.equal(false)
  })

  it('turns a driver failure into service_unavailable without its message', async () => {
    const error = await guarded(() => Promise.reject(new Error('connection 3 to 10.0.0.5:27017 closed')))
      .then(() => undefined, (e: unknown) => e)
    expect(isAuthError(error, 'service_unavailable')).to.equal(true)
    expect((error as Error).message).to.not.contain('10.0.0.5')
  })

  it('lets a domain error through unchanged', async () => {
    const taken = new AuthError('username_taken', 'taken')
    expect(await guarded(() => Promise.reject(taken)).then(() => undefined, (e: unknown) => e)).to.equal(taken)
  })
})
