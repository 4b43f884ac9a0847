import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { decodeJwt } from 'jose'
import { SystemClock } from '../../src/adapters/system_clock.ts'
import {
  call,
  login,
  postWithToken,
  register,
  registerAdmin,
  startTestServer,
  type TestServer,
} from '../support/http_harness.ts'
import { CLIENTS_ENV, postForm } from '../support/forward_auth.ts'
import {
  type EchoUpstream,
  type ProxyKind,
  proxyOnPath,
  type RunningProxy,
  startEchoUpstream,
  startProxy,
  upgrade,
} from '../support/proxies.ts'
import { acquireRedis, type RedisHandle } from '../support/redis_server.ts'
import { requireOrSkip } from '../support/requirements.ts'
import { PROPAGATION_BOUND_MS, until } from '../support/propagation.ts'
import { SwitchableRevocationStore } from '../support/switchable_revocations.ts'

const hostOf = (server: TestServer) => new URL(server.url).host

for (const kind of ['nginx', 'caddy'] as const satisfies readonly ProxyKind[]) {
  describe(`forward-auth behind ${kind} (deploy/forward-auth, the shipped configuration)`, function () {
    this.timeout(30_000)
    let redis: RedisHandle | undefined
    let revoker: TestServer // where users log in and log out
    let verifier: TestServer // the instance the proxy asks: another one, on the same Redis when there is one
    let upstream: EchoUpstream
    let proxy: RunningProxy
    let alice: { accessToken: string; refreshToken: string }
    let admin: { accessToken: string; refreshToken: string }

    before(async function () {
      requireOrSkip(this, kind, proxyOnPath(kind), `the ${kind} suite needs ${kind} on PATH (apt-get install ${kind})`)
      const found = await acquireRedis()
      redis = typeof found === 'string' ? undefined : found
      const shared: Record<string, string> = redis === undefined
        ? {}
        : { REDIS_URL: redis.url, REDIS_KEY_PREFIX: `proxy:${crypto.randomUUID()}:` }
      revoker = await startTestServer({ ...CLIENTS_ENV, ...shared })
      verifier = redis === undefined ? revoker : await startTestServer({ ...CLIENTS_ENV, ...shared })
      upstream = await startEchoUpstream()
      proxy = await startProxy(kind, hostOf(verifier), upstream.address)
      alice = await register(revoker.url, 'proxy_alice')
      admin = await registerAdmin(revoker)
    })

    after(async () => {
      await proxy?.stop()
      await upstream?.close()
      if (verifier !== revoker) await verifier?.close()
      await revoker?.close()
      await redis?.stop()
    })

    /** A request through the proxy, and what the upstream received for it (undefined: not reached). */
    async function through(path: string, headers: Record<string, string> = {}) {
      const before = upstream.received.length
      const response = await call(proxy.url, path, { headers })
      return { response, received: upstream.received.slice(before)[0] }
    }
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

    it('answers 401 with WWW-Authenticate to a request without a token, which never reaches the upstream', async () => {
      const { response, received } = await through('/dashboard')
      expect(response.status).to.equal(401)
      expect(response.headers.get('www-authenticate')).to.match(/^Bearer realm="hexauth"/)
      expect(received).to.equal(undefined)
    })

    it("passes a good token's identity to the upstream: X-Auth-Username, X-Auth-Subject, X-Auth-Admin", async () => {
      const { response, received } = await through('/dashboard?tab=1', bearer(alice.accessToken))
      expect(response.status).to.equal(200)
      expect(received!.url).to.equal('/dashboard?tab=1')
      expect(received!.headers).to.include({
        'x-auth-username': 'proxy_alice',
        'x-auth-subject': decodeJwt(alice.accessToken).sub,
        'x-auth-admin': 'false',
      })
      const asAdmin = await through('/dashboard', bearer(admin.accessToken))
      expect(asAdmin.received!.headers).to.include({ 'x-auth-username': 'admin', 'x-auth-admin': 'true' })
    })

    const spoofed = {
      'X-Auth-Username': 'admin',
      'X-Auth-Admin': 'true',
      'X-Auth-Subject': '00000000-0000-0000-0000-000000000000',
      'X_Auth_Username': 'admin',
      'X_Auth_Admin': 'true',
      'X_Auth_Subject': 'spoofed',
    }

    it("never lets a client's own X-Auth-* reach the upstream without a token", async () => {
      const { response, received } = await through('/dashboard', spoofed)
      expect(response.status).to.equal(401)
      expect(received).to.equal(undefined)
    })

    it("replaces a client's own X-Auth-* with the identity of the token it sent (and drops the underscore spellings)", async () => {
      const { response, received } = await through('/dashboard', { ...spoofed, ...bearer(alice.accessToken) })
      expect(response.status).to.equal(200)
      expect(received!.headers['x-auth-username']).to.equal('proxy_alice')
      expect(received!.headers['x-auth-admin']).to.equal('false')
      expect(received!.headers['x-auth-subject']).to.equal(decodeJwt(alice.accessToken).sub)
      const underscored = Object.keys(received!.headers).filter((name) => name.startsWith('x_auth'))
      expect(underscored).to.deep.equal([])
    })

    for (const how of ['/logout/access', '/logout/all', '/revoke'] as const) {
      it(`refuses a token revoked by ${how} on another instance, within the near-cache's bound (${PROPAGATION_BOUND_MS} ms)`, async () => {
        const name = `proxy_${how.replace(/\W/g, '')}`
        const { accessToken } = await register(revoker.url, name)
        expect((await through('/dashboard', bearer(accessToken))).response.status).to.equal(200)
        const answer = how === '/revoke'
          ? await postForm(revoker.url, '/revoke', { token: accessToken })
          : await postWithToken(revoker.url, how, accessToken)
        expect(answer.status).to.equal(200)
        await until(
          async () => (await through('/dashboard', bearer(accessToken))).response.status === 401,
          PROPAGATION_BOUND_MS,
          `${how} at the proxy`,
        )
        expect((await through('/dashboard', bearer(accessToken))).received).to.equal(undefined)
      })
    }

    it('reuses its connections to the upstream (keepalive): twenty requests do not open twenty', async () => {
      const before = upstream.connections
      for (let i = 0; i < 20; i++) {
        expect((await through('/dashboard', bearer(alice.accessToken))).response.status).to.equal(200)
      }
      expect(upstream.connections - before).to.be.at.most(2)
    })

    it('answers 403 on the admin location to a plain user, and lets an admin through', async () => {
      const plain = await through('/admin/panel', bearer(alice.accessToken))
      expect(plain.response.status).to.equal(403)
      expect(plain.received).to.equal(undefined)
      const allowed = await through('/admin/panel', bearer(admin.accessToken))
      expect(allowed.response.status).to.equal(200)
      expect(allowed.received!.headers).to.include({ 'x-auth-username': 'admin', 'x-auth-admin': 'true' })
    })

    it('lets a WebSocket upgrade with a good token reach the upstream, and refuses one without', async () => {
      const upgraded = await upgrade(
        proxy.url,
        '/socket',
        bearer((await login(revoker.url, 'proxy_alice')).accessToken),
      )
      expect(upgraded.status, upgraded.head).to.equal(101)
      expect(upgraded.head).to.match(/x-echo-username: proxy_alice/i)
      const refused = await upgrade(proxy.url, '/socket', {})
      expect(refused.status, refused.head).to.equal(401)
    })

    it('refuses (5xx), never lets through, when hexauth cannot check revocations, and when hexauth is stopped', async () => {
      const revocations = new SwitchableRevocationStore(new SystemClock())
      const fragile = await startTestServer({}, { revocations })
      const fragileProxy = await startProxy(kind, hostOf(fragile), upstream.address)
      try {
        const { accessToken } = await register(fragile.url, 'proxy_fragile')
        const send = async () => {
          const before = upstream.received.length
          const response = await call(fragileProxy.url, '/dashboard', { headers: bearer(accessToken) })
          return { status: response.status, reached: upstream.received.length > before }
        }
        expect(await send()).to.deep.equal({ status: 200, reached: true })
        revocations.down = true
        const down = await send()
        expect(down.status).to.be.within(500, 599)
        expect(down.reached).to.equal(false)
        revocations.down = false
        await fragile.close()
        const stopped = await send()
        expect(stopped.status).to.be.within(500, 599)
        expect(stopped.reached).to.equal(false)
      } finally {
        await fragileProxy.stop()
        await fragile.close().catch(() => {})
      }
    })
  })
}
