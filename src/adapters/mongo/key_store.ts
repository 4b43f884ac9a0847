import type { Connection, Model, Schema } from 'mongoose'
import type { KeyStore } from '../../application/ports/key_store.ts'
import type { KeyAlgorithm, PublicJwk, SigningKey } from '../../domain/signing_key.ts'
import { guarded, isDuplicateKey, modelOf, type MongoConnection } from './mongo_connection.ts'

interface KeyDocument {
  /** The kid: unique by being the id. */
  _id: string
  generation: number
  alg: string
  published_at: Date
  signs_from: Date
  /** Public parameters only: the schema has no field for a private one. */
  public_jwk: PublicJwk
  /** The private JWK, AES-256-GCM encrypted under KEY_ENCRYPTION_SECRET: never plaintext. */
  sealed_private_key: string
}

function schemaOf(connection: Connection): Schema<KeyDocument> {
  const { Schema } = connection.base
  const publicJwk = new Schema<PublicJwk>({
    kty: { type: String, required: true },
    crv: String,
    x: String,
    y: String,
    n: String,
    e: String,
  }, { _id: false, strict: 'throw' })
  const schema = new Schema<KeyDocument>({
    _id: { type: String, required: true },
    generation: { type: Number, required: true },
    alg: { type: String, required: true },
    published_at: { type: Date, required: true },
    signs_from: { type: Date, required: true },
    public_jwk: { type: publicJwk, required: true },
    sealed_private_key: { type: String, required: true },
  }, { collection: 'signing_keys', versionKey: false, strict: 'throw', strictQuery: 'throw' })
  // One key per generation, whichever instance adds it: racing instances get one winner.
  schema.index({ generation: 1 }, { unique: true, name: 'generation_unique' })
  return schema
}

function toDomain(doc: KeyDocument): SigningKey {
  const { kty, crv, x, y, n, e } = doc.public_jwk
  const publicJwk = Object.fromEntries(
    Object.entries({ kty, crv, x, y, n, e }).filter(([, v]) => v !== undefined && v !== null),
  )
  return {
    kid: doc._id,
    alg: doc.alg as KeyAlgorithm,
    generation: doc.generation,
    publishedAt: doc.published_at.getTime(),
    signsFrom: doc.signs_from.getTime(),
    publicJwk: publicJwk as unknown as PublicJwk,
    sealed: doc.sealed_private_key,
  }
}

function toDocument(key: SigningKey): KeyDocument {
  return {
    _id: key.kid,
    generation: key.generation,
    alg: key.alg,
    published_at: new Date(key.publishedAt),
    signs_from: new Date(key.signsFrom),
    public_jwk: { ...key.publicJwk },
    sealed_private_key: key.sealed,
  }
}

/**
 * The key ring in MongoDB (collection `signing_keys`, beside the users): every instance on
 * the database shares it. The unique index on `generation` (and the kid as `_id`) makes a
 * second key of a generation fail, so racing instances add at most one next key.
 */
export class MongoKeyStore implements KeyStore {
  readonly #mongo: MongoConnection
  #model: Promise<Model<KeyDocument>> | undefined

  constructor(mongo: MongoConnection) {
    this.#mongo = mongo
  }

  list(): Promise<readonly SigningKey[]> {
    return guarded(async () => {
      const docs = await (await this.#keys()).find().sort({ generation: 1 }).lean<KeyDocument[]>()
      return docs.map(toDomain)
    })
  }

  add(key: SigningKey): Promise<boolean> {
    return guarded(async () => {
      try {
        await (await this.#keys()).create(toDocument(key))
        return true
      } catch (error) {
        if (isDuplicateKey(error)) return false
        throw error
      }
    })
  }

  remove(kid: string): Promise<void> {
    return guarded(async () => {
      await (await this.#keys()).deleteOne({ _id: String(kid) })
    })
  }

  #keys(): Promise<Model<KeyDocument>> {
    this.#model ??= this.#mongo.connection().then(async (connection) => {
      const model = modelOf<KeyDocument>(connection, 'SigningKey', schemaOf(connection))
      await model.createIndexes()
      return model
    }).catch((error: unknown) => {
      this.#model = undefined
      throw error
    })
    return this.#model
  }
}
