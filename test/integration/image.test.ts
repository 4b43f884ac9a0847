import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import type { StartedNetwork, StartedTestContainer } from 'testcontainers'
import { call } from '../support/http_harness.ts'
import { containerRuntimeAnswers } from '../support/redis_server.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

// How another team's integration suite starts hexauth: MongoDB, Redis and the app image on
// one network, the app waited for on /healthz.
describe('hexauth image with MongoDB and Redis (testcontainers)', function () {
  this.timeout(600_000)
  let network: StartedNetwork
  const started: StartedTestContainer[] = []
  let base: string

  before(async function () {
    if (!await containerRuntimeAnswers()) {
      console.log('      skipped: image suite: no container runtime (Docker engine) answered')
      this.skip()
    }
    const { GenericContainer, Network, Wait } = await import('testcontainers')
    const { MongoDBContainer } = await import('@testcontainers/mongodb')
    const { RedisContainer } = await import('@testcontainers/redis')
    network = await new Network().start()
    started.push(await new MongoDBContainer('mongo:8').withNetwork(network).withNetworkAliases('mongo').start())
    started.push(await new RedisContainer('redis:7-alpine').withNetwork(network).withNetworkAliases('redis').start())
    const image = await GenericContainer.fromDockerfile(root).build('hexauth:test', { deleteOnExit: false })
    const app = await image
      .withNetwork(network)
      .withEnvironment({
        KEY_ENCRYPTION_SECRET: 'integration-only-key-secret-Hq3wZ8rV1tN6yB4mK7pL2',
        MONGO_URL: 'mongodb://mongo:27017/hexauth?directConnection=true',
        REDIS_URL: 'redis://redis:6379',
        ADMIN_USERNAMES: 'admin',
      })
      .withExposedPorts(3000)
      .withWaitStrategy(Wait.forHttp('/healthz', 3000).forStatusCode(200))
      .start()
    started.push(app)
    base = `http://${app.getHost()}:${app.getMappedPort(3000)}`
  })

  after(async () => {
    for (const container of started.reverse()) await container.stop()
    await network?.stop()
  })

  it('registers, logs in, reaches /secret, logs out and is refused afterwards', async () => {
    const credentials = { username: 'integration', password: 'correct horse battery' }
    expect((await call(base, '/registration', { json: credentials })).status).to.equal(201)
    const login = await call(base, '/login', { json: credentials })
    expect(login.status).to.equal(200)
    const token = login.body.access_token as string
    expect((await call(base, '/secret', { token })).body).to.deep.equal({ answer: 42 })
    expect((await call(base, '/logout/access', { method: 'POST', token })).status).to.equal(200)
    expect((await call(base, '/secret', { token })).body.error).to.equal('token_revoked')
  })

  it('signs ES256 tokens that its published keys verify, as another service of the stack would', async () => {
    const login = await call(base, '/login', { json: { username: 'integration', password: 'correct horse battery' } })
    const { createRemoteJWKSet, jwtVerify } = await import('jose')
    const jwks = createRemoteJWKSet(new URL(`${base}/.well-known/jwks.json`))
    const { protectedHeader } = await jwtVerify(login.body.access_token, jwks, {
      issuer: 'hexauth',
      audience: 'hexauth',
      algorithms: ['ES256'],
    })
    expect(protectedHeader.kid).to.be.a('string')
  })

  it('keeps the account in MongoDB: a duplicate registration is a 409', async () => {
    const again = await call(base, '/registration', { json: { username: 'INTEGRATION', password: 'another password' } })
    expect(again.status).to.equal(409)
  })
})
