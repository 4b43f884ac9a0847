import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import {
  call,
  expectError,
  postWithToken,
  register,
  registerAdmin,
  startTestServer,
  type TestServer,
} from '../../support/http_harness.ts'

describe('item routes', () => {
  let server: TestServer
  let url: string
  /** Alice's fresh access token (from registration) and a refreshed, not fresh, one. */
  let fresh: string
  let stale: string
  let adminToken: string

  before(async () => {
    server = await startTestServer()
    url = server.url
    const alice = await register(url, 'alice', 'alice-password')
    fresh = alice.accessToken
    stale = (await postWithToken(url, '/token/refresh', alice.refreshToken)).body.access_token
    adminToken = (await registerAdmin(server)).accessToken
    for (const [name, price] of [['chair', 15.5], ['piano', 900]] as const) {
      const created = await call(url, `/item/${name}`, { token: fresh, json: { price } })
      if (created.status !== 201) throw new Error(`creating ${name} answered ${created.status}`)
    }
  })

  after(() => server.close())

  describe('GET /items', () => {
    it('shows an anonymous caller names only, with a hint to log in', async () => {
      const result = await call(url, '/items')
      expect(result.status).to.equal(200)
      expect(result.body).to.deep.equal({ items: ['chair', 'piano'], message: 'More data available if you log in.' })
    })

    it('shows a signed-in caller the full items', async () => {
      const result = await call(url, '/items', { token: stale })
      expect(result.status).to.equal(200)
      expect(result.body).to.deep.equal({ items: [{ name: 'chair', price: 15.5 }, { name: 'piano', price: 900 }] })
    })

    it('answers a bad token with 401, never downgrading to anonymous', async () => {
      expectError(await call(url, '/items', { token: 'garbage' }), 401, 'invalid_token')
    })

    it('answers a garbled Authorization header with 401, never downgrading to anonymous', async () => {
      const result = await call(url, '/items', { headers: { authorization: 'Basic YWxpY2U6cHc=' } })
      expectError(result, 401, 'authorization_required')
    })

    it('answers a revoked token with 401 token_revoked, never downgrading to anonymous', async () => {
      const { accessToken } = await register(url, 'items_revoked', 'revoked-password')
      expect((await postWithToken(url, '/logout/access', accessToken)).status).to.equal(200)
      expectError(await call(url, '/items', { token: accessToken }), 401, 'token_revoked')
    })
  })

  describe('GET /item/:name', () => {
    it('answers a signed-in caller with the item', async () => {
      const result = await call(url, '/item/chair', { token: stale })
      expect(result.status).to.equal(200)
      expect(result.body).to.deep.equal({ name: 'chair', price: 15.5 })
    })

    it('answers an unknown item with 404 not_found', async () => {
      expectError(await call(url, '/item/unicorn', { token: stale }), 404, 'not_found')
    })

    it('answers an anonymous caller with 401 authorization_required', async () => {
      expectError(await call(url, '/item/chair'), 401, 'authorization_required')
    })
  })

  describe('POST /item/:name', () => {
    it('creates an item with a fresh token: 201 with the item', async () => {
      const result = await call(url, '/item/lamp', { token: fresh, json: { price: 0 } })
      expect(result.status).to.equal(201)
      expect(result.body).to.deep.equal({ name: 'lamp', price: 0 })
      expect((await call(url, '/item/lamp', { token: stale })).body).to.deep.equal({ name: 'lamp', price: 0 })
    })

    it('answers a taken name with 409 item_exists and keeps the price', async () => {
      expectError(await call(url, '/item/chair', { token: fresh, json: { price: 1 } }), 409, 'item_exists')
      expect((await call(url, '/item/chair', { token: stale })).body.price).to.equal(15.5)
    })

    it('answers a token that is not fresh with 401 fresh_token_required and creates nothing', async () => {
      expectError(await call(url, '/item/stool', { token: stale, json: { price: 5 } }), 401, 'fresh_token_required')
      expectError(await call(url, '/item/stool', { token: stale }), 404, 'not_found')
    })

    it('answers an anonymous caller with 401 authorization_required', async () => {
      expectError(await call(url, '/item/stool', { json: { price: 5 } }), 401, 'authorization_required')
    })

    for (
      const [label, body] of [
        ['a price given as a string', { price: '5' }],
        ['a negative price', { price: -1 }],
        ['a missing price', {}],
        ['a null price', { price: null }],
      ] as const
    ) {
      it(`answers ${label} with 400 invalid_request naming price, and creates nothing`, async () => {
        expectError(await call(url, '/item/desk', { token: fresh, json: body }), 400, 'invalid_request', ['price'])
        expectError(await call(url, '/item/desk', { token: stale }), 404, 'not_found')
      })
    }
  })

  describe('DELETE /item/:name', () => {
    it('lets an admin delete an item', async () => {
      await call(url, '/item/vase', { token: fresh, json: { price: 20 } })
      const result = await call(url, '/item/vase', { method: 'DELETE', token: adminToken })
      expect(result.status).to.equal(200)
      expect(result.body.message).to.be.a('string')
      expectError(await call(url, '/item/vase', { token: stale }), 404, 'not_found')
    })

    it('answers a non-admin with 403 admin_required and keeps the item', async () => {
      const result = await call(url, '/item/piano', { method: 'DELETE', token: fresh })
      expectError(result, 403, 'admin_required')
      expect(result.headers.get('www-authenticate')).to.include('insufficient_scope')
      expect((await call(url, '/item/piano', { token: stale })).status).to.equal(200)
    })

    it('answers an unknown item with 404 not_found', async () => {
      expectError(await call(url, '/item/unicorn', { method: 'DELETE', token: adminToken }), 404, 'not_found')
    })
  })
})
