import { afterEach, describe, it } from 'mocha'
import { expect } from 'chai'
import { runCli } from '../../../src/adapters/cli/run_cli.ts'
import { loadConfig } from '../../../src/adapters/config.ts'
import {
  type AppContainer,
  type ContainerOverrides,
  createContainer,
  disposeContainer,
} from '../../../src/adapters/container.ts'
import { createLogger } from '../../../src/adapters/logger.ts'
import { MemoryRevocationStore } from '../../../src/adapters/memory/revocation_store.ts'
import { MemoryUserRepository } from '../../../src/adapters/memory/user_repository.ts'
import { SystemClock } from '../../../src/adapters/system_clock.ts'
import { CheckClaims } from '../../../src/application/check_claims.ts'
import { Login } from '../../../src/application/login.ts'
import type { User } from '../../../src/domain/user.ts'
import { memoryIo } from '../../support/cli_harness.ts'
import { rejectsWith } from '../../support/core_fixtures.ts'
import { TEST_ENV } from '../../support/http_harness.ts'
import { freePort } from '../../support/redis_server.ts'

const PASSWORD = 'correct horse battery'

/** A repository that fails as no AuthError describes (a bug, a driver surprise). */
class BrokenUsers extends MemoryUserRepository {
  override list(): Promise<readonly User[]> {
    return Promise.reject(new Error('disk on fire'))
  }
}

describe('runCli (in process)', () => {
  const containers: AppContainer[] = []
  const build = (env: Record<string, string> = {}, overrides: ContainerOverrides = {}) => {
    const container = createContainer(loadConfig({ ...TEST_ENV, ...env }), createLogger('silent'), overrides)
    containers.push(container)
    return container
  }
  /** A container whose blocklist stands for the service's shared one (as Redis would be). */
  const buildShared = () => build({}, { revocations: new MemoryRevocationStore({ clock: new SystemClock() }) })
  afterEach(async () => {
    for (const container of containers.splice(0)) await disposeContainer(container)
  })

  /** Runs one command; `stdin` is piped. */
  async function cli(c: AppContainer, argv: string[], stdin = '') {
    const io = memoryIo(stdin)
    const code = await runCli(argv, io, c)
    return { code, out: io.out(), err: io.err() }
  }

  it('registers a user from the password on standard input and prints only that it was created', async () => {
    const c = build()
    expect(await cli(c, ['register', 'Alice'], `${PASSWORD}\n`)).to.deep.equal({
      code: 0,
      out: 'User Alice was created\n',
      err: '',
    })
    const session = await (await c.getAsync(Login)).execute({ username: 'alice', password: PASSWORD })
    expect(session.username).to.equal('Alice')
  })

  it('refuses a taken username in any letter case with 73, keeping the first password', async () => {
    const c = build()
    await cli(c, ['register', 'alice'], `${PASSWORD}\n`)
    const again = await cli(c, ['register', 'ALICE'], 'another password\n')
    expect(again).to.deep.equal({
      code: 73,
      out: '',
      err: 'hexauth: Cannot register "ALICE": the username is taken (username_taken)\n',
    })
    await (await c.getAsync(Login)).execute({ username: 'alice', password: PASSWORD })
  })

  it('refuses an invalid username or password with 65, naming what is wrong and never echoing the password', async () => {
    const c = build()
    const badName = await cli(c, ['register', 'a b'], `${PASSWORD}\n`)
    expect(badName.code).to.equal(65)
    expect(badName.err).to.match(/^hexauth: Invalid username: .*\(invalid_request\)\n$/)
    const short = await cli(c, ['register', 'alice'], 'short12\n')
    expect(short.code).to.equal(65)
    expect(short.err).to.match(/password must be 8 to 1024 characters long \(invalid_request\)/)
    expect(short.err).to.not.include('short12')
    expect((await cli(c, ['register', 'alice'], '')).code).to.equal(65)
    expect((await cli(c, ['promote', 'x'])).code).to.equal(65)
  })

  it('promotes and demotes a user, as list-users shows', async () => {
    const c = buildShared()
    await cli(c, ['register', 'alice'], `${PASSWORD}\n`)
    const promoted = await cli(c, ['promote', 'ALICE'])
    expect(promoted).to.deep.equal({
      code: 0,
      out: 'User alice is now an admin (from the next login or token refresh)\n',
      err: '',
    })
    const listed = JSON.parse((await cli(c, ['list-users', '--json'])).out)
    expect(listed.users.map((u: { username: string; is_admin: boolean }) => [u.username, u.is_admin])).to.deep.equal([[
      'alice',
      true,
    ]])
    const demoted = await cli(c, ['demote', 'alice'])
    expect(demoted).to.deep.equal({
      code: 0,
      out: 'User alice is no longer an admin; every token it held was revoked\n',
      err: '',
    })
    expect((await cli(c, ['list-users'])).out).to.match(
      /^USERNAME +ADMIN +CREATED +ID\nalice +no +\S+Z +[0-9a-f-]{36}\n$/,
    )
  })

  it('revokes the tokens of a demoted user', async () => {
    const c = buildShared()
    await cli(c, ['register', 'alice'], `${PASSWORD}\n`)
    await cli(c, ['promote', 'alice'])
    const session = await (await c.getAsync(Login)).execute({ username: 'alice', password: PASSWORD })
    const checkClaims = await c.getAsync(CheckClaims)
    expect((await checkClaims.execute({ token: session.accessToken, type: 'access', admin: true })).isAdmin).to.equal(
      true,
    )
    await cli(c, ['demote', 'alice'])
    await rejectsWith(checkClaims.execute({ token: session.accessToken, type: 'access' }), 'token_revoked')
  })

  it('revokes every token of a user with revoke-all', async () => {
    const c = buildShared()
    await cli(c, ['register', 'alice'], `${PASSWORD}\n`)
    const session = await (await c.getAsync(Login)).execute({ username: 'alice', password: PASSWORD })
    expect(await cli(c, ['revoke-all', 'Alice'])).to.deep.equal({
      code: 0,
      out: 'Revoked every token of user Alice issued up to now\n',
      err: '',
    })
    const checkClaims = await c.getAsync(CheckClaims)
    await rejectsWith(checkClaims.execute({ token: session.accessToken, type: 'access' }), 'token_revoked')
    await rejectsWith(checkClaims.execute({ token: session.refreshToken, type: 'refresh' }), 'token_revoked')
  })

  it('answers 67 (not_found) for promote, demote and revoke-all of an unknown user', async () => {
    const c = buildShared()
    for (const command of ['promote', 'demote', 'revoke-all']) {
      const run = await cli(c, [command, 'nobody'])
      expect(run.code, command).to.equal(67)
      expect(run.err, command).to.match(/^hexauth: Cannot .* "nobody": no such user \(not_found\)\n$/)
    }
  })

  it('registers an ADMIN_USERNAMES name as an admin, saying so, and can demote it for good', async () => {
    const c = build({ ADMIN_USERNAMES: 'root' }, {
      revocations: new MemoryRevocationStore({ clock: new SystemClock() }),
    })
    expect(await cli(c, ['register', 'ROOT'], `${PASSWORD}\n`))
      .to.deep.equal({ code: 0, out: 'User ROOT was created, an admin (ADMIN_USERNAMES names it)\n', err: '' })
    const admin = await (await c.getAsync(Login)).execute({ username: 'root', password: PASSWORD })
    expect(
      (await (await c.getAsync(CheckClaims)).execute({ token: admin.accessToken, type: 'access', admin: true }))
        .isAdmin,
    ).to.equal(true)
    expect((await cli(c, ['demote', 'root'])).code).to.equal(0)
    expect(JSON.parse((await cli(c, ['list-users', '--json'])).out).users[0].is_admin).to.equal(false)
  })

  it("refuses demote and revoke-all with 69 naming REDIS_URL when the blocklist is this process's memory, changing nothing", async () => {
    const c = build()
    await cli(c, ['register', 'alice'], `${PASSWORD}\n`)
    await cli(c, ['promote', 'alice'])
    for (const command of ['demote', 'revoke-all']) {
      const run = await cli(c, [command, 'alice'])
      expect(run).to.deep.equal({
        code: 69,
        out: '',
        err:
          `hexauth: Cannot run ${command}: REDIS_URL is not set, so no revocation can reach the service's blocklist (service_unavailable)\n`,
      })
    }
    expect(JSON.parse((await cli(c, ['list-users', '--json'])).out).users[0].is_admin).to.equal(true)
  })

  it('prints the usage and answers 64 for a bad command line, without building a container', async () => {
    for (const argv of [[], ['frob'], ['promote'], ['register', 'alice', '--password', PASSWORD]]) {
      const io = memoryIo()
      const code = await runCli(argv, io, () => expect.fail('the container was built'))
      expect(code, argv.join(' ')).to.equal(64)
      expect(io.err()).to.include('Usage: hexauth')
      expect(io.err()).to.not.include(PASSWORD)
      expect(io.out()).to.equal('')
    }
  })

  it('prints the usage on stdout for --help and answers 0', async () => {
    const io = memoryIo()
    expect(await runCli(['--help'], io, () => expect.fail('the container was built'))).to.equal(0)
    expect(io.out()).to.match(/^Usage: hexauth/)
    expect(io.err()).to.equal('')
  })

  it('answers 78 when the configuration is invalid, naming the variable', async () => {
    const io = memoryIo()
    const code = await runCli(['list-users'], io, () => build({ JWT_SECRET: 'secret' }))
    expect(code).to.equal(78)
    expect(io.err()).to.match(/^hexauth: Invalid configuration: JWT_SECRET is a published default secret/)
  })

  it('answers 70, not 78, when building the container fails for another reason', async () => {
    const io = memoryIo()
    expect(await runCli(['list-users'], io, () => Promise.reject(new Error('Cannot load module')))).to.equal(70)
    expect(io.err()).to.equal('hexauth: Cannot load module\n')
  })

  it('answers 69 (service_unavailable) when Redis cannot be reached, failing closed', async () => {
    const c = build({ REDIS_URL: `redis://127.0.0.1:${await freePort()}`, REDIS_COMMAND_TIMEOUT_MS: '100' })
    await cli(c, ['register', 'alice'], `${PASSWORD}\n`)
    for (const command of ['revoke-all', 'demote']) {
      const run = await cli(c, [command, 'alice'])
      expect(run.code, command).to.equal(69)
      expect(run.err, command).to.match(/\(service_unavailable\)\n$/)
    }
  })

  it('answers 70 for an unexpected failure', async () => {
    const run = await cli(build({}, { users: new BrokenUsers() }), ['list-users'])
    expect(run).to.deep.equal({
      code: 70,
      out: '',
      err: 'hexauth: Cannot run list-users: unexpected error: disk on fire\n',
    })
  })
})
