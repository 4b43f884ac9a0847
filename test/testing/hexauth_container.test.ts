import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose'
import type { StartedNetwork, StartedTestContainer } from 'testcontainers'
import {
  CREATE_ADMIN_SCRIPT,
  HEXAUTH_COMMAND,
  HEXAUTH_PORT,
  HexauthContainer,
  type StartedHexauthContainer,
} from '../../src/testcontainers.ts'
import { startHexauth, TEST_ONLY_ARGON2_ENV } from '../../src/testing.ts'
import { type FakeMongo, startFakeMongo } from '../support/fake_mongo.ts'
import { call, isolatedMongoUrl } from '../support/http_harness.ts'
import { buildImageApp, type ImageApp } from '../support/image_app.ts'
import { containerRuntimeAnswers } from '../support/redis_server.ts'
import { requireOrSkip } from '../support/requirements.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const dockerfile = readFileSync(resolve(root, 'Dockerfile'), 'utf8')

/** The configuration a container would be created with: what testcontainers keeps protected. */
class Inspected extends HexauthContainer {
  get env(): Record<string, string> {
    return this.environment
  }
  get envList(): string[] | undefined {
    return this.createOpts.Env
  }
  get command(): string[] | undefined {
    return this.createOpts.Cmd as string[] | undefined
  }
  get ports(): unknown[] {
    return this.exposedPorts
  }
  get wait(): Record<string, unknown> | undefined {
    return this.waitStrategy as unknown as Record<string, unknown> | undefined
  }
  get startupTimeout(): number | undefined {
    return this.startupTimeoutMs
  }
}

describe('hexauth/testcontainers: the container it configures (no runtime needed)', () => {
  it("runs the image's own command, the Dockerfile's CMD", () => {
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1]
    expect(cmd, 'a CMD line in the Dockerfile').to.be.a('string')
    expect(new Inspected('hexauth:test').command).to.deep.equal(JSON.parse(cmd!)).and.deep.equal([...HEXAUTH_COMMAND])
  })

  it('exposes the port the image listens on (EXPOSE and PORT), on all interfaces', () => {
    const container = new Inspected('hexauth:test')
    expect(dockerfile).to.match(new RegExp(`^EXPOSE ${HEXAUTH_PORT}$`, 'm'))
    expect(container.ports).to.deep.equal([HEXAUTH_PORT])
    expect(container.env).to.include({ PORT: String(HEXAUTH_PORT), HOST: '0.0.0.0' })
  })

  it('waits for /readyz on that port to answer 200, for up to two minutes', async () => {
    const { wait, startupTimeout } = new Inspected('hexauth:test')
    expect(wait?.constructor.name).to.equal('HttpWaitStrategy')
    expect({ path: wait?.path, port: wait?.port }).to.deep.equal({ path: '/readyz', port: HEXAUTH_PORT })
    const statusCheck = (wait?.predicates as ((response: { status: number }) => Promise<boolean>)[])[0]!
    expect([await statusCheck({ status: 200 }), await statusCheck({ status: 503 })]).to.deep.equal([true, false])
    expect(startupTimeout).to.equal(120_000)
  })

  it('sets the test-only argon2 parameters, no rate limits and warnings-only logs', () => {
    expect(new Inspected('hexauth:test').env).to.include({
      ...TEST_ONLY_ARGON2_ENV,
      RATE_LIMIT: 'off',
      LOG_LEVEL: 'warn',
    })
  })

  it('withMongo sets MONGO_URL and a random 32-byte KEY_ENCRYPTION_SECRET per container, keeping one already set', () => {
    const a = new Inspected('hexauth:test').withMongo('mongodb://mongo:27017/hexauth')
    const b = new Inspected('hexauth:test').withMongo('mongodb://mongo:27017/hexauth')
    expect(a.env.MONGO_URL).to.equal('mongodb://mongo:27017/hexauth')
    expect(Buffer.from(a.env.KEY_ENCRYPTION_SECRET!, 'base64')).to.have.length(32)
    expect(a.env.KEY_ENCRYPTION_SECRET).not.to.equal(b.env.KEY_ENCRYPTION_SECRET)
    const shared = new Inspected('hexauth:test').withEnvironment({ KEY_ENCRYPTION_SECRET: 'one-for-both' }).withMongo(
      'mongodb://mongo/hexauth',
    )
    expect(shared.env.KEY_ENCRYPTION_SECRET).to.equal('one-for-both')
  })

  it('withRedis sets REDIS_URL', () => {
    expect(new Inspected('hexauth:test').withRedis('redis://redis:6379').env.REDIS_URL).to.equal('redis://redis:6379')
  })

  it('refuses withAdmin without withMongo before anything starts, saying why', async () => {
    const error = await new Inspected('hexauth:test').withAdmin('admin', 'correct horse battery').start().catch((
      e: unknown,
    ) => e)
    expect((error as Error).message).to.contain('withAdmin needs withMongo')
  })

  it('creates each admin by an exec whose command line holds neither the name nor the password', () => {
    const container = new Inspected('hexauth:test').withMongo('mongodb://mongo/hexauth').withAdmin(
      'root',
      'correct horse battery staple',
    )
    const [exec, ...more] = container.adminCommands()
    expect(more).to.have.length(0)
    expect(exec!.command).to.deep.equal(['sh', '-c', CREATE_ADMIN_SCRIPT])
    expect(exec!.command.join(' ')).not.to.contain('correct horse').and.not.to.contain('root')
    expect(exec!.env).to.deep.equal({
      HEXAUTH_ADMIN_USERNAME: 'root',
      HEXAUTH_ADMIN_PASSWORD: 'correct horse battery staple',
    })
  })

  it('creates the container with one entry per variable, the last withEnvironment winning', async () => {
    const container = new Inspected('hexauth:test').withEnvironment({ LOG_LEVEL: 'debug' }).withRedis('redis://a')
      .withRedis('redis://b')
    // No runtime here (or none wanted): start() fails after the options are final.
    await container.withPullPolicy({
      shouldPull: () => {
        throw new Error('stop before pulling')
      },
    }).start().catch(() => {})
    const names = container.envList!.map((entry) => entry.slice(0, entry.indexOf('=')))
    expect(names).to.deep.equal([...new Set(names)])
    expect(container.envList).to.include.members(['LOG_LEVEL=debug', 'REDIS_URL=redis://b'])
  })
})

// The admin script the container execs, run here with Node 24 in a directory laid out as the
// image's /app (package.json, node_modules, src/ compiled to dist/ as its build stage does)
// against the fake MongoDB: the account it makes is an admin the service logs in.
describe('hexauth/testcontainers: the admin script, run against a store the service reads', function () {
  this.timeout(120_000)
  let fake: FakeMongo
  let app: ImageApp | undefined

  before(async () => {
    fake = await startFakeMongo()
  })
  after(async () => {
    await fake.stop()
    app?.remove()
  })

  it('registers and promotes the admin with the password from its environment', async function () {
    const bin = process.env.NODE_TYPE_STRIPPING_BIN
    requireOrSkip(
      this,
      'node24',
      bin !== undefined && bin !== '',
      'set NODE_TYPE_STRIPPING_BIN to a Node >= 22.18 binary to run it',
    )
    app = buildImageApp()
    const mongoUrl = isolatedMongoUrl(fake.url)
    const secret = 'container-test-only-sealing-Lq4wX8nT2vB6yM1kH9pR3cZ7'
    const child = spawn('sh', ['-c', CREATE_ADMIN_SCRIPT], {
      cwd: app.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: `${dirname(bin!)}:${process.env.PATH}`,
        ...TEST_ONLY_ARGON2_ENV,
        LOG_LEVEL: 'warn',
        MONGO_URL: mongoUrl,
        KEY_ENCRYPTION_SECRET: secret,
        HEXAUTH_ADMIN_USERNAME: 'root',
        HEXAUTH_ADMIN_PASSWORD: 'correct horse battery staple',
      },
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    const [code] = await once(child, 'exit') as [number | null]
    expect(code, output).to.equal(0)
    expect(output).not.to.contain('correct horse battery staple')
    const service = await startHexauth({ mongoUrl, env: { KEY_ENCRYPTION_SECRET: secret } })
    try {
      const { accessToken } = await service.login('root', 'correct horse battery staple')
      expect(decodeJwt(accessToken).is_admin).to.equal(true)
      expect((await call(service.url, '/users', { token: accessToken })).status).to.equal(200)
    } finally {
      await service.stop()
    }
  })
})

describe('hexauth/testcontainers: a real start (needs a container runtime)', function () {
  this.timeout(900_000)
  let network: StartedNetwork | undefined
  const started: StartedTestContainer[] = []
  let hexauth: StartedHexauthContainer

  before(async function () {
    if (!await containerRuntimeAnswers()) {
      console.log('      skipped: HexauthContainer start: no container runtime (Docker engine) answered')
      this.skip()
    }
    const { Network } = await import('testcontainers')
    const { MongoDBContainer } = await import('@testcontainers/mongodb')
    const { RedisContainer } = await import('@testcontainers/redis')
    network = await new Network().start()
    started.push(await new MongoDBContainer('mongo:8').withNetwork(network).withNetworkAliases('mongo').start())
    started.push(await new RedisContainer('redis:7-alpine').withNetwork(network).withNetworkAliases('redis').start())
    hexauth = await (await HexauthContainer.build(root, 'hexauth:kit-test'))
      .withNetwork(network)
      .withMongo('mongodb://mongo:27017/hexauth?directConnection=true')
      .withRedis('redis://redis:6379')
      .withAdmin('root', 'correct horse battery staple')
      .start()
    started.push(hexauth)
  })
  after(async () => {
    for (const container of started.reverse()) await container.stop()
    await network?.stop()
  })

  it('answers at getBaseUrl() with the admin made at start, whose token GET /users accepts and jose verifies at getJwksUrl()', async () => {
    const login = await call(hexauth.getBaseUrl(), '/login', {
      json: { username: 'root', password: 'correct horse battery staple' },
    })
    expect(login.status).to.equal(200)
    expect((await call(hexauth.getBaseUrl(), '/users', { token: login.body.access_token })).status).to.equal(200)
    const { payload } = await jwtVerify(login.body.access_token, createRemoteJWKSet(new URL(hexauth.getJwksUrl())), {
      issuer: 'hexauth',
      audience: 'hexauth',
    })
    expect(payload.is_admin).to.equal(true)
  })
})
