import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import {
  call,
  expectError,
  postWithToken,
  registerAdmin,
  startTestServer,
  type TestServer,
} from '../../support/http_harness.ts'

// One scripted session, step by step: each `it` builds on the ones before it.
describe('an end-to-end session', () => {
  let server: TestServer
  let url: string
  const bob = { username: 'bob', password: 'bob-password-1' }
  const admin = { username: 'admin', password: 'admin-password-1' }
  let registered: { access_token: string; refresh_token: string }
  let loggedIn: { access_token: string; refresh_token: string }
  let refreshed: { access_token: string; refresh_token: string }
  let adminAccess: string

  before(async () => {
    server = await startTestServer()
    url = server.url
  })

  after(() => server.close())

  it('registers bob', async () => {
    const result = await call(url, '/registration', { json: bob })
    expect(result.status).to.equal(201)
    registered = result.body
  })

  it('logs bob in', async () => {
    const result = await call(url, '/login', { json: bob })
    expect(result.status).to.equal(200)
    loggedIn = result.body
  })

  it('tells bob the secret', async () => {
    const result = await call(url, '/secret', { token: loggedIn.access_token })
    expect(result.body).to.deep.equal({ answer: 42 })
  })

  it("refreshes bob's access", async () => {
    const result = await postWithToken(url, '/token/refresh', loggedIn.refresh_token)
    expect(result.status).to.equal(200)
    refreshed = result.body
    expect((await call(url, '/secret', { token: refreshed.access_token })).status).to.equal(200)
  })

  it('logs the refreshed access token out, which is then revoked', async () => {
    expect((await postWithToken(url, '/logout/access', refreshed.access_token)).status).to.equal(200)
    expectError(await call(url, '/secret', { token: refreshed.access_token }), 401, 'token_revoked')
    expect((await call(url, '/secret', { token: registered.access_token })).status).to.equal(200)
  })

  it('logs the refreshed refresh token out, which then cannot refresh', async () => {
    expect((await postWithToken(url, '/logout/refresh', refreshed.refresh_token)).status).to.equal(200)
    expectError(await postWithToken(url, '/token/refresh', refreshed.refresh_token), 401, 'token_revoked')
  })

  it('keeps the user list from bob and shows it to the admin', async () => {
    expectError(await call(url, '/users', { token: registered.access_token }), 403, 'admin_required')
    adminAccess = (await registerAdmin(server, admin.username, admin.password)).accessToken
    const result = await call(url, '/users', { token: adminAccess })
    expect(result.status).to.equal(200)
    expect(result.body.users.map((user: { username: string }) => user.username)).to.have.members(['bob', 'admin'])
  })

  it('lets bob create an item only with a fresh token', async () => {
    const stale = (await postWithToken(url, '/token/refresh', registered.refresh_token)).body.access_token
    expectError(await call(url, '/item/kettle', { token: stale, json: { price: 12 } }), 401, 'fresh_token_required')
    const fresh = (await call(url, '/fresh-login', { json: bob })).body.access_token
    expect((await call(url, '/item/kettle', { token: fresh, json: { price: 12 } })).status).to.equal(201)
  })

  it('shows names to an anonymous caller and full items to bob', async () => {
    expect((await call(url, '/items')).body)
      .to.deep.equal({ items: ['kettle'], message: 'More data available if you log in.' })
    expect((await call(url, '/items', { token: registered.access_token })).body)
      .to.deep.equal({ items: [{ name: 'kettle', price: 12 }] })
  })

  it('lets the admin, and not bob, delete the item', async () => {
    expectError(
      await call(url, '/item/kettle', { method: 'DELETE', token: registered.access_token }),
      403,
      'admin_required',
    )
    expect((await call(url, '/item/kettle', { method: 'DELETE', token: adminAccess })).status).to.equal(200)
    expect((await call(url, '/items')).body.items).to.deep.equal([])
  })
})
