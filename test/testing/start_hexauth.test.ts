import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, afterEach, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose'
import { type StartedHexauth, startHexauth, TEST_ONLY_ARGON2_ENV } from '../../src/testing.ts'
import { isAuthError } from '../../src/domain/auth_error.ts'
import { type FakeMongo, startFakeMongo } from '../support/fake_mongo.ts'
import { call, isolatedMongoUrl } from '../support/http_harness.ts'
import { acquireRedisOrSkip, type RedisHandle } from '../support/redis_server.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** Runs `source` (an ES module) with Node and tsx; resolves with its exit code and output. */
async function runNode(
  source: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const [code] = await once(child, 'exit') as [number | null]
  return { code, output }
}

describe('hexauth/testing: startHexauth', function () {
  this.timeout(30_000)
  let hexauth: StartedHexauth

  before(async () => {
    hexauth = await startHexauth()
  })
  after(() => hexauth.stop())

  it('listens on a free loopback port and names its issuer, audience and JWK Set', async () => {
    expect(hexauth.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(hexauth.url).not.to.match(/:3000$/)
    expect(hexauth.jwksUrl).to.equal(`${hexauth.url}/.well-known/jwks.json`)
    expect([hexauth.issuer, hexauth.audience]).to.deep.equal(['hexauth', 'hexauth'])
    expect((await call(hexauth.url, '/healthz')).status).to.equal(200)
  })

  it('registers and logs in as the API does: the tokens reach /secret, a wrong password is invalid_credentials', async () => {
    const registered = await hexauth.register('kit-user', 'correct horse battery')
    expect((await call(hexauth.url, '/secret', { token: registered.accessToken })).body).to.deep.equal({ answer: 42 })
    const login = await hexauth.login('kit-user', 'correct horse battery')
    expect(decodeJwt(login.accessToken)).to.include({ preferred_username: 'kit-user', fresh: true, type: 'access' })
    expect(decodeJwt(login.refreshToken)).to.include({ type: 'refresh' })
    const wrong = await hexauth.login('kit-user', 'not the password').catch((error: unknown) => error)
    expect(isAuthError(wrong, 'invalid_credentials')).to.equal(true)
    const taken = await hexauth.register('KIT-USER', 'another password').catch((error: unknown) => error)
    expect(isAuthError(taken, 'username_taken')).to.equal(true)
  })

  it('hashes with the test-only argon2 parameters (1 MiB, one pass)', () => {
    expect(TEST_ONLY_ARGON2_ENV).to.deep.equal({
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      ARGON2_PARALLELISM: '1',
    })
    expect(Object.isFrozen(TEST_ONLY_ARGON2_ENV)).to.equal(true)
  })

  it('makes tokens for an admin that GET /users accepts, and for a user it refuses with 403', async () => {
    const admin = await hexauth.tokensFor('kit-admin', { admin: true })
    const users = await call(hexauth.url, '/users', { token: admin.accessToken })
    expect(users.status).to.equal(200)
    expect(users.body.users.map((u: { username: string }) => u.username)).to.include('kit-admin')
    expect(decodeJwt(admin.accessToken)).to.include({ is_admin: true, fresh: true })
    const plain = await hexauth.tokensFor('kit-plain')
    expect((await call(hexauth.url, '/users', { token: plain.accessToken })).status).to.equal(403)
    expect(decodeJwt(plain.accessToken).is_admin).to.equal(false)
  })

  it('makes a non-fresh access token on request: POST /item/:name answers fresh_token_required', async () => {
    const stale = await hexauth.tokensFor('kit-stale', { fresh: false })
    const refused = await call(hexauth.url, '/item/kit-chair', { json: { price: 1 }, token: stale.accessToken })
    expect([refused.status, refused.body.error]).to.deep.equal([401, 'fresh_token_required'])
    const fresh = await hexauth.tokensFor('kit-stale')
    expect((await call(hexauth.url, '/item/kit-chair', { json: { price: 1 }, token: fresh.accessToken })).status).to
      .equal(201)
  })

  it('makes tokens for an existing account, keeping its password and identity', async () => {
    await hexauth.register('kit-known', 'correct horse battery')
    const before = decodeJwt((await hexauth.login('kit-known', 'correct horse battery')).accessToken)
    const made = decodeJwt((await hexauth.tokensFor('kit-known')).accessToken)
    expect(made.sub).to.equal(before.sub)
    await hexauth.login('kit-known', 'correct horse battery')
  })

  it('demotes an admin: its earlier tokens are refused, the new ones work and say is_admin false', async () => {
    const earlier = await hexauth.tokensFor('kit-demoted', { admin: true })
    const later = await hexauth.tokensFor('kit-demoted', { admin: false })
    expect((await call(hexauth.url, '/secret', { token: earlier.accessToken })).body.error).to.equal('token_revoked')
    expect((await call(hexauth.url, '/secret', { token: later.accessToken })).status).to.equal(200)
    expect(decodeJwt(later.accessToken).is_admin).to.equal(false)
  })

  it('signs ES256 tokens with a kid that jose verifies against jwksUrl with its issuer and audience', async () => {
    const { accessToken } = await hexauth.tokensFor('kit-verified')
    const jwks = createRemoteJWKSet(new URL(hexauth.jwksUrl))
    const { payload, protectedHeader } = await jwtVerify(accessToken, jwks, {
      issuer: hexauth.issuer,
      audience: hexauth.audience,
      algorithms: ['ES256'],
    })
    expect(payload.preferred_username).to.equal('kit-verified')
    expect(protectedHeader.kid).to.be.a('string').and.have.length.above(0)
  })

  it('revokes an access token alone, and a refresh token with the access tokens of its session', async () => {
    const one = await hexauth.login('kit-user', 'correct horse battery')
    const two = await hexauth.login('kit-user', 'correct horse battery')
    await hexauth.revoke(one.accessToken)
    expect((await call(hexauth.url, '/secret', { token: one.accessToken })).body.error).to.equal('token_revoked')
    expect((await call(hexauth.url, '/token/refresh', { method: 'POST', token: one.refreshToken })).status).to.equal(
      200,
    )
    await hexauth.revoke(two.refreshToken)
    expect((await call(hexauth.url, '/secret', { token: two.accessToken })).body.error).to.equal('token_revoked')
    expect((await call(hexauth.url, '/token/refresh', { method: 'POST', token: two.refreshToken })).status).to.equal(
      401,
    )
  })

  it('refuses to revoke what is not one of its tokens', async () => {
    const error = await hexauth.revoke('not-a-token').catch((e: unknown) => e)
    expect(isAuthError(error, 'invalid_token')).to.equal(true)
  })

  it('takes any hexauth variable through env: JWT_ISSUER and JWT_AUDIENCE show in the tokens', async () => {
    const other = await startHexauth({ env: { JWT_ISSUER: 'https://auth.test', JWT_AUDIENCE: 'orders' } })
    try {
      expect([other.issuer, other.audience]).to.deep.equal(['https://auth.test', 'orders'])
      expect(decodeJwt((await other.tokensFor('someone')).accessToken)).to.include({
        iss: 'https://auth.test',
        aud: 'orders',
      })
    } finally {
      await other.stop()
    }
  })

  it('refuses a bad configuration as the service does, naming the variable', async () => {
    const error = await startHexauth({ env: { ACCESS_TOKEN_TTL: 'forever' } }).catch((e: unknown) => e)
    expect(error).to.be.instanceOf(Error)
    expect((error as Error).message).to.contain('ACCESS_TOKEN_TTL')
  })
})

describe('hexauth/testing: several instances in one process', function () {
  this.timeout(30_000)

  it('keeps each its own accounts and keys: a token of one is refused by the other', async () => {
    const [a, b] = await Promise.all([startHexauth(), startHexauth()])
    try {
      expect(a.url).not.to.equal(b.url)
      const { accessToken } = await a.tokensFor('only-in-a')
      expect((await call(b.url, '/secret', { token: accessToken })).status).to.equal(401)
      expect((await call(a.url, '/secret', { token: accessToken })).status).to.equal(200)
      const keysOfA = (await call(a.url, '/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid)
      expect(keysOfA).not.to.include(decodeProtectedHeader((await b.tokensFor('only-in-b')).accessToken).kid)
      await b.register('only-in-a', 'correct horse battery')
    } finally {
      await Promise.all([a.stop(), b.stop()])
    }
  })

  it('stops listening on stop(), and a second stop() is harmless', async () => {
    const kit = await startHexauth()
    await kit.stop()
    await kit.stop()
    const error = await fetch(`${kit.url}/healthz`).catch((e: unknown) => e)
    expect(error).to.be.instanceOf(TypeError) // fetch failed: connection refused
  })
})

describe('hexauth/testing: nothing left running after stop()', function () {
  this.timeout(60_000)
  let redis: RedisHandle | undefined

  before(async function () {
    redis = await acquireRedisOrSkip(this, 'testing kit on Redis')
  })
  after(() => redis?.stop())

  // The process exits by itself only if no socket, timer or client is left: what a test
  // runner without --exit needs.
  for (const store of ['memory stores', 'Redis'] as const) {
    it(`lets a process on ${store} exit by itself once every instance is stopped`, async () => {
      const options = store === 'Redis' ? `{ redisUrl: ${JSON.stringify(redis!.url)} }` : '{}'
      const { code, output } = await runNode(`
        import { startHexauth } from './src/testing.ts'
        const kits = await Promise.all([startHexauth(${options}), startHexauth(${options})])
        const { accessToken } = await kits[0].tokensFor('exits', { admin: true })
        const users = await fetch(kits[0].url + '/users', { headers: { authorization: 'Bearer ' + accessToken } })
        await kits[0].revoke(accessToken)
        await Promise.all(kits.map((kit) => kit.stop()))
        console.log('stopped', users.status)
        setTimeout(() => { console.log('still running 10 s after stop()'); process.exit(3) }, 10_000).unref()
      `)
      expect(output.trim()).to.equal('stopped 200')
      expect(code).to.equal(0)
    })
  }
})

// On the fake MongoDB wire server here; a real one with MONGO_URL runs the same code.
describe('hexauth/testing on MongoDB', function () {
  this.timeout(30_000)
  let fake: FakeMongo
  const kits: StartedHexauth[] = []
  const start = async (options: Parameters<typeof startHexauth>[0]) => {
    const kit = await startHexauth(options)
    kits.push(kit)
    return kit
  }
  const signingKeys = (db: string) => fake.commands.filter((c) => c.db === db && c.body.insert === 'signing_keys')

  before(async () => {
    fake = await startFakeMongo()
  })
  afterEach(async () => {
    for (const kit of kits.splice(0)) await kit.stop()
  })
  after(() => fake.stop())

  it('keeps accounts in MongoDB: a second instance on the database logs the user in', async () => {
    const mongoUrl = isolatedMongoUrl(process.env.MONGO_URL ?? fake.url)
    const a = await start({ mongoUrl })
    await a.register('in-mongo', 'correct horse battery')
    const b = await start({ mongoUrl })
    expect(decodeJwt((await b.login('in-mongo', 'correct horse battery')).accessToken).preferred_username).to.equal(
      'in-mongo',
    )
  })

  it("keeps signing keys in memory unless told: nothing is sealed in MongoDB, and the instances refuse each other's tokens", async () => {
    const mongoUrl = isolatedMongoUrl(fake.url)
    const [a, b] = [await start({ mongoUrl }), await start({ mongoUrl })]
    const { accessToken } = await a.tokensFor('own-keys')
    expect((await call(b.url, '/secret', { token: accessToken })).status).to.equal(401)
    expect(signingKeys(new URL(mongoUrl).pathname.slice(1))).to.have.length(0)
  })

  it('with storedKeys and one KEY_ENCRYPTION_SECRET, shares the keys in MongoDB: a token of one verifies on the other', async () => {
    const mongoUrl = isolatedMongoUrl(fake.url)
    const env = { KEY_ENCRYPTION_SECRET: 'kit-test-only-sealing-Zr8xW3nQ6tB1vM4kH7pL2cY9' }
    const a = await start({ mongoUrl, env, storedKeys: true })
    const b = await start({ mongoUrl, env, storedKeys: true })
    const { accessToken } = await a.tokensFor('stored-keys')
    expect((await call(b.url, '/secret', { token: accessToken })).status).to.equal(200)
    expect(signingKeys(new URL(mongoUrl).pathname.slice(1))).to.have.length(1)
  })
})
