import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { runCli } from '../../../src/adapters/cli/run_cli.ts'
import { loadConfig } from '../../../src/adapters/config.ts'
import { type AppContainer, createContainer, disposeContainer } from '../../../src/adapters/container.ts'
import { createLogger } from '../../../src/adapters/logger.ts'
import { MemoryUserRepository } from '../../../src/adapters/memory/user_repository.ts'
import { memoryIo } from '../../support/cli_harness.ts'
import {
  call,
  expectError,
  listUsernames,
  login,
  postWithToken,
  startTestServer,
  TEST_ENV,
  type TestServer,
} from '../../support/http_harness.ts'
import { PROPAGATION_BOUND_MS, until } from '../../support/propagation.ts'
import { acquireRedisOrSkip, type RedisHandle } from '../../support/redis_server.ts'

const PASSWORD = 'correct horse battery'

// The CLI and the HTTP app as two transports over one Redis blocklist (same key prefix) and
// one user repository, as they are in production over REDIS_URL and MONGO_URL.
describe('hexauth CLI and the HTTP app on one Redis', () => {
  let redis: RedisHandle | undefined
  let server: TestServer | undefined
  let cliContainer: AppContainer | undefined

  before(async function () {
    redis = await acquireRedisOrSkip(this)
    console.log(`      Redis from ${redis.source}`)
    const env = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: `cli:${crypto.randomUUID()}:` }
    const users = new MemoryUserRepository()
    server = await startTestServer(env, { users })
    cliContainer = createContainer(loadConfig({ ...TEST_ENV, ...env }), createLogger('silent'), { users })
  })

  after(async () => {
    await server?.close()
    if (cliContainer !== undefined) await disposeContainer(cliContainer)
    await redis?.stop()
  })

  async function cli(argv: string[], stdin = ''): Promise<string> {
    const io = memoryIo(stdin)
    const code = await runCli(argv, io, cliContainer!)
    expect(code, `hexauth ${argv.join(' ')}: ${io.err()}`).to.equal(0)
    return io.out()
  }

  it('logs a user in over HTTP with the password it was registered with on the CLI', async () => {
    await cli(['register', 'carol'], `${PASSWORD}\n`)
    const tokens = await login(server!.url, 'carol', PASSWORD)
    expect((await call(server!.url, '/secret', { token: tokens.accessToken })).status).to.equal(200)
  })

  it('revoke-all: the HTTP app refuses the old tokens with token_revoked, and accepts a new login', async () => {
    await cli(['register', 'dave'], `${PASSWORD}\n`)
    const old = await login(server!.url, 'dave', PASSWORD)
    expect((await call(server!.url, '/secret', { token: old.accessToken })).status).to.equal(200)
    await cli(['revoke-all', 'DAVE'])
    // The CLI's revocation reaches the app's near-cache over the feed, within its bound.
    await until(
      async () => (await call(server!.url, '/secret', { token: old.accessToken })).status === 401,
      PROPAGATION_BOUND_MS,
      'revoke-all at the app',
    )
    expectError(await call(server!.url, '/secret', { token: old.accessToken }), 401, 'token_revoked')
    expectError(await postWithToken(server!.url, '/token/refresh', old.refreshToken), 401, 'token_revoked')
    await new Promise((r) => setTimeout(r, 5)) // revocation covers tokens issued up to its millisecond
    const fresh = await login(server!.url, 'dave', PASSWORD)
    expect((await call(server!.url, '/secret', { token: fresh.accessToken })).status).to.equal(200)
  })

  it('promote: admin routes open from the next login or refresh', async () => {
    await cli(['register', 'erin'], `${PASSWORD}\n`)
    const before = await login(server!.url, 'erin', PASSWORD)
    expectError(await call(server!.url, '/users', { token: before.accessToken }), 403, 'admin_required')
    await cli(['promote', 'erin'])
    const refreshed = await postWithToken(server!.url, '/token/refresh', before.refreshToken)
    expect(refreshed.status).to.equal(200)
    expect((await call(server!.url, '/users', { token: refreshed.body.access_token })).status).to.equal(200)
    const again = await login(server!.url, 'erin', PASSWORD)
    expect(await listUsernames(server!.url, again.accessToken)).to.include('erin')
  })

  it('demote: the HTTP app refuses the old admin token with token_revoked, a new one with admin_required', async () => {
    await cli(['register', 'frank'], `${PASSWORD}\n`)
    await cli(['promote', 'frank'])
    const admin = await login(server!.url, 'frank', PASSWORD)
    expect((await call(server!.url, '/users', { token: admin.accessToken })).status).to.equal(200)
    await cli(['demote', 'frank'])
    await until(
      async () => (await call(server!.url, '/users', { token: admin.accessToken })).status === 401,
      PROPAGATION_BOUND_MS,
      'demote at the app',
    )
    expectError(await call(server!.url, '/users', { token: admin.accessToken }), 401, 'token_revoked')
    expectError(await postWithToken(server!.url, '/token/refresh', admin.refreshToken), 401, 'token_revoked')
    await new Promise((r) => setTimeout(r, 5))
    const plain = await login(server!.url, 'frank', PASSWORD)
    expectError(await call(server!.url, '/users', { token: plain.accessToken }), 403, 'admin_required')
    expect((await call(server!.url, '/secret', { token: plain.accessToken })).status).to.equal(200)
  })

  it('list-users shows the users of either transport with their admin flag, never a hash', async () => {
    await call(server!.url, '/registration', { json: { username: 'grace', password: PASSWORD } })
    await cli(['register', 'heidi'], `${PASSWORD}\n`)
    await cli(['promote', 'grace'])
    const { users } = JSON.parse(await cli(['list-users', '--json']))
    const flags = Object.fromEntries(
      users.map((u: { username: string; is_admin: boolean }) => [u.username, u.is_admin]),
    )
    expect(flags).to.include({ grace: true, heidi: false })
    expect(await cli(['list-users'])).to.not.include('$argon2')
  })
})
