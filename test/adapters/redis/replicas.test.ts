import { after, afterEach, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { Redis } from 'ioredis'
import { decodeJwt } from 'jose'
import { Config, RedisServer } from '../../../src/adapters/container.ts'
import { call, login, register, startTestServer, type TestServer } from '../../support/http_harness.ts'
import { redisServerOnPath } from '../../support/redis_server.ts'
import {
  type ReplicatedRedis,
  startRedisClusterWithReplica,
  startRedisReplicated,
} from '../../support/redis_topologies.ts'
import { requireOrSkip } from '../../support/requirements.ts'

describe('Revocations on a primary with a replica (WAIT)', function () {
  this.timeout(30_000)
  let topology: ReplicatedRedis
  const servers: TestServer[] = []

  async function server(env: Record<string, string> = {}): Promise<TestServer> {
    const started = await startTestServer({ REDIS_URL: topology.url, ...env })
    servers.push(started)
    return started
  }

  const logout = (app: TestServer, token: string) => call(app.url, '/logout/access', { method: 'POST', token })

  before(async function () {
    requireOrSkip(
      this,
      'redis-server',
      redisServerOnPath(),
      'the replication suite needs redis-server on PATH (apt-get install redis-server)',
    )
    topology = await startRedisReplicated()
  })

  afterEach(() => topology?.resumeReplica())

  after(async () => {
    for (const started of servers) await started.close()
    await topology?.stop()
  })

  it('answers a logout 200 once the replica has it, and 503 while the replica hangs (REDIS_WAIT_REPLICAS=auto)', async () => {
    const app = await server()
    expect((await app.container.getAsync(RedisServer)).replicas).to.equal(1)
    const first = await register(app.url, 'wait-user')
    expect((await logout(app, first.accessToken)).status).to.equal(200)
    // Answered once the replica acknowledged it: it is there already.
    const replica = new Redis(topology.replicaUrl)
    const prefix = (await app.container.getAsync(Config)).redisKeyPrefix
    const copied = await replica.exists(`${prefix}revoked:jti:${decodeJwt(first.accessToken).jti}`)
    await replica.quit()
    expect(copied).to.equal(1)
    const second = await login(app.url, 'wait-user')
    topology.pauseReplica()
    const refused = await logout(app, second.accessToken)
    expect([refused.status, refused.body.error]).to.deep.equal([503, 'service_unavailable'])
    // The write stayed on the primary: a client trying again finds the token revoked.
    topology.resumeReplica()
    const retried = await logout(app, second.accessToken)
    expect([retried.status, retried.body.error]).to.deep.equal([401, 'token_revoked'])
  })

  it('waits for as many replicas as REDIS_WAIT_REPLICAS names, and for none with 0', async () => {
    const [none, two] = [await server({ REDIS_WAIT_REPLICAS: '0' }), await server({ REDIS_WAIT_REPLICAS: '2' })]
    const [a, b] = [await register(none.url, 'no-wait'), await register(two.url, 'two-replicas')]
    topology.pauseReplica()
    expect((await logout(none, a.accessToken)).status).to.equal(200)
    topology.resumeReplica()
    // One replica cannot make two acknowledgements.
    expect((await logout(two, b.accessToken)).status).to.equal(503)
  })
})

describe("Revocations on a Redis Cluster whose keys' primary has a replica (WAIT)", function () {
  this.timeout(60_000)
  const prefix = 'wait-cluster:'
  let topology: ReplicatedRedis
  let app: TestServer | undefined

  before(async function () {
    requireOrSkip(
      this,
      'redis-server',
      redisServerOnPath(),
      'the Cluster replication suite needs redis-server on PATH (apt-get install redis-server)',
    )
    // Only the primary of the slot hexauth's keys hash to gets a replica.
    topology = await startRedisClusterWithReplica(`{${prefix}}revoked:seq`)
  })

  after(async () => {
    topology?.resumeReplica()
    await app?.close()
    await topology?.stop()
  })

  it('waits on the primary that holds the keys: every logout answers 200, and 503 once its replica hangs', async () => {
    app = await startTestServer({ REDIS_URL: topology.url, REDIS_KEY_PREFIX: prefix })
    const server = await app.container.getAsync(RedisServer)
    // Read on that primary every time (the other two have no replica).
    for (let i = 0; i < 6; i++) {
      await server.refresh()
      expect(server.replicas, `read ${i}`).to.equal(1)
    }
    await register(app.url, 'cluster-wait')
    // A WAIT sent to any other node would find no replica there: two logouts in three a 503.
    for (let i = 0; i < 6; i++) {
      const { accessToken } = await login(app.url, 'cluster-wait')
      const answer = await call(app.url, '/logout/access', { method: 'POST', token: accessToken })
      expect(answer.status, `logout ${i}: ${JSON.stringify(answer.body)}`).to.equal(200)
    }
    const { accessToken } = await login(app.url, 'cluster-wait')
    topology.pauseReplica()
    expect((await call(app.url, '/logout/access', { method: 'POST', token: accessToken })).status).to.equal(503)
  })
})
