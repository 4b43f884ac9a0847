import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { MongoConnection } from '../../../src/adapters/mongo/mongo_connection.ts'
import { spawnCli } from '../../support/cli_harness.ts'
import { isolatedMongoUrl } from '../../support/http_harness.ts'
import { acquireMongo, type MongoHandle } from '../../support/mongo_server.ts'
import { acquireRedis, type RedisHandle } from '../../support/redis_server.ts'

const PASSWORD = 'correct horse battery'

// Users persist in MongoDB, so one process can see what another did: the flows a real
// operator runs, each command a process of its own.
describe('hexauth command on MongoDB (one process per command)', () => {
  let mongo: MongoHandle | undefined
  let env: Record<string, string>

  before(async function () {
    const found = await acquireMongo()
    if (typeof found === 'string') {
      console.log(`      skipped: CLI on MongoDB: ${found}`)
      this.skip()
    }
    mongo = found as MongoHandle
    console.log(`      MongoDB from ${mongo.source}`)
    env = { MONGO_URL: isolatedMongoUrl(mongo.url), MONGO_TIMEOUT_MS: '5000' }
  })

  after(async () => {
    if (mongo === undefined) return
    const connection = new MongoConnection({ url: env.MONGO_URL!, timeoutMs: 5000 })
    await (await connection.connection().catch(() => undefined))?.dropDatabase().catch(() => {})
    await connection.close()
    await mongo.stop()
  })

  async function usersOf(): Promise<Record<string, boolean>> {
    const run = await spawnCli(['list-users', '--json'], { env })
    expect(run.code, run.stderr).to.equal(0)
    const { users } = JSON.parse(run.stdout) as { users: { username: string; is_admin: boolean }[] }
    return Object.fromEntries(users.map((user) => [user.username, user.is_admin]))
  }

  it('registers a user once: the same name in any letter case exits 73 (username_taken)', async () => {
    const first = await spawnCli(['register', 'erin'], { env, stdin: `${PASSWORD}\n` })
    expect(first.code, first.stderr).to.equal(0)
    expect(first.stdout).to.equal('User erin was created\n')
    const again = await spawnCli(['register', 'ERIN'], { env, stdin: 'another password\n' })
    expect(again.code).to.equal(73)
    expect(again.stderr).to.match(/hexauth: Cannot register "ERIN": the username is taken \(username_taken\)\n$/)
    expect(await usersOf()).to.deep.equal({ erin: false })
  })

  it('refuses revoke-all and demote without REDIS_URL: exit 69 naming it, the stored flag unchanged', async () => {
    const promoted = await spawnCli(['promote', 'erin'], { env })
    expect(promoted.code, promoted.stderr).to.equal(0)
    expect(promoted.stdout).to.equal('User erin is now an admin (from the next login or token refresh)\n')
    for (const command of ['revoke-all', 'demote']) {
      const run = await spawnCli([command, 'erin'], { env })
      expect(run.code, command).to.equal(69)
      expect(run.stderr, command).to.match(
        new RegExp(`Cannot run ${command}: REDIS_URL is not set.*\\(service_unavailable\\)\\n$`),
      )
      expect(run.stdout, command).to.equal('')
    }
    expect(await usersOf()).to.deep.equal({ erin: true })
  })

  it('demotes and revokes in separate processes, users in MongoDB and revocations in Redis', async function () {
    const found = await acquireRedis()
    if (typeof found === 'string') {
      console.log(`      skipped: CLI on MongoDB and Redis: ${found}`)
      this.skip()
    }
    const redis = found as RedisHandle
    try {
      const both = { ...env, REDIS_URL: redis.url, REDIS_KEY_PREFIX: `cli:${crypto.randomUUID()}:` }
      const revoked = await spawnCli(['revoke-all', 'erin'], { env: both })
      expect(revoked.code, revoked.stderr).to.equal(0)
      expect(revoked.stdout).to.equal('Revoked every token of user erin issued up to now\n')
      const demoted = await spawnCli(['demote', 'erin'], { env: both })
      expect(demoted.code, demoted.stderr).to.equal(0)
      expect(await usersOf()).to.deep.equal({ erin: false })
    } finally {
      await redis.stop()
    }
  })

  it('exits 67 (not_found) for a user no process registered', async () => {
    const run = await spawnCli(['promote', 'nobody'], { env })
    expect(run.code).to.equal(67)
    expect(run.stderr).to.match(/no such user \(not_found\)\n$/)
  })
})
