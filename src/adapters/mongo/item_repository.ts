import type { Connection, Model, Schema } from 'mongoose'
import type { ItemRepository } from '../../application/ports/item_repository.ts'
import { AuthError } from '../../domain/auth_error.ts'
import type { Item } from '../../domain/item.ts'
import { isDuplicateKey, modelOf, type MongoConnection } from './mongo_connection.ts'

interface ItemDocument {
  name: string
  price: number
}

/** The collection's schema and indexes, on the connection's own mongoose (loaded lazily). */
function schemaOf(connection: Connection): Schema<ItemDocument> {
  const schema = new connection.base.Schema<ItemDocument>({
    name: { type: String, required: true },
    price: { type: Number, required: true, min: 0 },
  }, { collection: 'items', versionKey: false, strict: 'throw', strictQuery: 'throw' })
  schema.index({ name: 1 }, { unique: true, name: 'name_unique' })
  return schema
}

function toDomain(doc: ItemDocument): Item {
  return { name: doc.name, price: doc.price }
}

/** Items in MongoDB (collection `items`), unique on the name. */
export class MongoItemRepository implements ItemRepository {
  readonly #mongo: MongoConnection
  #model: Promise<Model<ItemDocument>> | undefined

  constructor(mongo: MongoConnection) {
    this.#mongo = mongo
  }

  list(): Promise<readonly Item[]> {
    return this.#mongo.guard(async () => {
      const docs = await (await this.#items()).find().sort({ name: 1 }).lean<ItemDocument[]>()
      return docs.map(toDomain)
    })
  }

  find(name: string): Promise<Item | undefined> {
    return this.#mongo.guard(async () => {
      const doc = await (await this.#items()).findOne({ name: String(name) }).lean<ItemDocument>()
      return doc === null ? undefined : toDomain(doc)
    })
  }

  create(item: Item): Promise<void> {
    return this.#mongo.guard(async () => {
      try {
        await (await this.#items()).create({ name: item.name, price: item.price })
      } catch (error) {
        if (isDuplicateKey(error)) {
          throw new AuthError('item_exists', `Cannot create item "${item.name}": it already exists`)
        }
        throw error
      }
    })
  }

  delete(name: string): Promise<boolean> {
    return this.#mongo.guard(async () => {
      const result = await (await this.#items()).deleteOne({ name: String(name) })
      return result.deletedCount === 1
    })
  }

  #items(): Promise<Model<ItemDocument>> {
    this.#model ??= this.#mongo.connection().then((connection) => prepare(connection)).catch((error: unknown) => {
      this.#model = undefined
      throw error
    })
    return this.#model
  }
}

async function prepare(connection: Connection): Promise<Model<ItemDocument>> {
  const model = modelOf<ItemDocument>(connection, 'Item', schemaOf(connection))
  await model.createIndexes()
  return model
}
