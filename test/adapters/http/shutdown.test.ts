import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { describe, it } from 'mocha'
import { expect } from 'chai'
import { loadConfig } from '../../../src/adapters/config.ts'
import { createContainer, disposeContainer, HttpApp, InFlight } from '../../../src/adapters/container.ts'
import { shutDown } from '../../../src/adapters/http/shutdown.ts'
import { createLogger } from '../../../src/adapters/logger.ts'
import { MemoryRevocationStore } from '../../../src/adapters/memory/revocation_store.ts'
import { SystemClock } from '../../../src/adapters/system_clock.ts'
import { CheckClaims } from '../../../src/application/check_claims.ts'
import { RegisterUser } from '../../../src/application/register_user.ts'
import { Gates } from '../../support/gates.ts'
import { call, login, TEST_ENV } from '../../support/http_harness.ts'

/** The blocklist, with subject revocations that stop at a gate when gates are set. */
class GatedRevocations extends MemoryRevocationStore {
  gates: Gates | undefined
  readonly events: string[] = []

  override async revokeSubject(sub: string, issuedUpTo: number, expiresAt: number): Promise<void> {
    await this.gates?.pass()
    await super.revokeSubject(sub, issuedUpTo, expiresAt)
    this.events.push('revoked')
  }
}

async function serve() {
  const revocations = new GatedRevocations({ clock: new SystemClock() })
  const container = createContainer(loadConfig({ ...TEST_ENV, SHUTDOWN_TIMEOUT: '0' }), createLogger('silent'), {
    revocations,
  })
  const app = await container.getAsync(HttpApp)
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  await (await container.getAsync(RegisterUser)).execute({ username: 'admin', password: 'admin-password' }, {
    byOperator: true,
  })
  await call(url, '/registration', { json: { username: 'doomed', password: 'doomed-password' } })
  return { revocations, container, server, url, inFlight: await container.getAsync(InFlight) }
}

describe('shutDown', () => {
  it('lets a handler cut off by the timeout finish its store work before the stores close', async () => {
    const { revocations, container, server, url, inFlight } = await serve()
    const admin = await login(url, 'admin', 'admin-password')
    const doomed = await login(url, 'doomed', 'doomed-password')
    const checkClaims = await container.getAsync(CheckClaims)
    revocations.gates = new Gates()
    const deletion = call(url, '/users/doomed', { method: 'DELETE', token: admin.accessToken }).then(
      () => 'answered',
      () => 'cut off',
    )
    await revocations.gates.at(0).reached // the delete is under way
    const stopped = shutDown({
      server,
      inFlight,
      logger: createLogger('silent'),
      timeoutMs: 0,
      drainMs: 60_000,
      dispose: async () => {
        revocations.events.push('disposed')
        await disposeContainer(container)
      },
    })
    expect(await deletion).to.equal('cut off') // the timeout closed its connection...
    expect(revocations.events).to.deep.equal([]) // ...and the stores stay open for it
    revocations.gates.openAll()
    await stopped
    expect(revocations.events).to.deep.equal(['revoked', 'revoked', 'disposed'])
    const check = await checkClaims.execute({ token: doomed.accessToken, type: 'access' }).then(
      () => 'accepted',
      (e) => e.code,
    )
    expect(check).to.equal('token_revoked')
  })

  it('closes the stores anyway once the drain period is over, so a hung store cannot hold the process', async () => {
    const { revocations, container, server, url, inFlight } = await serve()
    const admin = await login(url, 'admin', 'admin-password')
    revocations.gates = new Gates()
    const deletion = call(url, '/users/doomed', { method: 'DELETE', token: admin.accessToken }).catch(() => 'cut off')
    await revocations.gates.at(0).reached
    let disposed = false
    await shutDown({
      server,
      inFlight,
      logger: createLogger('silent'),
      timeoutMs: 0,
      drainMs: 50,
      dispose: async () => {
        disposed = true
        await disposeContainer(container)
      },
    })
    expect(disposed).to.equal(true)
    expect(inFlight.count).to.equal(1) // still stuck at its gate
    revocations.gates.openAll()
    await deletion
  })
})
