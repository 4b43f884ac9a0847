import { describe, it } from 'mocha'
import { expect } from 'chai'
import { loadConfig } from '../../src/adapters/config.ts'
import { createContainer, disposeContainer, HttpApp, SERVICE_IDS } from '../../src/adapters/container.ts'
import { createLogger } from '../../src/adapters/logger.ts'
import { MemoryUserRepository } from '../../src/adapters/memory/user_repository.ts'
import { UserRepository } from '../../src/application/ports/user_repository.ts'
import { Login } from '../../src/application/login.ts'
import { TEST_ENV } from '../support/http_harness.ts'

describe('createContainer', () => {
  const build = (overrides = {}) =>
    createContainer(loadConfig(TEST_ENV), createLogger('silent'), overrides)

  it('resolves every binding it declares', async () => {
    const container = build()
    for (const id of SERVICE_IDS) {
      expect(container.isBound(id), String(id)).to.equal(true)
      expect(await container.getAsync(id), String(id)).to.not.equal(undefined)
    }
    await disposeContainer(container)
  })

  it('gives one instance per binding', async () => {
    const container = build()
    expect(await container.getAsync(Login)).to.equal(await container.getAsync(Login))
    expect(await container.getAsync(HttpApp)).to.equal(await container.getAsync(HttpApp))
  })

  it('uses a store passed as an override instead of the default one', async () => {
    const users = new MemoryUserRepository()
    const container = build({ users })
    expect(await container.getAsync(UserRepository)).to.equal(users)
  })

  it('unbinds everything on dispose', async () => {
    const container = build()
    await container.getAsync(HttpApp)
    await disposeContainer(container)
    expect(container.isBound(Login)).to.equal(false)
  })
})
