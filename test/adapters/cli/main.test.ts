import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { type CliRun, spawnCli, type SpawnOptions } from '../../support/cli_harness.ts'
import { TEST_KEY_ENCRYPTION_SECRET } from '../../support/http_harness.ts'
import { acquireRedisOrSkip, freePort, type RedisHandle } from '../../support/redis_server.ts'
import { requireOrSkip } from '../../support/requirements.ts'

const PASSWORD = 'correct horse battery'
const MEMORY_WARNING = /^hexauth: warning: in-memory stores: users, signing keys, revocations end with this command/

// Each case is a process of its own (memory stores start empty in each); they all start in
// `before`, a few at a time, and each test reads the one it needs.
describe('hexauth command (src/adapters/cli/main.ts as a process)', () => {
  const runs = new Map<string, Promise<CliRun>>()
  const start = (name: string, argv: string[], options: SpawnOptions = {}) => {
    const run = spawnCli(argv, options)
    run.catch(() => {}) // read by the test; a failure to spawn fails it there
    runs.set(name, run)
  }
  const result = (name: string) => runs.get(name)!

  before(async () => {
    const closed = await freePort()
    start('help', ['--help'])
    start('unknown command', ['frob'])
    start('missing username', ['promote'])
    start('password option', ['register', 'alice', `--password=${PASSWORD}`])
    start('register', ['register', 'alice'], { stdin: `${PASSWORD}\n` })
    start('bad username', ['register', 'a b'], { stdin: `${PASSWORD}\n` })
    start('short password', ['register', 'alice'], { stdin: 'short12\n' })
    start('no password', ['register', 'alice'])
    start('promote unknown', ['promote', 'nobody'])
    start('revoke-all unknown', ['revoke-all', 'nobody'])
    start('list-users', ['list-users'])
    const mongoDown = {
      MONGO_URL: `mongodb://127.0.0.1:${closed}/hexauth`,
      MONGO_TIMEOUT_MS: '300',
      KEY_ENCRYPTION_SECRET: TEST_KEY_ENCRYPTION_SECRET,
    }
    start('register mongo down', ['register', 'alice'], { stdin: `${PASSWORD}\n`, env: mongoDown })
    start('bad secret', ['list-users'], { env: { JWT_SECRET: 'jwt-secret-string' } })
    start('bin', ['list-users', '--json'], { command: [process.execPath, 'bin/hexauth.js'] })
    // The service's hashing setting, with no UV_THREADPOOL_SIZE: the CLI hashes one at a time.
    start('service hashing', ['register', 'alice'], { stdin: `${PASSWORD}\n`, env: { ARGON2_CONCURRENCY: '8' } })
  })

  it('prints the usage on stdout for --help and exits 0', async () => {
    const run = await result('help')
    expect(run.code).to.equal(0)
    expect(run.stdout).to.match(/^Usage: hexauth <command>/)
    expect(run.stderr).to.equal('')
  })

  it('exits 64 with the usage on stderr for an unknown command or a missing username', async () => {
    for (
      const [name, message] of [
        ['unknown command', 'Cannot run "frob": unknown command'],
        ['missing username', 'Cannot run promote: missing <username>'],
      ] as const
    ) {
      const run = await result(name)
      expect(run.code, name).to.equal(64)
      expect(run.stderr.startsWith(`hexauth: ${message}\n\nUsage: hexauth`), run.stderr).to.equal(true)
      expect(run.stdout, name).to.equal('')
    }
  })

  it('refuses a password on the command line with 64, without printing it', async () => {
    const run = await result('password option')
    expect(run.code).to.equal(64)
    expect(run.stderr).to.match(/passwords are never taken from the command line/)
    expect(run.stdout + run.stderr).to.not.include(PASSWORD)
  })

  it('registers a user from standard input, printing no password and no token', async () => {
    const run = await result('register')
    expect(run.code, run.stderr).to.equal(0)
    expect(run.stdout).to.equal('User alice was created\n')
    expect(run.stderr).to.match(MEMORY_WARNING)
    expect(run.stdout + run.stderr).to.not.include(PASSWORD)
    expect(run.stdout + run.stderr).to.not.match(/eyJ/)
  })

  it('exits 65 (invalid_request) for a bad username, a short password or none', async () => {
    for (
      const [name, pattern] of [
        ['bad username', /hexauth: Invalid username: it may contain only letters.*\(invalid_request\)\n$/],
        [
          'short password',
          /hexauth: Invalid credentials format: password must be 8 to 1024 characters long \(invalid_request\)\n$/,
        ],
        ['no password', /hexauth: Invalid password: it is required \(invalid_request\)\n$/],
      ] as const
    ) {
      const run = await result(name)
      expect(run.code, name).to.equal(65)
      expect(run.stderr, name).to.match(pattern)
      expect(run.stderr, name).to.not.include('short12')
    }
  })

  it('exits 67 (not_found) for promote of an unknown user', async () => {
    const run = await result('promote unknown')
    expect(run.code).to.equal(67)
    expect(run.stderr).to.match(/"nobody": no such user \(not_found\)\n$/)
    expect(run.stdout).to.equal('')
  })

  it('exits 69 naming REDIS_URL for revoke-all without it: a revocation in its memory would reach no instance', async () => {
    const run = await result('revoke-all unknown')
    expect(run.code).to.equal(69)
    expect(run.stderr).to.match(/Cannot run revoke-all: REDIS_URL is not set.*\(service_unavailable\)\n$/)
    expect(run.stdout).to.equal('')
  })

  it('lists users as a table (none: memory stores start empty)', async () => {
    expect(await result('list-users')).to.include({ code: 0, stdout: 'USERNAME  ADMIN  CREATED  ID\n' })
  })

  it('exits 69 (service_unavailable) within the timeout when MongoDB cannot be reached', async () => {
    const run = await result('register mongo down')
    expect(run.code, run.stderr).to.equal(69)
    expect(run.stderr).to.match(
      /hexauth: Cannot reach the user store: MongoDB is unavailable \(service_unavailable\)\n$/,
    )
  })

  it('exits 78 for an invalid configuration, naming the variable', async () => {
    expect(await result('bad secret')).to.include({ code: 78, stdout: '' })
    expect((await result('bad secret')).stderr).to.match(/^hexauth: Invalid configuration: JWT_SECRET/)
  })

  it('runs from the package bin, bin/hexauth.js, and prints JSON with --json', async () => {
    const run = await result('bin')
    expect(run.code, run.stderr).to.equal(0)
    expect(run.stdout).to.equal('{"users":[]}\n')
  })

  it("runs with the service's ARGON2_CONCURRENCY though no UV_THREADPOOL_SIZE fits it: one hash at a time", async () => {
    const run = await result('service hashing')
    expect(run.code, run.stderr).to.equal(0)
    expect(run.stdout).to.equal('User alice was created\n')
  })
})

describe('hexauth command on a real Redis (as a process)', () => {
  let redis: RedisHandle | undefined

  before(async function () {
    redis = await acquireRedisOrSkip(this)
  })

  after(async () => {
    await redis?.stop()
  })

  it('connects, answers and exits by itself once the Redis client is closed', async () => {
    const env = { REDIS_URL: redis!.url, REDIS_KEY_PREFIX: `cli:${crypto.randomUUID()}:` }
    const started = Date.now()
    const [revoke, demote] = await Promise.all([
      spawnCli(['revoke-all', 'nobody'], { env }),
      spawnCli(['demote', 'nobody'], { env }),
    ])
    for (const run of [revoke, demote]) {
      expect(run.code, run.stderr).to.equal(67)
      expect(run.stderr).to.match(/^hexauth: warning: in-memory stores: users, signing keys end with this command/)
    }
    expect(Date.now() - started).to.be.below(15_000)
  })
})

describe("hexauth command under Node's native type stripping (the image: node src/adapters/cli/main.ts)", () => {
  it('registers a user with no TypeScript tooling loaded', async function () {
    const bin = process.env.NODE_TYPE_STRIPPING_BIN
    requireOrSkip(
      this,
      'node24',
      bin !== undefined && bin !== '',
      'set NODE_TYPE_STRIPPING_BIN to a Node >= 22.18 binary to run it',
    )
    const command = [bin!, '--disable-warning=ExperimentalWarning', 'src/adapters/cli/main.ts']
    const run = await spawnCli(['register', 'stripped'], { command, stdin: `${PASSWORD}\n` })
    expect(run.code, run.stderr).to.equal(0)
    expect(run.stdout).to.equal('User stripped was created\n')
    const usage = await spawnCli(['frob'], { command })
    expect(usage.code).to.equal(64)
  })
})
