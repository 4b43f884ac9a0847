import { after, afterEach, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { decodeProtectedHeader } from 'jose'
import { KeyRefresh } from '../../../src/adapters/container.ts'
import { MongoConnection } from '../../../src/adapters/mongo/mongo_connection.ts'
import { MongoKeyStore } from '../../../src/adapters/mongo/key_store.ts'
import { KeyRing } from '../../../src/application/key_ring.ts'
import {
  call,
  isolatedMongoUrl,
  login,
  register,
  startTestServer,
  TEST_KEY_ENCRYPTION_SECRET,
  type TestServer,
} from '../../support/http_harness.ts'
import { FakeClock } from '../../support/fake_clock.ts'
import { type FakeMongo, startFakeMongo } from '../../support/fake_mongo.ts'
import { Gates } from '../../support/gates.ts'
import { GatedKeyStore, SwitchableKeyStore } from '../../support/key_stores.ts'

const MINUTE = 60_000
const ENV = { JWT_KEY_PREPUBLISH: '2m', JWT_KEY_ROTATION: '1h', JWT_KEY_REFRESH: '1s', JWKS_MAX_AGE: '30s' }

/** Polls `condition` every 50 ms until it holds; fails after a generous `boundMs`. */
async function eventually(condition: () => Promise<boolean>, boundMs = 10_000): Promise<void> {
  for (const started = Date.now(); Date.now() - started < boundMs;) {
    if (await condition()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`not true within ${boundMs} ms`)
}

// Instances of one deployment on one MongoDB (the fake wire-protocol server here; the same
// code runs on a real one with MONGO_URL: stores.test.ts runs the store's contract there).
describe('Signing keys shared by instances on one MongoDB', () => {
  let fake: FakeMongo
  const servers: TestServer[] = []
  const connections: MongoConnection[] = []
  const start = async (mongoUrl: string, clock: FakeClock, env: Record<string, string> = {}, overrides = {}) => {
    const server = await startTestServer({ ...ENV, MONGO_URL: mongoUrl, ...env }, {
      keyStore: undefined,
      clock,
      ...overrides,
    })
    servers.push(server)
    return server
  }
  const documents = async (mongoUrl: string) => {
    const connection = new MongoConnection({ url: mongoUrl, timeoutMs: 2000 })
    connections.push(connection)
    return (await connection.connection()).collection('signing_keys').find().sort({ generation: 1 }).toArray()
  }

  before(async () => {
    fake = await startFakeMongo()
  })
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close()
  })
  after(async () => {
    for (const connection of connections) await connection.close()
    await fake.stop()
  })

  it('creates one key for the first instances to start, and a token signed by either verifies on the other', async () => {
    const url = isolatedMongoUrl(fake.url)
    const clock = new FakeClock()
    const [a, b] = await Promise.all([start(url, clock), start(url, clock)])
    clock.advance(1000)
    expect(await documents(url)).to.have.length(1)
    const fromA = await register(a.url, 'alice_shared')
    const fromB = await login(b.url, 'alice_shared') // the user is in MongoDB too
    expect((await call(b.url, '/secret', { token: fromA.accessToken })).status).to.equal(200)
    expect((await call(a.url, '/secret', { token: fromB.accessToken })).status).to.equal(200)
  })

  it('adds at most one next key when instances race for it (the unique index on generation), and both hold it', async () => {
    const url = isolatedMongoUrl(fake.url)
    const clock = new FakeClock()
    const stores = [0, 1].map(() => {
      const connection = new MongoConnection({ url, timeoutMs: 2000 })
      connections.push(connection)
      return new GatedKeyStore(new MongoKeyStore(connection))
    })
    const [a, b] = [
      await start(url, clock, {}, { keyStore: stores[0] }),
      await start(url, clock, {}, { keyStore: stores[1] }),
    ]
    const rings = [await a.container.getAsync(KeyRing), await b.container.getAsync(KeyRing)]
    clock.advance(60 * MINUTE - 2 * MINUTE) // the next key is due
    const gates = new Gates()
    for (const store of stores) store.gates = gates
    const refreshes = rings.map((ring) => ring.refresh())
    await gates.at(0).reached
    await gates.at(1).reached // both generated a key and are about to insert it
    gates.openAll()
    await Promise.all(refreshes)
    const stored = await documents(url)
    expect(stored.map((doc) => doc.generation)).to.deep.equal([1, 2])
    for (const ring of rings) expect(ring.published().map((key) => key.kid)).to.deep.equal(stored.map((doc) => doc._id))
  })

  it("moves every instance to a key rotated on one of them within JWT_KEY_REFRESH, each verifying the other's tokens", async () => {
    const url = isolatedMongoUrl(fake.url)
    const clock = new FakeClock()
    const [a, b] = [await start(url, clock), await start(url, clock)]
    ;(await b.container.getAsync(KeyRefresh)).start() // b learns of keys as main.ts runs it: every JWT_KEY_REFRESH (1 s)
    clock.advance(1000)
    const { key: next } = await (await a.container.getAsync(KeyRing)).rotate()
    await eventually(async () =>
      (await call(b.url, '/.well-known/jwks.json')).body.keys.some((key: { kid: string }) => key.kid === next.kid)
    )
    clock.advance(2 * MINUTE)
    const [fromA, fromB] = [await register(a.url, 'carol_rotated'), await register(b.url, 'dave_rotated')]
    expect(decodeProtectedHeader(fromA.accessToken).kid).to.equal(next.kid)
    expect(decodeProtectedHeader(fromB.accessToken).kid).to.equal(next.kid)
    expect((await call(b.url, '/secret', { token: fromA.accessToken })).status).to.equal(200)
    expect((await call(a.url, '/secret', { token: fromB.accessToken })).status).to.equal(200)
  })

  it('stores each key with its public JWK and its private key sealed: no private parameter in clear, read from MongoDB itself', async () => {
    const url = isolatedMongoUrl(fake.url)
    const server = await start(url, new FakeClock(), { JWT_ALGORITHM: 'RS256' })
    await (await server.container.getAsync(KeyRing)).rotate()
    const stored = await documents(url)
    expect(stored).to.have.length(2)
    for (const doc of stored) {
      expect(Object.keys(doc.public_jwk).sort()).to.deep.equal(['e', 'kty', 'n'])
      expect(doc.sealed_private_key).to.match(/^A256GCM\.[\w-]+\.[\w-]+$/)
      expect(JSON.stringify(doc)).to.not.match(/"(d|p|q|dp|dq|qi)":/)
    }
  })

  it('refuses to start with another KEY_ENCRYPTION_SECRET than the one that sealed the keys, and mints no key in their place', async () => {
    const url = isolatedMongoUrl(fake.url)
    await (await start(url, new FakeClock())).close()
    servers.splice(0)
    const error = await start(url, new FakeClock(), {
      KEY_ENCRYPTION_SECRET: 'a-different-secret-Hq3wZ8rV1tN6yB4mK7pL2xC9',
    })
      .then(() => undefined, (e: unknown) => e)
    expect(error).to.be.instanceOf(RangeError)
    expect((error as Error).message).to.match(/KEY_ENCRYPTION_SECRET/)
    expect(await documents(url)).to.have.length(1)
    // The right secret still opens them.
    await start(url, new FakeClock(), { KEY_ENCRYPTION_SECRET: TEST_KEY_ENCRYPTION_SECRET })
  })
})

describe('Signing keys when the key store cannot answer', () => {
  const servers: TestServer[] = []
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close()
  })

  it('starts, answers 503 (never 401) on token routes while it holds no key, and serves once the store answers', async () => {
    const store = new SwitchableKeyStore()
    store.down = true
    const server = await startTestServer({}, { keyStore: store })
    servers.push(server)
    const signup = await call(server.url, '/registration', {
      json: { username: 'early_bird', password: 'correct horse battery' },
    })
    expect([signup.status, signup.body.error]).to.deep.equal([503, 'service_unavailable'])
    const probe = await call(server.url, '/secret', {
      token: 'eyJhbGciOiJFUzI1NiIsImtpZCI6IngifQ.eyJzdWIiOiJ4In0.c2ln',
    })
    expect([probe.status, probe.body.error]).to.deep.equal([503, 'service_unavailable'])
    expect((await call(server.url, '/.well-known/jwks.json')).body).to.deep.equal({ keys: [] })
    store.down = false
    await (await server.container.getAsync(KeyRefresh)).reload()
    // The account was stored by the refused registration, as when the blocklist cannot answer.
    const { accessToken } = await login(server.url, 'early_bird')
    expect((await call(server.url, '/secret', { token: accessToken })).status).to.equal(200)
  })

  it('keeps signing and verifying with the keys it holds while the store is down', async () => {
    const store = new SwitchableKeyStore()
    const server = await startTestServer({}, { keyStore: store })
    servers.push(server)
    const before = await register(server.url, 'steady')
    store.down = true
    expect(await (await server.container.getAsync(KeyRefresh)).reload()).to.equal(false)
    expect((await call(server.url, '/secret', { token: before.accessToken })).status).to.equal(200)
    const after = await login(server.url, 'steady')
    expect((await call(server.url, '/secret', { token: after.accessToken })).status).to.equal(200)
  })
})
