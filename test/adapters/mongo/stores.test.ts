import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import mongoose from 'mongoose'
import { JoseKeyMaker } from '../../../src/adapters/crypto/jose_key_maker.ts'
import { MongoKeyStore } from '../../../src/adapters/mongo/key_store.ts'
import { MongoItemRepository } from '../../../src/adapters/mongo/item_repository.ts'
import { MongoConnection } from '../../../src/adapters/mongo/mongo_connection.ts'
import { MongoSessionStore } from '../../../src/adapters/mongo/session_store.ts'
import { MongoUserRepository } from '../../../src/adapters/mongo/user_repository.ts'
import type { Username } from '../../../src/domain/username.ts'
import { itemRepositoryContract } from '../../contracts/item_repository.contract.ts'
import { aKey, keyStoreContract, writableSubject } from '../../contracts/key_store.contract.ts'
import { sessionStoreContract } from '../../contracts/session_store.contract.ts'
import { aUser, userRepositoryContract } from '../../contracts/user_repository.contract.ts'
import { isolatedMongoUrl } from '../../support/http_harness.ts'
import { acquireMongo, type MongoHandle } from '../../support/mongo_server.ts'

describe('MongoDB stores', function () {
  let mongo: MongoHandle
  const connections: MongoConnection[] = []

  // Each test gets a database of its own, dropped when the suite ends.
  function connect(): MongoConnection {
    const connection = new MongoConnection({ url: isolatedMongoUrl(mongo.url), timeoutMs: 5000 })
    connections.push(connection)
    return connection
  }

  before(async function () {
    const found = await acquireMongo()
    if (typeof found === 'string') {
      console.log(`      skipped: MongoDB suites: ${found}`)
      this.skip()
    }
    mongo = found as MongoHandle
    console.log(`      MongoDB from ${mongo.source}`)
  })

  after(async () => {
    for (const connection of connections) {
      await (await connection.connection().catch(() => undefined))?.dropDatabase().catch(() => {})
      await connection.close()
    }
    await mongo?.stop()
  })

  userRepositoryContract('mongodb', () => Promise.resolve(new MongoUserRepository(connect())))
  itemRepositoryContract('mongodb', () => Promise.resolve(new MongoItemRepository(connect())))
  sessionStoreContract('mongodb', () => Promise.resolve(new MongoSessionStore(connect())))
  const maker = new JoseKeyMaker({
    secret: new TextEncoder().encode('mongo-suite-key-secret-Hq3wZ8rV1tN6yB4mK7pL2xC9'),
  })
  keyStoreContract('mongodb', () => Promise.resolve(writableSubject(new MongoKeyStore(connect()), maker)))

  it('keeps signing keys in signing_keys, unique on generation, and stores no private key in clear', async () => {
    const connection = connect()
    const keys = new MongoKeyStore(connection)
    for (const [generation, alg] of (['ES256', 'EdDSA', 'RS256'] as const).entries()) {
      await keys.add(await aKey(maker, generation + 1, alg))
    }
    const collection = (await connection.connection()).collection('signing_keys')
    const unique = (await collection.indexes()).find((index) => index.name === 'generation_unique')
    expect([unique?.unique, unique?.key]).to.deep.equal([true, { generation: 1 }])
    // Read the documents as MongoDB holds them, past the adapter.
    const documents = await collection.find().toArray()
    expect(documents).to.have.length(3)
    for (const doc of documents) {
      for (const name of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(doc.public_jwk, name).to.not.have.property(name)
      expect(JSON.stringify(doc)).to.not.match(/"(d|p|q|dp|dq|qi)":/)
      expect(doc.sealed_private_key).to.match(/^A256GCM\./)
    }
  })

  it('creates the unique username index before the first write', async () => {
    const connection = connect()
    await new MongoUserRepository(connection).create(aUser('indexed'))
    const indexes = await (await connection.connection()).collection('users').indexes()
    const unique = indexes.find((index) => index.name === 'username_key_unique')
    expect(unique?.unique).to.equal(true)
    expect(unique?.key).to.deep.equal({ username_key: 1 })
  })

  it('sanitizes filters: an operator object in a query is refused before it reaches MongoDB, never run as an operator', async () => {
    const connection = connect()
    await new MongoUserRepository(connection).create(aUser('victim'))
    const model = (await connection.connection()).models.User!
    // sanitizeFilter wraps the object in $eq, and mongoose then cannot cast it to the string
    // path: a CastError, raised client-side (mongoose 9), whatever the server.
    const injected = await model.findOne({ username_key: { $gt: '' } }).lean().then(
      (doc) => doc,
      (error: unknown) => error,
    )
    expect(injected).to.be.instanceOf(mongoose.Error.CastError)
    expect(await model.findOne({ username_key: 'victim' }).lean()).to.not.equal(null)
    // The control: the same operator, marked trusted, does run as one, and matches the victim.
    expect(await model.findOne({ username_key: mongoose.trusted({ $gt: '' }) }).lean()).to.not.equal(null)
  })

  it('stores no mongoose document outside the adapter', async () => {
    const users = new MongoUserRepository(connect())
    await users.create(aUser('plain'))
    const found = await users.findByUsername('plain' as Username)
    expect(found).to.not.be.instanceOf(mongoose.Document)
    expect(Object.keys(found!).sort()).to.deep.equal(['createdAt', 'id', 'isAdmin', 'passwordHash', 'username'])
  })
})
