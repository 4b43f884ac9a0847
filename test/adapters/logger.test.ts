import { describe, it } from 'mocha'
import { expect } from 'chai'
import { MemoryUserRepository } from '../../src/adapters/memory/user_repository.ts'
import { call, register, startTestServer } from '../support/http_harness.ts'
import { capturingLogger } from '../support/log_capture.ts'

describe('createLogger', () => {
  it('redacts passwords, tokens, the Authorization header and cookies wherever a caller puts them', () => {
    const { logger, lines } = capturingLogger()
    logger.info({
      password: 'hunter2-password',
      body: { password: 'nested-password', access_token: 'eyJ.access', refresh_token: 'eyJ.refresh' },
      req: { headers: { authorization: 'Bearer eyJ.header', cookie: 'session=abc' } },
      token: 'eyJ.bare',
    }, 'request')
    const text = lines.join('')
    for (
      const secret of [
        'hunter2-password',
        'nested-password',
        'eyJ.access',
        'eyJ.refresh',
        'eyJ.header',
        'session=abc',
        'eyJ.bare',
      ]
    ) {
      expect(text).to.not.contain(secret)
    }
    expect(text).to.contain('[redacted]')
  })

  it('redacts the store URLs of the configuration, which carry REDIS_PASSWORD and MONGO_PASSWORD', () => {
    const { logger, lines } = capturingLogger()
    const config = {
      redisUrl: 'redis://hexauth:redis-pw-1@redis:6379',
      mongoUrl: 'mongodb://hexauth:mongo-pw-2@mongo/hexauth',
    }
    logger.debug({ config, ...config }, 'configuration')
    const text = lines.join('')
    expect(text).to.contain('configuration')
    for (const secret of ['redis-pw-1', 'mongo-pw-2']) expect(text).to.not.contain(secret)
  })

  it('redacts KEY_ENCRYPTION_SECRET from the configuration, and sealed keys, wherever they are logged', () => {
    const { logger, lines } = capturingLogger()
    const keys = { encryptionSecret: 'sealing-secret-3', mode: 'managed' }
    logger.debug({
      config: { keys },
      keys,
      key: { kid: 'k1', sealed: 'A256GCM.sealed-4' },
      encryptionSecret: 'sealing-secret-5',
    }, 'keys')
    const text = lines.join('')
    expect(text).to.contain('managed').and.contain('k1')
    for (const secret of ['sealing-secret-3', 'sealed-4', 'sealing-secret-5']) expect(text).to.not.contain(secret)
  })
})

describe('Logs of the HTTP app', () => {
  it('hold no password and no token, even when a request fails with a 500', async () => {
    const { logger, lines } = capturingLogger()
    class BrokenUsers extends MemoryUserRepository {
      override findByUsername(): never {
        throw new Error('store exploded')
      }
    }
    const healthy = await startTestServer({ LOG_LEVEL: 'trace' }, {}, logger)
    const broken = await startTestServer({ LOG_LEVEL: 'trace' }, { users: new BrokenUsers() }, logger)
    try {
      const password = 'a-very-distinctive-password'
      const tokens = await register(healthy.url, 'logged-user', password)
      await call(healthy.url, '/login', { json: { username: 'logged-user', password } })
      await call(healthy.url, '/login', { json: { username: 'logged-user', password: `${password}-wrong` } })
      await call(healthy.url, '/token/refresh', { method: 'POST', token: tokens.refreshToken })
      const failed = await call(broken.url, '/login', { json: { username: 'logged-user', password } })
      expect(failed.status).to.equal(500)
      const text = lines.join('')
      expect(text).to.contain('store exploded') // the 500 was logged…
      expect(text).to.not.contain(password) // …without the password
      expect(text).to.not.contain(tokens.accessToken.split('.')[2])
      expect(text).to.not.contain(tokens.refreshToken.split('.')[2])
    } finally {
      await healthy.close()
      await broken.close()
    }
  })
})
