import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { FakeClock } from '../../support/fake_clock.ts'
import { type FakeMongo, startFakeMongo } from '../../support/fake_mongo.ts'
import {
  call,
  expectError,
  isolatedMongoUrl,
  login,
  postWithToken,
  register,
  startTestServer,
  type TestServer,
} from '../../support/http_harness.ts'

const PASSWORD = 'correct horse battery'

describe('Session routes (header mode)', () => {
  let server: TestServer
  const clock = new FakeClock()
  before(async () => {
    server = await startTestServer({ TRUST_PROXY: '1' }, { clock })
  })
  after(() => server.close())

  const loginFrom = async (username: string, agent: string, ip: string) => {
    const result = await call(server.url, '/login', {
      json: { username, password: PASSWORD },
      headers: { 'user-agent': agent, 'x-forwarded-for': ip },
    })
    expect(result.status).to.equal(200)
    return { accessToken: result.body.access_token as string, refreshToken: result.body.refresh_token as string }
  }
  const list = async (token: string) => {
    const result = await call(server.url, '/sessions', { token })
    expect(result.status, JSON.stringify(result.body)).to.equal(200)
    return result.body.sessions as {
      id: string
      user_agent: string | null
      ip: string | null
      current: boolean
      created_at: string
      last_used_at: string
    }[]
  }

  it("lists the caller's sessions with their client (address through TRUST_PROXY), marking the current one, ids never tokens", async () => {
    await register(server.url, 'lister')
    const laptop = await loginFrom('lister', 'Laptop/1.0', '198.51.100.7')
    await loginFrom('lister', 'Phone/2.0', '203.0.113.9')
    const sessions = await list(laptop.accessToken)
    expect(sessions).to.have.length(3)
    const mine = sessions.find((session) => session.current)!
    expect(mine).to.include({ user_agent: 'Laptop/1.0', ip: '198.51.100.7' })
    expect(sessions.filter((session) => session.current)).to.have.length(1)
    expect(Object.keys(mine).sort()).to.deep.equal(['created_at', 'current', 'id', 'ip', 'last_used_at', 'user_agent'])
    for (const session of sessions) expect(session.id).to.match(/^[0-9a-f-]{36}$/)
  })

  it('moves last_used_at at a refresh and keeps the session id', async () => {
    await register(server.url, 'refresher')
    const session = await loginFrom('refresher', 'A', '192.0.2.1')
    const [before] = (await list(session.accessToken)).filter((each) => each.current)
    clock.advance(60_000)
    const refreshed = await call(server.url, '/token/refresh', {
      method: 'POST',
      token: session.refreshToken,
      json: {},
      headers: { 'user-agent': 'B' },
    })
    const [after] = (await list(refreshed.body.access_token)).filter((each) => each.current)
    expect(after!.id).to.equal(before!.id)
    expect(after!.user_agent).to.equal('B')
    expect(Date.parse(after!.last_used_at) - Date.parse(before!.last_used_at)).to.equal(60_000)
    expect(after!.created_at).to.equal(before!.created_at)
  })

  it('revokes one own session by id: its tokens stop working, it is no longer listed', async () => {
    await register(server.url, 'revoker')
    const keep = await loginFrom('revoker', 'keep', '192.0.2.1')
    const drop = await loginFrom('revoker', 'drop', '192.0.2.2')
    const id = (await list(drop.accessToken)).find((session) => session.current)!.id
    const result = await call(server.url, `/sessions/${id}`, { method: 'DELETE', token: keep.accessToken })
    expect(result.status).to.equal(200)
    expect(result.body.revoked).to.equal(1)
    expectError(await call(server.url, '/secret', { token: drop.accessToken }), 401, 'token_revoked')
    expectError(await postWithToken(server.url, '/token/refresh', drop.refreshToken), 401, 'token_revoked')
    expect((await list(keep.accessToken)).map((session) => session.id)).to.not.include(id)
  })

  it("answers 404 not_found for another user's session id, and revokes nothing", async () => {
    const victim = await register(server.url, 'victim')
    const attacker = await register(server.url, 'attacker')
    const id = (await list(victim.accessToken))[0]!.id
    expectError(
      await call(server.url, `/sessions/${id}`, { method: 'DELETE', token: attacker.accessToken }),
      404,
      'not_found',
    )
    expectError(
      await call(server.url, '/sessions/not-a-session', { method: 'DELETE', token: attacker.accessToken }),
      404,
      'not_found',
    )
    expect((await call(server.url, '/secret', { token: victim.accessToken })).status).to.equal(200)
    expect(await list(victim.accessToken)).to.have.length(1)
  })

  it('revokes every session but the current one and answers how many', async () => {
    const current = await register(server.url, 'everyone')
    const others = [await login(server.url, 'everyone'), await login(server.url, 'everyone')]
    const result = await call(server.url, '/sessions', { method: 'DELETE', token: current.accessToken })
    expect(result.body).to.include({ revoked: 2 })
    for (const other of others) {
      expectError(await call(server.url, '/secret', { token: other.accessToken }), 401, 'token_revoked')
    }
    expect((await call(server.url, '/secret', { token: current.accessToken })).status).to.equal(200)
    expect((await list(current.accessToken)).map((session) => session.current)).to.deep.equal([true])
  })

  it("POST /logout revokes the caller's whole session: its access and refresh tokens, not the others", async () => {
    const session = await register(server.url, 'leaver')
    const other = await login(server.url, 'leaver')
    expect((await postWithToken(server.url, '/logout', session.accessToken)).status).to.equal(200)
    expectError(await call(server.url, '/secret', { token: session.accessToken }), 401, 'token_revoked')
    expectError(await postWithToken(server.url, '/token/refresh', session.refreshToken), 401, 'token_revoked')
    expect((await call(server.url, '/secret', { token: other.accessToken })).status).to.equal(200)
    expect(await list(other.accessToken)).to.have.length(1)
  })
})

describe('Session routes with MONGO_URL (the fake MongoDB)', () => {
  let fake: FakeMongo
  let server: TestServer
  before(async () => {
    fake = await startFakeMongo()
    server = await startTestServer({ MONGO_URL: isolatedMongoUrl(fake.url) })
  })
  after(async () => {
    await server.close()
    await fake.stop()
  })

  it('records sessions in the sessions collection, lists and revokes them, and a password change forgets the others', async () => {
    const first = await register(server.url, 'mongo_user')
    const second = await login(server.url, 'mongo_user')
    const third = await login(server.url, 'mongo_user')
    const listed = await call(server.url, '/sessions', { token: first.accessToken })
    expect(listed.body.sessions).to.have.length(3)
    const id = listed.body.sessions.find((session: { current: boolean }) => !session.current).id
    expect((await call(server.url, `/sessions/${id}`, { method: 'DELETE', token: first.accessToken })).status).to.equal(
      200,
    )
    expect((await call(server.url, '/sessions', { token: first.accessToken })).body.sessions).to.have.length(2)
    const changed = await call(server.url, '/password', {
      token: first.accessToken,
      json: { current_password: PASSWORD, new_password: 'a fresh mongo passphrase' },
    })
    expect(changed.status, JSON.stringify(changed.body)).to.equal(200)
    for (const other of [second, third]) {
      expectError(await call(server.url, '/secret', { token: other.accessToken }), 401, 'token_revoked')
    }
    const after = await call(server.url, '/sessions', { token: changed.body.access_token })
    expect(after.body.sessions.map((session: { current: boolean }) => session.current)).to.deep.equal([true])
    const inserts = fake.commands.filter((command) => command.name === 'insert' && command.body.insert === 'sessions')
    expect(inserts).to.have.length(3)
  })
})
