import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { runCli } from '../../../src/adapters/cli/run_cli.ts'
import { loadConfig } from '../../../src/adapters/config.ts'
import { createContainer, disposeContainer } from '../../../src/adapters/container.ts'
import { MemoryRevocationStore } from '../../../src/adapters/memory/revocation_store.ts'
import { SystemClock } from '../../../src/adapters/system_clock.ts'
import { memoryIo } from '../../support/cli_harness.ts'
import { capturingLogger } from '../../support/log_capture.ts'
import {
  call,
  type CallResult,
  login,
  postWithToken,
  register,
  registerAdmin,
  startTestServer,
  TEST_ENV,
  type TestServer,
} from '../../support/http_harness.ts'

const PASSWORD = 'correct horse battery'

describe('Audit trail', () => {
  const logs = capturingLogger('info')
  let server: TestServer
  const secrets: string[] = [PASSWORD]

  before(async () => {
    server = await startTestServer(
      {
        RATE_LIMIT: 'on',
        RATE_LIMIT_IP: '1000/1m',
        RATE_LIMIT_LOGIN_USER_IP: '2/15m',
        RATE_LIMIT_LOGIN_USER: '100/1d',
        TOKEN_LOCATION: 'headers,cookies',
        COOKIE_SECURE: 'false',
      },
      {},
      logs.logger,
    )
  })
  after(() => server.close())

  /** The audit lines of `event` written while `run` ran. */
  async function linesOf(event: string, run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
    const from = logs.lines.length
    await run()
    return logs.lines.slice(from).map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) =>
      entry.audit === true && entry.event === event
    )
  }
  const track = <T extends { accessToken: string; refreshToken: string }>(tokens: T): T => {
    secrets.push(tokens.accessToken, tokens.refreshToken)
    return tokens
  }
  const withId = (result: CallResult) => result.headers.get('x-request-id')
  async function counted(event: string): Promise<number> {
    const text: string = (await call(server.url, '/metrics')).body
    const line = text.split('\n').find((each) => each.startsWith(`hexauth_audit_events_total{event="${event}"}`))
    return Number(line?.split(' ')[1])
  }

  it('registered: subject, username, client address and request id', async () => {
    let id: string | null = null
    const before = await counted('registered')
    const [line] = await linesOf('registered', async () => {
      const result = await call(server.url, '/registration', {
        json: { username: 'audited', password: PASSWORD },
        headers: { 'x-request-id': 'req-audit-1' },
      })
      track({ accessToken: result.body.access_token, refreshToken: result.body.refresh_token })
      id = withId(result)
    })
    expect(line).to.include({ event: 'registered', username: 'audited', ip: '127.0.0.1', req_id: 'req-audit-1' })
    expect(line!.sub).to.be.a('string').with.length(36)
    expect(id).to.equal('req-audit-1')
    expect(await counted('registered')).to.equal(before + 1)
  })

  it('login_succeeded', async () => {
    await register(server.url, 'logger_in')
    const ok = await linesOf('login_succeeded', async () => track(await login(server.url, 'logger_in')))
    expect(ok).to.have.length(1)
    expect(ok[0]).to.include({ username: 'logger_in', ip: '127.0.0.1' })
  })

  it('login_failed, with the username tried, for a login and for a wrong current password', async () => {
    await register(server.url, 'failer')
    const failed = await linesOf(
      'login_failed',
      () => call(server.url, '/login', { json: { username: 'failer', password: 'wrong password' } }),
    )
    expect(failed).to.have.length(1)
    expect(failed[0]).to.include({ username: 'failer', ip: '127.0.0.1' })
    const session = track(await register(server.url, 'failer2'))
    const wrong = await linesOf(
      'login_failed',
      () =>
        call(server.url, '/password', {
          token: session.accessToken,
          json: { current_password: 'wrong wrong', new_password: 'whatever passphrase' },
        }),
    )
    expect(wrong).to.have.length(1)
    expect(wrong[0]).to.include({ username: 'failer2' })
  })

  it('rate_limited', async () => {
    await register(server.url, 'hammered')
    const lines = await linesOf('rate_limited', async () => {
      for (let i = 0; i < 3; i++) {
        await call(server.url, '/login', { json: { username: 'hammered', password: 'wrong password' } })
      }
    })
    expect(lines).to.have.length(1)
    expect(await counted('rate_limited')).to.be.at.least(1)
  })

  it('refresh_reused', async () => {
    const session = track(await register(server.url, 'reuser'))
    await postWithToken(server.url, '/token/refresh', session.refreshToken)
    // The grace window is 10 s by default: a server with none shows the reuse at once.
    const strict = await startTestServer({ REFRESH_REUSE_GRACE: '0s' }, {}, logs.logger)
    try {
      const tokens = track(await register(strict.url, 'reuser2'))
      await postWithToken(strict.url, '/token/refresh', tokens.refreshToken)
      const lines = await linesOf(
        'refresh_reused',
        () => postWithToken(strict.url, '/token/refresh', tokens.refreshToken),
      )
      expect(lines).to.have.length(1)
      expect(lines[0]!.sub).to.be.a('string').with.length(36)
    } finally {
      await strict.close()
    }
  })

  it('logged_out, for every logout route', async () => {
    const routes = ['/logout', '/logout/access', '/logout/all']
    for (const route of routes) {
      const session = track(await register(server.url, `leaver_${route.length}`))
      const lines = await linesOf('logged_out', () => postWithToken(server.url, route, session.accessToken))
      expect(lines, route).to.have.length(1)
      expect(lines[0]).to.include({ username: `leaver_${route.length}` })
    }
    const session = track(await register(server.url, 'leaver_refresh'))
    expect(await linesOf('logged_out', () => postWithToken(server.url, '/logout/refresh', session.refreshToken))).to
      .have.length(1)
  })

  it('sessions_revoked', async () => {
    const session = track(await register(server.url, 'pruner'))
    track(await login(server.url, 'pruner'))
    const lines = await linesOf(
      'sessions_revoked',
      () => call(server.url, '/sessions', { method: 'DELETE', token: session.accessToken }),
    )
    expect(lines).to.have.length(1)
    expect(lines[0]).to.include({ username: 'pruner' })
  })

  it('password_changed', async () => {
    const session = track(await register(server.url, 'changer'))
    const lines = await linesOf(
      'password_changed',
      () =>
        call(server.url, '/password', {
          token: session.accessToken,
          json: { current_password: PASSWORD, new_password: 'a whole new passphrase' },
        }),
    )
    expect(lines).to.have.length(1)
    secrets.push('a whole new passphrase')
  })

  it('account_deleted', async () => {
    const session = track(await register(server.url, 'quitter'))
    const lines = await linesOf(
      'account_deleted',
      () => call(server.url, '/me', { method: 'DELETE', token: session.accessToken, json: { password: PASSWORD } }),
    )
    expect(lines).to.have.length(1)
    expect(lines[0]).to.include({ username: 'quitter' })
  })

  it('users_deleted', async () => {
    const admin = track(await registerAdmin(server))
    await register(server.url, 'doomed')
    const lines = await linesOf(
      'users_deleted',
      () => call(server.url, '/users/doomed', { method: 'DELETE', token: admin.accessToken }),
    )
    expect(lines).to.have.length(1)
    expect(lines[0]).to.include({ username: 'admin' })
  })

  it('csrf_failed', async () => {
    const lines = await linesOf(
      'csrf_failed',
      () =>
        call(server.url, '/logout/all', {
          method: 'POST',
          headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
        }),
    )
    expect(lines).to.have.length(1)
  })

  it('admin_changed, from the CLI', async () => {
    const cliLogs = capturingLogger('info')
    const c = createContainer(loadConfig(TEST_ENV), cliLogs.logger, {
      revocations: new MemoryRevocationStore({ clock: new SystemClock() }),
    })
    try {
      expect(await runCli(['register', 'promoted'], memoryIo(`${PASSWORD}\n`), c)).to.equal(0)
      expect(await runCli(['promote', 'promoted'], memoryIo(), c)).to.equal(0)
      const lines = cliLogs.entries().filter((entry) => entry.event === 'admin_changed')
      expect(lines).to.have.length(1)
      expect(lines[0]).to.include({ audit: true, username: 'promoted', is_admin: true, by: 'cli' })
    } finally {
      await disposeContainer(c)
    }
  })

  it('never writes a password, a token or a hash, on any line', () => {
    const text = logs.lines.join('\n')
    for (const secret of secrets) expect(text.includes(secret), 'a secret in the log').to.equal(false)
    expect(text).to.not.match(/\$argon2|eyJ[\w-]{10,}\./)
    expect(logs.entries().filter((entry) => entry.audit === true).length).to.be.at.least(12)
  })
})
