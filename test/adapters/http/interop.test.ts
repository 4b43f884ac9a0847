import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, afterEach, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose'
import { MemoryKeyStore } from '../../../src/adapters/memory/key_store.ts'
import { KeyRing } from '../../../src/application/key_ring.ts'
import { call, login, postWithToken, register, startTestServer, type TestServer } from '../../support/http_harness.ts'
import { FakeClock } from '../../support/fake_clock.ts'
import { pyjwtMissing, PythonResourceServer } from '../../support/python_resource_server.ts'

const ALGS = ['ES256', 'EdDSA', 'RS256'] as const
const METADATA = '/.well-known/oauth-authorization-server'
const MINUTE = 60_000

// Short durations for the rotation tests: a key is pre-published 2 minutes before it signs.
// hexauth's clock starts 10 minutes behind the wall clock and is moved by the tests, so the
// verifiers (which read the wall clock) always see tokens issued in the past and not expired.
const ROTATION_ENV = { JWT_KEY_PREPUBLISH: '2m', JWT_KEY_ROTATION: '1h', JWT_KEY_REFRESH: '10s', JWKS_MAX_AGE: '30s' }

/** How many times the JWKS was fetched from `server`, by its own metrics. */
async function jwksFetches(server: TestServer): Promise<number> {
  const text = (await call(server.url, '/metrics')).body as string
  const lines = text.split('\n').filter((line) =>
    line.startsWith('hexauth_http_request_duration_seconds_count{') && line.includes('route="/.well-known/jwks.json"')
  )
  return lines.reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0)
}

interface Rotating {
  readonly server: TestServer
  readonly clock: FakeClock
  readonly ring: KeyRing
}

async function startRotating(alg: string): Promise<Rotating> {
  const clock = new FakeClock(Date.now() - 10 * MINUTE)
  const server = await startTestServer({ ...ROTATION_ENV, JWT_ALGORITHM: alg }, {
    keyStore: new MemoryKeyStore(),
    clock,
  })
  return { server, clock, ring: await server.container.getAsync(KeyRing) }
}

describe('jose createRemoteJWKSet pointed at a running hexauth', () => {
  const servers: TestServer[] = []
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close()
  })

  for (const alg of ALGS) {
    it(`verifies ${alg} access tokens through the metadata's jwks_uri, with exactly that algorithm`, async () => {
      const server = await startTestServer({ JWT_ALGORITHM: alg }, { keyStore: new MemoryKeyStore() })
      servers.push(server)
      const { issuer, jwks_uri: jwksUri } = (await call(server.url, METADATA)).body
      const { accessToken } = await register(server.url, `jose_${alg}`)
      const { payload, protectedHeader } = await jwtVerify(accessToken, createRemoteJWKSet(new URL(jwksUri)), {
        issuer,
        audience: 'hexauth',
        typ: 'at+jwt',
        algorithms: [alg],
      })
      expect(protectedHeader.alg).to.equal(alg)
      expect(payload).to.include({ preferred_username: `jose_${alg}`, type: 'access', iss: issuer })
    })
  }

  it("across a rotation: a verifier that cached the JWKS before the new key signed verifies its tokens without a fetch, and the previous key's tokens for their whole life", async () => {
    const { server, clock, ring } = await startRotating('ES256')
    servers.push(server)
    const { issuer, jwks_uri: jwksUri } = (await call(server.url, METADATA)).body
    const before = await register(server.url, 'jose_rotation')
    const options = { issuer, audience: 'hexauth', typ: 'at+jwt', algorithms: ['ES256'] }
    // A verifier that has just refreshed its cache without the next key, for the control below.
    const unprepared = createRemoteJWKSet(new URL(jwksUri))
    await jwtVerify(before.accessToken, unprepared, options)

    const { key: next } = await ring.rotate()
    const cached = createRemoteJWKSet(new URL(jwksUri))
    await jwtVerify(before.accessToken, cached, options)
    expect(ring.current().kid, 'the verifier cached the JWKS while the next key was only published').to.not.equal(
      next.kid,
    )
    const fetches = await jwksFetches(server)

    clock.advance(2 * MINUTE) // the next key signs
    const after = await login(server.url, 'jose_rotation')
    expect(decodeProtectedHeader(after.accessToken).kid).to.equal(next.kid)
    expect((await jwtVerify(after.accessToken, cached, options)).payload.sub).to.equal(
      decodeJwt(before.accessToken).sub,
    )
    expect(await jwksFetches(server), 'no JWKS fetch for the new key').to.equal(fetches)
    await jwtVerify(before.accessToken, cached, options)

    // The control: a verifier that refreshed before the key was published refuses it for now
    // (jose re-fetches an unknown kid at most every 30 s): what pre-publication spares.
    const refused = await jwtVerify(after.accessToken, unprepared, options).then(() => undefined, (e: unknown) => e)
    expect(refused).to.be.instanceOf(errors.JWKSNoMatchingKey)

    // The previous key's access token, at the last second of its life, against the JWKS as
    // hexauth publishes it then.
    const { exp } = decodeJwt(before.accessToken)
    clock.advance(exp! * 1000 - clock.now() - 1000)
    const late = createRemoteJWKSet(new URL(jwksUri))
    await jwtVerify(before.accessToken, late, { ...options, currentDate: new Date(exp! * 1000 - 1000) })
  })

  it("keeps /token/refresh working across a rotation: the previous key's refresh token gets tokens of the new key, until its last second", async () => {
    const { server, clock, ring } = await startRotating('EdDSA')
    servers.push(server)
    const before = await register(server.url, 'refresh_rotation')
    const { key: next } = await ring.rotate()
    clock.advance(2 * MINUTE)
    const rotated = await postWithToken(server.url, '/token/refresh', before.refreshToken)
    expect(rotated.status, JSON.stringify(rotated.body)).to.equal(200)
    expect(decodeProtectedHeader(rotated.body.access_token).kid).to.equal(next.kid)
    expect(decodeProtectedHeader(rotated.body.refresh_token).kid).to.equal(next.kid)
    // A refresh token of the previous key used at the end of its life (30 days): still valid.
    const second = await register(server.url, 'refresh_late')
    await ring.rotate()
    clock.advance(2 * MINUTE)
    clock.advance(decodeJwt(second.refreshToken).exp! * 1000 - clock.now() - 1000)
    expect((await postWithToken(server.url, '/token/refresh', second.refreshToken)).status).to.equal(200)
  })
})

describe('PyJWT PyJWKClient (Debian python3-jwt), a Python resource server', function () {
  const missing = pyjwtMissing()
  const servers: TestServer[] = []
  const pythons: PythonResourceServer[] = []
  before(function () {
    if (missing !== undefined) {
      console.log(`      skipped: PyJWT interop: ${missing}`)
      this.skip()
    }
  })
  afterEach(async () => {
    for (const python of pythons.splice(0)) python.stop()
    for (const server of servers.splice(0)) await server.close()
  })
  const resourceServer = async (server: TestServer, alg: string) => {
    const python = await PythonResourceServer.start(`${server.url}${METADATA}`, 'hexauth', [alg])
    pythons.push(python)
    return python
  }

  for (const alg of ALGS) {
    it(`verifies ${alg} tokens through the metadata's jwks_uri, and refuses them tampered with`, async () => {
      const server = await startTestServer({ JWT_ALGORITHM: alg }, { keyStore: new MemoryKeyStore() })
      servers.push(server)
      const python = await resourceServer(server, alg)
      const { accessToken } = await register(server.url, `py_${alg}`)
      const verdict = await python.verify(accessToken)
      expect(verdict.ok, verdict.error).to.equal(true)
      expect(verdict.kid).to.equal(decodeProtectedHeader(accessToken).kid)
      expect(verdict.claims).to.include({
        preferred_username: `py_${alg}`,
        iss: 'hexauth',
        aud: 'hexauth',
        type: 'access',
      })
      const [header, payload, signature] = accessToken.split('.')
      const tampered = `${header}.${payload!.slice(0, -2)}${payload!.slice(-2) === 'fQ' ? 'fR' : 'fQ'}.${signature}`
      expect((await python.verify(tampered)).ok).to.equal(false)
    })
  }

  for (const alg of ALGS) {
    it(`across an ${alg} rotation: tokens of the new key verify with the JWKS cached before it signed (no fetch), and the previous key's still do`, async () => {
      const { server, clock, ring } = await startRotating(alg)
      servers.push(server)
      const before = await register(server.url, `py_rotation_${alg}`)
      // A resource server that cached the JWKS before the next key was published: the control.
      const unprepared = await resourceServer(server, alg)
      expect((await unprepared.verify(before.accessToken)).ok).to.equal(true)

      const { key: next } = await ring.rotate()
      const cached = await resourceServer(server, alg)
      expect((await cached.verify(before.accessToken)).ok).to.equal(true)
      expect(ring.current().kid, 'the JWKS was cached while the next key was only published').to.not.equal(next.kid)
      const fetches = await jwksFetches(server)

      clock.advance(2 * MINUTE)
      const after = await login(server.url, `py_rotation_${alg}`)
      expect(decodeProtectedHeader(after.accessToken).kid).to.equal(next.kid)
      const verdict = await cached.verify(after.accessToken)
      expect(verdict.ok, verdict.error).to.equal(true)
      expect(verdict.kid).to.equal(next.kid)
      expect((await cached.verify(before.accessToken)).ok, 'the previous key still verifies').to.equal(true)
      expect(await jwksFetches(server), 'the cached verifier fetched nothing').to.equal(fetches)

      // The control: the verifier whose cache predates the key had to fetch the JWKS again.
      expect((await unprepared.verify(after.accessToken)).ok).to.equal(true)
      expect(await jwksFetches(server)).to.equal(fetches + 1)
      const refreshed = await postWithToken(server.url, '/token/refresh', before.refreshToken)
      expect((await cached.verify(refreshed.body.access_token)).ok).to.equal(true)
    })
  }
})

describe('A fresh start with no configuration, verified by PyJWT', function () {
  this.timeout(30_000)
  const missing = pyjwtMissing()
  let child: ChildProcess | undefined
  let python: PythonResourceServer | undefined

  after(async () => {
    python?.stop()
    if (child !== undefined && child.exitCode === null) {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  })

  it("issues ES256 tokens with a kid that a Python resource server verifies through the metadata's jwks_uri", async function () {
    if (missing !== undefined) {
      console.log(`      skipped: PyJWT interop: ${missing}`)
      this.skip()
    }
    const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
    // Nothing but where to listen: no JWT_SECRET, no key variable, no store.
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout!.on('data', (chunk) => {
      output += chunk
    })
    const port = await new Promise<string>((found, fail) => {
      child!.stdout!.on('data', () => {
        const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)
        if (match !== null) found(match[1]!)
      })
      child!.once('exit', () => fail(new Error(`main exited: ${output}`)))
    })
    const base = `http://127.0.0.1:${port}`
    const registered = await call(base, '/registration', {
      json: { username: 'first_user', password: 'correct horse battery' },
    })
    const token = registered.body.access_token as string
    expect(decodeProtectedHeader(token)).to.include({ alg: 'ES256', typ: 'at+jwt' }).and.have.property('kid')
    python = await PythonResourceServer.start(`${base}${METADATA}`, 'hexauth', ['ES256'])
    const verdict = await python.verify(token)
    expect(verdict.ok, verdict.error).to.equal(true)
    expect(verdict.claims).to.include({ preferred_username: 'first_user' })
  })
})
