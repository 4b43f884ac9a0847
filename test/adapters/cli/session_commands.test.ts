import { afterEach, describe, it } from 'mocha'
import { expect } from 'chai'
import { runCli } from '../../../src/adapters/cli/run_cli.ts'
import { loadConfig } from '../../../src/adapters/config.ts'
import { type AppContainer, createContainer, disposeContainer } from '../../../src/adapters/container.ts'
import { createLogger } from '../../../src/adapters/logger.ts'
import { MemoryRevocationStore } from '../../../src/adapters/memory/revocation_store.ts'
import { SystemClock } from '../../../src/adapters/system_clock.ts'
import { CheckClaims } from '../../../src/application/check_claims.ts'
import { Login } from '../../../src/application/login.ts'
import { memoryIo } from '../../support/cli_harness.ts'
import { rejectsWith } from '../../support/core_fixtures.ts'
import { TEST_ENV } from '../../support/http_harness.ts'

const PASSWORD = 'correct horse battery'

describe("CLI: sessions, revoke-session, and register's common-password refusal", () => {
  const containers: AppContainer[] = []
  const build = (shared = true) => {
    const overrides = shared ? { revocations: new MemoryRevocationStore({ clock: new SystemClock() }) } : {}
    const container = createContainer(loadConfig(TEST_ENV), createLogger('silent'), overrides)
    containers.push(container)
    return container
  }
  afterEach(async () => {
    for (const container of containers.splice(0)) await disposeContainer(container)
  })
  async function cli(c: AppContainer, argv: string[], stdin = '') {
    const io = memoryIo(stdin)
    const code = await runCli(argv, io, c)
    return { code, out: io.out(), err: io.err() }
  }

  it("lists a user's live sessions as a table and as JSON, with control characters of a user agent made harmless", async () => {
    const c = build()
    await cli(c, ['register', 'alice'], `${PASSWORD}\n`)
    const login = await c.getAsync(Login)
    const session = await login.execute({ username: 'alice', password: PASSWORD }, {
      userAgent: 'evil\u001b[2J agent',
      ip: '192.0.2.5',
    })
    const table = await cli(c, ['sessions', 'alice'])
    expect(table.code).to.equal(0)
    expect(table.out.split('\n')[0]).to.match(/^ID\s+CREATED\s+LAST USED\s+ADDRESS\s+USER AGENT$/)
    expect(table.out).to.include(session.sessionId).and.include('192.0.2.5').and.include('evil?[2J agent')
    expect(table.out).to.not.include('\u001b')
    const json = JSON.parse((await cli(c, ['sessions', 'alice', '--json'])).out)
    expect(json.sessions.map((each: { id: string }) => each.id)).to.include(session.sessionId)
    expect(JSON.stringify(json)).to.not.match(/eyJ/)
  })

  it('revokes one session by id: its tokens stop working, it is no longer listed, the others stay', async () => {
    const c = build()
    await cli(c, ['register', 'bob'], `${PASSWORD}\n`)
    const login = await c.getAsync(Login)
    const doomed = await login.execute({ username: 'bob', password: PASSWORD })
    const kept = await login.execute({ username: 'bob', password: PASSWORD })
    expect(await cli(c, ['revoke-session', doomed.sessionId])).to.deep.equal({
      code: 0,
      out: `Revoked session ${doomed.sessionId}: its tokens no longer work\n`,
      err: '',
    })
    const check = await c.getAsync(CheckClaims)
    await rejectsWith(check.execute({ token: doomed.accessToken, type: 'access' }), 'token_revoked')
    await check.execute({ token: kept.accessToken, type: 'access' })
    const listed = (await cli(c, ['sessions', 'bob'])).out
    expect(listed).to.not.include(doomed.sessionId)
    expect(listed).to.include(kept.sessionId)
  })

  it('answers 67 for the sessions of an unknown user, 65 for a malformed session id, 64 for a missing argument', async () => {
    const c = build()
    expect((await cli(c, ['sessions', 'nobody'])).code).to.equal(67)
    expect((await cli(c, ['revoke-session', 'not/an id'])).code).to.equal(65)
    expect((await cli(c, ['revoke-session'])).code).to.equal(64)
    expect((await cli(c, ['sessions'])).code).to.equal(64)
  })

  it("refuses revoke-session with 69 when the blocklist is this process's memory", async () => {
    const c = build(false)
    expect((await cli(c, ['revoke-session', 'some-session'])).code).to.equal(69)
  })

  it('refuses a common password at register with 65, naming it too common, creating nothing', async () => {
    const c = build()
    const refused = await cli(c, ['register', 'carol'], 'iloveyou123\n')
    expect(refused.code).to.equal(65)
    expect(refused.err).to.include('too common')
    expect(refused.err).to.not.include('iloveyou123')
    expect((await cli(c, ['sessions', 'carol'])).code).to.equal(67)
  })
})
