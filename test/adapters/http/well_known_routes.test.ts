import { afterEach, describe, it } from 'mocha'
import { expect } from 'chai'
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose'
import { JoseKeyMaker } from '../../../src/adapters/crypto/jose_key_maker.ts'
import { MemoryKeyStore } from '../../../src/adapters/memory/key_store.ts'
import { KeyRing } from '../../../src/application/key_ring.ts'
import {
  call,
  type CallResult,
  register,
  startTestServer,
  TEST_KEY_ENCRYPTION_SECRET,
  TEST_SECRET,
  type TestServer,
} from '../../support/http_harness.ts'
import { FakeClock } from '../../support/fake_clock.ts'

const PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']
const H = 3_600_000

describe('GET /.well-known/jwks.json', () => {
  const servers: TestServer[] = []
  const start = async (env: Record<string, string> = {}, clock?: FakeClock) => {
    const server = await startTestServer(env, {
      keyStore: new MemoryKeyStore(),
      ...clock === undefined ? {} : { clock },
    })
    servers.push(server)
    return server
  }
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close()
  })
  const jwks = async (server: TestServer) => (await call(server.url, '/.well-known/jwks.json')).body as JSONWebKeySet
  const expectPublicOnly = (set: JSONWebKeySet) => {
    for (const key of set.keys) for (const name of PRIVATE) expect(key, `${key.kid}.${name}`).to.not.have.property(name)
  }

  it('issues ES256 tokens with a kid on a configuration that says nothing of keys, verifiable with the JWKS alone', async () => {
    const server = await start()
    const { accessToken } = await register(server.url, 'fresh_clone')
    const header = decodeProtectedHeader(accessToken)
    expect(header).to.deep.equal({ alg: 'ES256', typ: 'at+jwt', kid: header.kid })
    const set = await jwks(server)
    expect(set.keys.map((key) => key.kid)).to.deep.equal([header.kid])
    const { payload } = await jwtVerify(accessToken, createLocalJWKSet(set), {
      issuer: 'hexauth',
      audience: 'hexauth',
      typ: 'at+jwt',
    })
    expect(payload).to.include({ preferred_username: 'fresh_clone', type: 'access' })
  })

  const shapes = { ES256: ['crv', 'kty', 'x', 'y'], EdDSA: ['crv', 'kty', 'x'], RS256: ['e', 'kty', 'n'] } as const
  for (const [alg, parameters] of Object.entries(shapes)) {
    it(`publishes an ${alg} key with kid, alg, use "sig" and its public parameters only`, async () => {
      const server = await start({ JWT_ALGORITHM: alg })
      const [key] = (await jwks(server)).keys
      expect(Object.keys(key!).sort()).to.deep.equal([...parameters, 'alg', 'kid', 'use'].sort())
      expect(key).to.include({ alg, use: 'sig' })
      const { accessToken } = await register(server.url, `user_${alg}`)
      expect(decodeProtectedHeader(accessToken)).to.include({ alg, kid: key!.kid })
    })
  }

  it('never shows a private parameter, for any algorithm, with keys pre-published, signing and retired', async () => {
    for (const alg of Object.keys(shapes)) {
      const clock = new FakeClock()
      const server = await start({ JWT_ALGORITHM: alg, JWT_KEY_PREPUBLISH: '2h' }, clock)
      const ring = await server.container.getAsync(KeyRing)
      await ring.rotate()
      expect(ring.describe().map((key) => key.state), alg).to.deep.equal(['signing', 'published'])
      expectPublicOnly(await jwks(server))
      clock.advance(2 * H)
      await ring.rotate()
      expect(ring.describe().map((key) => key.state), alg).to.deep.equal(['retired', 'signing', 'published'])
      const set = await jwks(server)
      expect(set.keys, alg).to.have.length(3)
      expectPublicOnly(set)
    }
  })

  it('writes public parameters only, even of a stored key record that carries a private one (a store written by a bug)', async () => {
    const store = new MemoryKeyStore()
    const made = await new JoseKeyMaker({ secret: new TextEncoder().encode(TEST_KEY_ENCRYPTION_SECRET) }).generate(
      'ES256',
    )
    const at = Date.now() - 1000
    await store.add({
      ...made,
      publicJwk: { ...made.publicJwk, d: 'leaked-private-part' } as never,
      generation: 1,
      publishedAt: at,
      signsFrom: at,
    })
    const server = await startTestServer({}, { keyStore: store })
    servers.push(server)
    const set = await jwks(server)
    expect(set.keys.map((key) => key.kid)).to.deep.equal([made.kid])
    expectPublicOnly(set)
    expect(JSON.stringify(set)).to.not.include('leaked-private-part')
  })

  it('drops a retired key once every token it signed has expired', async () => {
    const clock = new FakeClock()
    const server = await start({ JWT_KEY_PREPUBLISH: '2h', REFRESH_TOKEN_TTL: '1d', ACCESS_TOKEN_TTL: '15m' }, clock)
    const ring = await server.container.getAsync(KeyRing)
    const first = ring.current().kid
    await ring.rotate()
    clock.advance(2 * H) // the next key signs: the first one is retired
    clock.advance(24 * H + 15 * 60_000 + 5000 - 1) // refresh + access lifetimes + leeway, less 1 ms
    expect((await jwks(server)).keys.map((key) => key.kid)).to.include(first)
    clock.advance(1)
    expect((await jwks(server)).keys.map((key) => key.kid)).to.not.include(first)
  })

  it('is cacheable on purpose: public, max-age=300 by default, never no-store, with an ETag', async () => {
    const result = await call((await start()).url, '/.well-known/jwks.json')
    expect(result.status).to.equal(200)
    expect(result.headers.get('cache-control')).to.equal('public, max-age=300')
    expect(result.headers.get('etag')).to.match(/^"[\w+/]{22}"$/)
    expect(result.headers.get('content-type')).to.match(/^application\/json/)
    expect(result.headers.get('x-content-type-options')).to.equal('nosniff')
  })

  it('takes its max-age from JWKS_MAX_AGE', async () => {
    const result = await call((await start({ JWKS_MAX_AGE: '60s' })).url, '/.well-known/jwks.json')
    expect(result.headers.get('cache-control')).to.equal('public, max-age=60')
  })

  it('answers 304 with no body to the ETag it gave, and a new ETag once the key set changes', async () => {
    const server = await start()
    const first = await call(server.url, '/.well-known/jwks.json')
    const etag = first.headers.get('etag')!
    const again: CallResult = await call(server.url, '/.well-known/jwks.json', { headers: { 'if-none-match': etag } })
    expect(again.status).to.equal(304)
    expect(again.body).to.equal(undefined)
    expect((await call(server.url, '/.well-known/jwks.json', { headers: { 'if-none-match': '"stale"' } })).status).to
      .equal(200)
    await (await server.container.getAsync(KeyRing)).rotate()
    const changed = await call(server.url, '/.well-known/jwks.json', { headers: { 'if-none-match': etag } })
    expect(changed.status).to.equal(200)
    expect(changed.headers.get('etag')).to.not.equal(etag)
    expect(changed.body.keys).to.have.length(2)
  })

  it('is an empty key set for HS256: verifiers of a shared secret need the secret', async () => {
    const server = await start({ JWT_SECRET: TEST_SECRET })
    expect(await jwks(server)).to.deep.equal({ keys: [] })
    expect(decodeProtectedHeader((await register(server.url, 'hs_user')).accessToken)).to.include({ alg: 'HS256' })
  })
})

describe('GET /.well-known/oauth-authorization-server', () => {
  const servers: TestServer[] = []
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close()
  })
  const start = async (env: Record<string, string> = {}) => {
    const server = await startTestServer(env)
    servers.push(server)
    return server
  }
  const metadata = (server: TestServer, headers: Record<string, string> = {}) =>
    call(server.url, '/.well-known/oauth-authorization-server', { headers })

  it("names PUBLIC_URL as the issuer, the tokens' iss, and the JWKS under it as an absolute URL", async () => {
    const server = await start({ PUBLIC_URL: 'https://auth.example.com/' })
    const result = await metadata(server)
    expect(result.status).to.equal(200)
    expect(result.body).to.deep.equal({
      issuer: 'https://auth.example.com',
      jwks_uri: 'https://auth.example.com/.well-known/jwks.json',
      response_types_supported: [],
      grant_types_supported: [],
      introspection_endpoint: 'https://auth.example.com/introspect',
      introspection_endpoint_auth_methods_supported: ['client_secret_basic'],
      revocation_endpoint: 'https://auth.example.com/revoke',
      revocation_endpoint_auth_methods_supported: ['client_secret_basic'],
    })
    expect(decodeJwt((await register(server.url, 'iss_user')).accessToken).iss).to.equal(result.body.issuer)
    expect(result.headers.get('cache-control')).to.equal('public, max-age=300')
  })

  it('keeps a path of PUBLIC_URL in the JWKS URL, and JWT_ISSUER over PUBLIC_URL as the issuer', async () => {
    const result = await metadata(
      await start({ PUBLIC_URL: 'https://example.com/auth', JWT_ISSUER: 'urn:example:hexauth' }),
    )
    expect(result.body).to.include({
      issuer: 'urn:example:hexauth',
      jwks_uri: 'https://example.com/auth/.well-known/jwks.json',
    })
  })

  it('without PUBLIC_URL, takes the URLs from the request and keeps the answer out of shared caches', async () => {
    const server = await start()
    const result = await metadata(server)
    expect(result.body).to.include({ issuer: 'hexauth', jwks_uri: `${server.url}/.well-known/jwks.json` })
    expect(result.headers.get('cache-control')).to.equal('no-store')
  })

  it('never takes a forwarded host from an untrusted client', async () => {
    const server = await start()
    const result = await metadata(server, { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' })
    expect(result.body.jwks_uri).to.equal(`${server.url}/.well-known/jwks.json`)
  })
})
