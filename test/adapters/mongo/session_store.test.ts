import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { MongoConnection } from '../../../src/adapters/mongo/mongo_connection.ts'
import { MongoSessionStore } from '../../../src/adapters/mongo/session_store.ts'
import { aSession, sessionStoreContract } from '../../contracts/session_store.contract.ts'
import { type FakeMongo, startFakeMongo } from '../../support/fake_mongo.ts'
import { isolatedMongoUrl } from '../../support/http_harness.ts'

// The session store through mongoose and the real driver against the fake server (no MongoDB
// can be installed here); stores.test.ts runs the same contract on a real MongoDB with MONGO_URL.
describe('MongoSessionStore against a fake MongoDB (wire protocol, in memory)', () => {
  let fake: FakeMongo
  const connections: MongoConnection[] = []
  const connect = () => {
    const connection = new MongoConnection({ url: isolatedMongoUrl(fake.url), timeoutMs: 2000 })
    connections.push(connection)
    return connection
  }

  before(async () => {
    fake = await startFakeMongo()
  })
  after(async () => {
    for (const connection of connections) await connection.close()
    await fake.stop()
  })

  sessionStoreContract('mongodb adapter on the fake server', () => Promise.resolve(new MongoSessionStore(connect())))

  it('creates a TTL index expiring each session at its end, and a user index, before the first write', async () => {
    const from = fake.commands.length
    await new MongoSessionStore(connect()).save(aSession('fam', 'alice'))
    const sent = fake.commands.slice(from)
    const indexes = sent.filter((command) => command.name === 'createIndexes').flatMap((command) =>
      command.body.indexes
    )
    expect(indexes.find((index: { name: string }) => index.name === 'expires_at_ttl')).to.deep.include({
      key: { expires_at: 1 },
      expireAfterSeconds: 0,
    })
    expect(indexes.find((index: { name: string }) => index.name === 'user_id')).to.deep.include({ key: { user_id: 1 } })
    const names = sent.map((command) => command.name)
    expect(names.indexOf('createIndexes')).to.be.below(names.indexOf('insert'))
    expect(sent.find((command) => command.name === 'insert')!.body.insert).to.equal('sessions')
  })

  it('stores ids and metadata only: no token reaches MongoDB', async () => {
    const from = fake.commands.length
    await new MongoSessionStore(connect()).save(aSession('fam-x', 'alice'))
    const inserted = fake.commands.slice(from).find((command) => command.name === 'insert')!.body.documents[0]
    expect(Object.keys(inserted).sort()).to.deep.equal(
      ['_id', 'created_at', 'expires_at', 'ip', 'last_used_at', 'refresh_iat', 'refresh_jti', 'user_agent', 'user_id'],
    )
    expect(JSON.stringify(inserted)).to.not.match(/eyJ/)
  })
})
