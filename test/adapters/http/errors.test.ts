import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import type { ItemRepository } from '../../../src/application/ports/item_repository.ts'
import type { EarlierUse, RevocationQuery, RevocationStore } from '../../../src/application/ports/revocation_store.ts'
import { AuthError } from '../../../src/domain/auth_error.ts'
import type { Item } from '../../../src/domain/item.ts'
import {
  call,
  expectError,
  postWithToken,
  register,
  startTestServer,
  type TestServer,
} from '../../support/http_harness.ts'

const DRIVER_MESSAGE = 'connect ECONNREFUSED mongodb://root:hunter2@db:27017'

/** An item store whose driver fails in a way no code expects. */
class BrokenItemRepository implements ItemRepository {
  list(): Promise<readonly Item[]> {
    return Promise.reject(new Error(DRIVER_MESSAGE))
  }
  find(): Promise<Item | undefined> {
    return Promise.reject(new Error(DRIVER_MESSAGE))
  }
  create(): Promise<void> {
    return Promise.reject(new Error(DRIVER_MESSAGE))
  }
  delete(): Promise<boolean> {
    return Promise.reject(new Error(DRIVER_MESSAGE))
  }
}

/** A blocklist that cannot answer, failing with `error`. */
class UnreachableRevocationStore implements RevocationStore {
  readonly #error: () => Error

  constructor(error: () => Error) {
    this.#error = error
  }
  revokeToken(): Promise<void> {
    return Promise.reject(this.#error())
  }
  revokeFamily(): Promise<void> {
    return Promise.reject(this.#error())
  }
  revokeSubject(): Promise<void> {
    return Promise.reject(this.#error())
  }
  retire(): Promise<EarlierUse | undefined> {
    return Promise.reject(this.#error())
  }
  isRevoked(_query: RevocationQuery): Promise<boolean> {
    return Promise.reject(this.#error())
  }
}

// RFC 6750 §3: auth-params with quoted values that hold no '"' or '\'.
const CHALLENGE =
  /^Bearer realm="hexauth", error="(invalid_token|insufficient_scope)", error_description="[\x20\x21\x23-\x5B\x5D-\x7E]*"$/

describe('answerError: errors as HTTP answers', () => {
  describe('answers with the contract shape', () => {
    let server: TestServer
    let url: string

    before(async () => {
      server = await startTestServer()
      url = server.url
    })

    after(() => server.close())

    it('sends a well-formed RFC 6750 challenge even when the message holds quotes', async () => {
      const { refreshToken } = await register(url, 'alice', 'alice-password')
      const result = await call(url, '/secret', { token: refreshToken })
      expectError(result, 401, 'invalid_token')
      expect(result.headers.get('www-authenticate')).to.match(CHALLENGE)
    })

    it('sends a bare Bearer challenge when no token was sent', async () => {
      const result = await call(url, '/secret')
      expectError(result, 401, 'authorization_required')
      expect(result.headers.get('www-authenticate')).to.equal('Bearer realm="hexauth"')
    })

    it('sends no challenge on a validation error', async () => {
      const result = await call(url, '/registration', { json: { username: 'x', password: 'short' } })
      expectError(result, 400, 'invalid_request', ['username', 'password'])
      expect(result.headers.get('www-authenticate')).to.equal(null)
    })
  })

  describe('when an adapter fails unexpectedly', () => {
    let server: TestServer

    before(async () => {
      server = await startTestServer({}, { items: new BrokenItemRepository() })
    })

    after(() => server.close())

    it('answers 500 internal_error with a generic body that leaks nothing', async () => {
      const result = await call(server.url, '/items')
      expect(result.status).to.equal(500)
      expect(result.body).to.deep.equal({ error: 'internal_error', message: 'Internal server error' })
      expect(JSON.stringify(result.body)).to.not.include('hunter2')
    })
  })

  describe('when the blocklist cannot answer', () => {
    let unavailable: TestServer
    let crashing: TestServer
    // Tokens come from a healthy instance: every test server signs with the same secret.
    let healthy: TestServer

    before(async () => {
      healthy = await startTestServer()
      unavailable = await startTestServer({}, {
        revocations: new UnreachableRevocationStore(() =>
          new AuthError('service_unavailable', 'Cannot check revocation: the store did not answer')
        ),
      })
      crashing = await startTestServer({}, { revocations: new UnreachableRevocationStore(() => new Error('boom')) })
    })

    after(async () => {
      await unavailable.close()
      await crashing.close()
      await healthy.close()
    })

    it('fails closed with 503 service_unavailable on a protected route', async () => {
      const { accessToken } = await register(healthy.url, 'alice', 'alice-password')
      expectError(await call(unavailable.url, '/secret', { token: accessToken }), 503, 'service_unavailable')
    })

    it('fails closed with 503 service_unavailable on logout', async () => {
      const { accessToken } = await register(healthy.url, 'bob', 'bob-password')
      expectError(await postWithToken(unavailable.url, '/logout/access', accessToken), 503, 'service_unavailable')
    })

    it('answers 503 to a registration or login, never tokens it cannot check', async () => {
      const body = { username: 'carol', password: 'carol-password' }
      expectError(await call(unavailable.url, '/registration', { json: body }), 503, 'service_unavailable')
      expectError(await call(unavailable.url, '/login', { json: body }), 503, 'service_unavailable')
    })

    it('fails closed with a 500, never a 200, when the store throws something unexpected', async () => {
      const { accessToken } = await register(healthy.url, 'dave', 'dave-password')
      const result = await call(crashing.url, '/secret', { token: accessToken })
      expect(result.status).to.equal(500)
      expect(result.body).to.deep.equal({ error: 'internal_error', message: 'Internal server error' })
    })
  })
})
