import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import mongoose from 'mongoose'
import { JoseKeyMaker } from '../../../src/adapters/crypto/jose_key_maker.ts'
import { MongoKeyStore } from '../../../src/adapters/mongo/key_store.ts'
import { MongoItemRepository } from '../../../src/adapters/mongo/item_repository.ts'
import { MongoConnection } from '../../../src/adapters/mongo/mongo_connection.ts'
import { MongoUserRepository } from '../../../src/adapters/mongo/user_repository.ts'
import type { Username } from '../../../src/domain/username.ts'
import { itemRepositoryContract } from '../../contracts/item_repository.contract.ts'
import { aKey, keyStoreContract, writableSubject } from '../../contracts/key_store.contract.ts'
import { aUser, userRepositoryContract } from '../../contracts/user_repository.contract.ts'
import { type FakeMongo, startFakeMongo } from '../../support/fake_mongo.ts'
import { isolatedMongoUrl } from '../../support/http_harness.ts'

// The MongoDB adapters through mongoose and the real driver, against a fake server in this
// process (test/support/fake_mongo.ts): no MongoDB can be installed here, and this still runs
// the adapters' own code and shows the exact commands they send. stores.test.ts runs the same
// contracts against a real MongoDB when MONGO_URL is set.
const KEY_SECRET = 'fake-mongo-key-secret-Hq3wZ8rV1tN6yB4mK7pL2xC9'

describe('MongoDB adapters against a fake MongoDB (wire protocol, in memory)', () => {
  let fake: FakeMongo
  const connections: MongoConnection[] = []
  const connect = () => {
    const connection = new MongoConnection({ url: isolatedMongoUrl(fake.url), timeoutMs: 2000 })
    connections.push(connection)
    return connection
  }
  /** The commands sent to a database since `from`, by name. */
  const sent = (from: number, name: string) => fake.commands.slice(from).filter((command) => command.name === name)

  before(async () => {
    fake = await startFakeMongo()
  })
  after(async () => {
    for (const connection of connections) await connection.close()
    await fake.stop()
  })

  userRepositoryContract(
    'mongodb adapter on the fake server',
    () => Promise.resolve(new MongoUserRepository(connect())),
  )
  itemRepositoryContract(
    'mongodb adapter on the fake server',
    () => Promise.resolve(new MongoItemRepository(connect())),
  )
  keyStoreContract(
    'mongodb adapter on the fake server',
    () =>
      Promise.resolve(
        writableSubject(
          new MongoKeyStore(connect()),
          new JoseKeyMaker({ secret: new TextEncoder().encode(KEY_SECRET) }),
        ),
      ),
  )

  it('keeps signing keys in a collection of their own, unique on generation, the index made before the first write', async () => {
    const from = fake.commands.length
    await new MongoKeyStore(connect()).add(await aKey(new JoseKeyMaker({ secret: undefined }), 1))
    const names = fake.commands.slice(from).map((command) => command.name)
    const index = sent(from, 'createIndexes').flatMap((command) => command.body.indexes)
      .find((each: { name: string }) => each.name === 'generation_unique')
    expect(index).to.deep.include({ key: { generation: 1 }, unique: true })
    expect(sent(from, 'insert')[0]!.body.insert).to.equal('signing_keys')
    expect(names.indexOf('createIndexes')).to.be.below(names.indexOf('insert'))
  })

  it('sends MongoDB the public JWK and the sealed private key only, never a private parameter in clear', async () => {
    const maker = new JoseKeyMaker({ secret: new TextEncoder().encode(KEY_SECRET) })
    const from = fake.commands.length
    for (const [generation, alg] of (['ES256', 'EdDSA', 'RS256'] as const).entries()) {
      await new MongoKeyStore(connect()).add(await aKey(maker, generation + 1, alg))
    }
    const documents = sent(from, 'insert').flatMap((command) => command.body.documents)
    expect(documents).to.have.length(3)
    for (const doc of documents) {
      expect(Object.keys(doc).sort()).to.deep.equal([
        '_id',
        'alg',
        'generation',
        'public_jwk',
        'published_at',
        'sealed_private_key',
        'signs_from',
      ])
      for (const name of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(doc.public_jwk, name).to.not.have.property(name)
      expect(JSON.stringify(doc)).to.not.match(/"(d|p|q|dp|dq|qi)":/)
    }
  })

  it('looks a user up by the case-folded key, never the name as typed', async () => {
    const users = new MongoUserRepository(connect())
    await users.create(aUser('Mixed_Case'))
    const from = fake.commands.length
    expect((await users.findByUsername('MIXED_case' as Username))?.username).to.equal('Mixed_Case')
    await users.setAdmin('mixed_CASE' as Username, true)
    await users.delete('MiXeD_CaSe' as Username)
    expect(sent(from, 'find').map((command) => command.body.filter)).to.deep.equal([{ username_key: 'mixed_case' }])
    expect(sent(from, 'findAndModify').map((command) => command.body.query)).to.deep.equal([
      { username_key: 'mixed_case' },
      { username_key: 'mixed_case' },
    ])
  })

  it('stores the case-folded key beside the name, and creates the unique index on it before the first write', async () => {
    const from = fake.commands.length
    await new MongoUserRepository(connect()).create(aUser('Indexed'))
    const names = fake.commands.slice(from).map((command) => command.name)
    const unique = sent(from, 'createIndexes').flatMap((command) => command.body.indexes)
      .find((index: { name: string }) => index.name === 'username_key_unique')
    expect(unique).to.deep.include({ key: { username_key: 1 }, unique: true })
    expect(names.indexOf('createIndexes')).to.be.below(names.indexOf('insert'))
    expect(sent(from, 'insert')[0]!.body.documents[0]).to.include({ username: 'Indexed', username_key: 'indexed' })
  })

  it('sends only strings in filters: an id or name that is not one never reaches the server as an operator', async () => {
    const users = new MongoUserRepository(connect())
    await users.create(aUser('victim'))
    const from = fake.commands.length
    const injected = { $gt: '' } as unknown as Username
    await users.findById(injected as never).catch(() => undefined)
    for (const command of sent(from, 'find')) {
      for (const value of Object.values(command.body.filter as Record<string, unknown>)) expect(value).to.be.a('string')
    }
  })

  it('refuses an operator object in a filter before it reaches the server (sanitizeFilter)', async () => {
    const connection = connect()
    await new MongoUserRepository(connection).create(aUser('victim'))
    const model = (await connection.connection()).models.User!
    const from = fake.commands.length
    const injected = await model.findOne({ username_key: { $gt: '' } }).lean().then(
      (doc) => doc,
      (error: unknown) => error,
    )
    expect(injected).to.be.instanceOf(mongoose.Error.CastError)
    expect(sent(from, 'find')).to.deep.equal([])
  })

  it('deletes exactly the users it read when deleting all, so one registered meanwhile survives', async () => {
    const users = new MongoUserRepository(connect())
    const [a, b] = [aUser('first'), aUser('second')]
    await users.create(a)
    await users.create(b)
    const from = fake.commands.length
    await users.deleteAll()
    const deletion = sent(from, 'delete')[0]!.body.deletes[0]
    expect(deletion.q).to.deep.equal({ _id: { $in: [a.id, b.id] } })
  })
})
