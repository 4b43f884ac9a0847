import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { Redis, type RedisOptions } from 'ioredis'
import { parse } from 'yaml'
import { Feed } from '../../src/adapters/container.ts'
import { call, login, postWithToken, register, startTestServer, type TestServer } from '../support/http_harness.ts'
import { freePort, LocalRedis, redisServerOnPath } from '../support/redis_server.ts'
import { requireOrSkip } from '../support/requirements.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

// The compose stack's Redis users, for real: deploy/make_secrets.sh renders the ACL template
// with a fresh password, a redis-server loads it with --aclfile (as the compose service does),
// and hexauth runs every Redis-backed flow as the `hexauth` user. A test-only `observer` user,
// appended to a copy of the file, reads ACL LOG: any command hexauth was refused shows there,
// even one whose failure hexauth ignores.
describe('Redis ACL of the compose stack', function () {
  this.timeout(30_000)
  let secrets = ''
  let redis: LocalRedis | undefined
  let password = ''
  const observerPassword = crypto.randomUUID()
  const opened: Redis[] = []

  /** A connection to the test server: `user` with `pass`, or none at all. */
  function connect(options: RedisOptions = {}): Redis {
    const client = new Redis({
      host: '127.0.0.1',
      port: redis!.port,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      ...options,
    })
    client.on('error', () => {})
    opened.push(client)
    return client
  }
  const asHexauth = () => connect({ username: 'hexauth', password })
  const asObserver = () => connect({ username: 'observer', password: observerPassword })

  before(async function () {
    requireOrSkip(
      this,
      'redis-server',
      redisServerOnPath(),
      'Redis ACL suite: no redis-server on PATH (apt-get install redis-server)',
    )
    secrets = mkdtempSync(join(tmpdir(), 'hexauth-compose-secrets-'))
    const made = spawnSync('sh', ['deploy/make_secrets.sh', secrets], { cwd: root, encoding: 'utf8' })
    expect(made.status, made.stderr).to.equal(0)
    password = readFileSync(join(secrets, 'redis_password'), 'utf8').replace(/\n$/, '')
    const aclFile = join(secrets, 'observed.acl')
    writeFileSync(
      aclFile,
      `${readFileSync(join(secrets, 'redis_users.acl'), 'utf8')}user observer on >${observerPassword} ~* &* +@all\n`,
    )
    redis = new LocalRedis(await freePort())
    await redis.start({ args: ['--aclfile', aclFile] })
  })

  after(async () => {
    for (const client of opened) client.disconnect()
    await redis?.stop()
    if (secrets !== '') rmSync(secrets, { recursive: true, force: true })
  })

  /** hexauth on the test server as `hexauth`, rate limits on, the near-cache on or off. */
  function startHexauth(revocationCache: 'on' | 'off'): Promise<TestServer> {
    return startTestServer({
      REDIS_URL: `redis://hexauth@127.0.0.1:${redis!.port}`,
      REDIS_PASSWORD: password,
      REDIS_KEY_PREFIX: 'hexauth:', // what the ACL allows, and the default
      RATE_LIMIT: 'on',
      RATE_LIMIT_IP: '10000/1m',
      RATE_LIMIT_LOGIN_USER_IP: '1000/15m',
      RATE_LIMIT_LOGIN_USER: '1000/1d',
      REVOCATION_CACHE: revocationCache,
      REFRESH_REUSE_GRACE: '0',
    })
  }

  for (const cache of ['on', 'off'] as const) {
    it(`serves every Redis-backed flow as the hexauth user, near-cache ${cache}, and Redis refuses it nothing`, async () => {
      const observer = asObserver()
      await observer.flushall()
      // A counter left without expiry: the rate limiter's script then sets one (EXPIRE).
      await observer.set('hexauth:rl:ip:127.0.0.1', '0')
      await observer.call('ACL', 'LOG', 'RESET')
      const server = await startHexauth(cache)
      try {
        if (cache === 'on') {
          const feed = await server.container.getAsync(Feed)
          for (let i = 0; i < 100 && !feed.live; i++) await new Promise((r) => setTimeout(r, 20))
          expect(feed.live, 'the near-cache feed subscribed and resynced').to.equal(true)
        }
        await exerciseEveryFlow(server.url)
      } finally {
        await server.close()
      }
      // Nothing hexauth sent was refused (even what it ignores a refusal of), and all it
      // wrote is under its prefix.
      expect(await observer.call('ACL', 'LOG')).to.deep.equal([])
      expect(await observer.ttl('hexauth:rl:ip:127.0.0.1')).to.be.above(0)
      const keys = await observer.keys('*')
      expect(keys).to.include('hexauth:revoked:epoch')
      expect(keys.filter((key) => !key.startsWith('hexauth:'))).to.deep.equal([])
    })
  }

  it('grants what hexauth sends only in some set-ups or soon: SELECT, QUIT, WAIT and INFO', async () => {
    const client = asHexauth()
    expect(await client.select(1)).to.equal('OK') // REDIS_URL naming a database
    expect(await client.call('WAIT', '0', '0')).to.equal(0) // replica acknowledgement of a revocation
    expect(await client.info('server')).to.match(/redis_version:\d+\.\d+/) // the version check
    expect(await client.quit()).to.equal('OK')
  })

  const refused: ReadonlyArray<readonly [string, readonly string[]]> = [
    ['GET a key outside the prefix', ['GET', 'other:key']],
    ['DEL a key outside the prefix', ['DEL', 'other:key']],
    ['SET a key outside the prefix', ['SET', 'other:key', '1']],
    ['FLUSHALL', ['FLUSHALL']],
    ['CONFIG GET *', ['CONFIG', 'GET', '*']],
    ['KEYS *', ['KEYS', '*']],
    ['ACL SETUSER', ['ACL', 'SETUSER', 'hexauth', '+@all']],
    ['EVAL on a key outside the prefix', ['EVAL', 'return 1', '1', 'other:key']],
  ]
  for (const [what, command] of refused) {
    it(`refuses the hexauth user ${what} (NOPERM)`, async () => {
      const client = asHexauth()
      const [name, ...args] = command
      const error = await client.call(name!, ...args).then(() => undefined, (e: Error) => e)
      expect(error?.message).to.match(/^NOPERM/)
    })
  }

  it('lets the hexauth user read and delete under its prefix (the control for the refusals)', async () => {
    const client = asHexauth()
    expect(await client.set('hexauth:acl-test', '1')).to.equal('OK')
    expect(await client.get('hexauth:acl-test')).to.equal('1')
    expect(await client.del('hexauth:acl-test')).to.equal(1)
  })

  it('refuses the hexauth user a channel outside the prefix (NOPERM), and grants its own', async () => {
    const error = await asHexauth().subscribe('other').then(() => undefined, (e: Error) => e)
    expect(error?.message).to.match(/^NOPERM/)
    expect(await asHexauth().subscribe('hexauth:revocations')).to.equal(1)
  })

  it('keeps the default user off: nothing runs unauthenticated, and no password logs it in', async () => {
    const anonymous = connect({ protocol: 2, enableReadyCheck: false, lazyConnect: true })
    await anonymous.connect()
    const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (e: Error) => e.message)
    expect(await refusal(anonymous.ping())).to.match(/^NOAUTH/)
    expect(await refusal(anonymous.get('hexauth:x'))).to.match(/^NOAUTH/)
    for (const attempt of [[password], ['default', password], ['default', 'nopass'], ['default', '']]) {
      expect(await refusal(anonymous.call('AUTH', ...attempt)), attempt.join(' ')).to.match(/^WRONGPASS/)
    }
    expect(await refusal(anonymous.ping())).to.match(/^NOAUTH/)
  })

  it('passes the compose healthcheck with the default user off, and its user may only PING', async () => {
    const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'))
    const [kind, command] = compose.services.redis.healthcheck.test as string[]
    expect(kind).to.equal('CMD-SHELL')
    const local = command!.replace(/^redis-cli /, `redis-cli -h 127.0.0.1 -p ${redis!.port} `)
    expect(local).to.not.equal(command)
    expect(spawnSync('sh', ['-c', local], { encoding: 'utf8' }).status).to.equal(0)
    const healthcheck = connect({ username: 'healthcheck', password: 'anything', enableReadyCheck: false })
    expect(await healthcheck.ping()).to.equal('PONG')
    const error = await healthcheck.get('hexauth:x').then(() => undefined, (e: Error) => e)
    expect(error?.message).to.match(/^NOPERM/)
  })

  it('src/main.ts takes every secret from its file, reaches Redis as hexauth and logs none at debug level', async function () {
    const main = await startMain({
      KEY_ENCRYPTION_SECRET_FILE: join(secrets, 'key_encryption_secret'),
      REDIS_URL: `redis://hexauth@127.0.0.1:${redis!.port}`,
      REDIS_PASSWORD_FILE: join(secrets, 'redis_password'),
    })
    const mongoPort = await freePort() // nothing listens there: MongoDB is unavailable
    const withMongo = await startMain({
      KEY_ENCRYPTION_SECRET_FILE: join(secrets, 'key_encryption_secret'),
      REDIS_URL: `redis://hexauth@127.0.0.1:${redis!.port}`,
      REDIS_PASSWORD_FILE: join(secrets, 'redis_password'),
      MONGO_URL: `mongodb://hexauth@127.0.0.1:${mongoPort}/hexauth?authSource=hexauth`,
      MONGO_PASSWORD_FILE: join(secrets, 'mongo_hexauth_password'),
      MONGO_TIMEOUT_MS: '300',
    })
    try {
      const tokens = await register(main.url, 'bob')
      expect((await call(main.url, '/secret', { token: tokens.accessToken })).status).to.equal(200)
      expect((await postWithToken(main.url, '/logout/all', tokens.accessToken)).status).to.equal(200)
      expect((await call(main.url, '/readyz')).body.checks).to.deep.equal({ redis: 'ok' })
      const ready = await call(withMongo.url, '/readyz')
      expect(ready.body.checks).to.deep.equal({ mongodb: 'unavailable', redis: 'ok' })
      expect(
        (await call(withMongo.url, '/registration', { json: { username: 'bob', password: 'correct horse battery' } }))
          .status,
      ).to.equal(503)
    } finally {
      await main.stop()
      await withMongo.stop()
    }
    const output = main.output() + withMongo.output()
    expect(output).to.match(/"level":20/) // debug lines were written
    expect(output).to.not.match(/JWT_SECRET is not set/)
    for (const name of ['key_encryption_secret', 'redis_password', 'mongo_hexauth_password']) {
      const secret = readFileSync(join(secrets, name), 'utf8').replace(/\n$/, '')
      expect(output, name).to.not.contain(secret)
      expect(output, name).to.not.contain(encodeURIComponent(secret))
    }
  })
})

/** Register, a failed and a good login, /secret, refresh and its reuse, every logout, /readyz. */
async function exerciseEveryFlow(url: string): Promise<void> {
  await register(url, 'alice')
  const wrong = await call(url, '/login', { json: { username: 'alice', password: 'not the password' } })
  expect(wrong.status).to.equal(401) // counted by the rate limiter
  const session = await login(url, 'alice') // checks the counts, then clears this address's
  expect((await call(url, '/secret', { token: session.accessToken })).status).to.equal(200)

  const refreshed = await postWithToken(url, '/token/refresh', session.refreshToken)
  expect(refreshed.status).to.equal(200)
  const reused = await postWithToken(url, '/token/refresh', session.refreshToken)
  expect(reused.status).to.equal(401)
  expect(reused.body.error).to.equal('token_reused')

  const other = await login(url, 'alice')
  expect((await postWithToken(url, '/logout/access', other.accessToken)).status).to.equal(200)
  expect((await call(url, '/secret', { token: other.accessToken })).body.error).to.equal('token_revoked')
  expect((await postWithToken(url, '/logout/refresh', other.refreshToken)).status).to.equal(200)

  // Twice: the second revocation of the user extends the first (the script's other branch).
  for (let i = 0; i < 2; i++) {
    const last = await login(url, 'alice')
    expect((await postWithToken(url, '/logout/all', last.accessToken)).status).to.equal(200)
    expect((await call(url, '/secret', { token: last.accessToken })).body.error).to.equal('token_revoked')
  }

  const ready = await call(url, '/readyz')
  expect(ready.status, JSON.stringify(ready.body)).to.equal(200)
  expect(ready.body.checks).to.deep.equal({ redis: 'ok' })
}

interface StartedMain {
  readonly url: string
  readonly output: () => string
  stop(): Promise<void>
}

/** `src/main.ts` as a process at LOG_LEVEL=debug, with `env` and nothing of this one's but PATH. */
async function startMain(env: Readonly<Record<string, string>>): Promise<StartedMain> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'debug',
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk) => {
    output += chunk
  })
  child.stderr!.on('data', (chunk) => {
    output += chunk
  })
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    await exited
  }
  for (let i = 0; i < 200 && child.exitCode === null; i++) {
    const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]
    if (port !== undefined) return { url: `http://127.0.0.1:${port}`, output: () => output, stop }
    await new Promise((r) => setTimeout(r, 50))
  }
  await stop()
  throw new Error(`src/main.ts did not start:\n${output}`)
}
