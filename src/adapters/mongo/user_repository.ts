import type { Connection, Model, Schema } from 'mongoose'
import type { UserRepository } from '../../application/ports/user_repository.ts'
import { AuthError } from '../../domain/auth_error.ts'
import type { User, UserId } from '../../domain/user.ts'
import type { Username } from '../../domain/username.ts'
import { usernameKey } from '../../domain/username.ts'
import { isDuplicateKey, modelOf, type MongoConnection } from './mongo_connection.ts'

interface UserDocument {
  _id: string
  username: string
  username_key: string
  password_hash: string
  is_admin: boolean
  created_at: Date
}

/** The collection's schema and indexes, on the connection's own mongoose (loaded lazily). */
function schemaOf(connection: Connection): Schema<UserDocument> {
  const schema = new connection.base.Schema<UserDocument>({
    _id: { type: String, required: true },
    username: { type: String, required: true },
    username_key: { type: String, required: true },
    password_hash: { type: String, required: true },
    is_admin: { type: Boolean, required: true, default: false },
    created_at: { type: Date, required: true },
  }, { collection: 'users', versionKey: false, strict: 'throw', strictQuery: 'throw' })
  // Uniqueness lives here, not in a check-then-insert: concurrent sign-ups get one winner.
  schema.index({ username_key: 1 }, { unique: true, name: 'username_key_unique' })
  schema.index({ created_at: 1 }, { name: 'created_at' })
  return schema
}

function toDomain(doc: UserDocument): User {
  return {
    id: doc._id as UserId,
    username: doc.username as Username,
    passwordHash: doc.password_hash,
    isAdmin: doc.is_admin,
    createdAt: doc.created_at,
  }
}

function toDocument(user: User): UserDocument {
  return {
    _id: user.id,
    username: user.username,
    username_key: usernameKey(user.username),
    password_hash: user.passwordHash,
    is_admin: user.isAdmin,
    created_at: user.createdAt,
  }
}

/** Users in MongoDB (collection `users`), unique on the case-folded username. */
export class MongoUserRepository implements UserRepository {
  readonly #mongo: MongoConnection
  #model: Promise<Model<UserDocument>> | undefined

  constructor(mongo: MongoConnection) {
    this.#mongo = mongo
  }

  create(user: User): Promise<void> {
    return this.#mongo.guard(async () => {
      const model = await this.#users()
      try {
        await model.create(toDocument(user))
      } catch (error) {
        if (isDuplicateKey(error)) {
          throw new AuthError('username_taken', `Cannot register "${user.username}": the username is taken`)
        }
        throw error
      }
    })
  }

  findByUsername(username: Username): Promise<User | undefined> {
    return this.#findOne({ username_key: String(usernameKey(username)) })
  }

  findById(id: UserId): Promise<User | undefined> {
    return this.#findOne({ _id: String(id) })
  }

  list(): Promise<readonly User[]> {
    return this.#mongo.guard(async () => {
      const docs = await (await this.#users()).find().sort({ created_at: 1, _id: 1 }).lean<UserDocument[]>()
      return docs.map(toDomain)
    })
  }

  updatePasswordHash(id: UserId, passwordHash: string): Promise<boolean> {
    return this.#mongo.guard(async () => {
      const result = await (await this.#users())
        .updateOne({ _id: String(id) }, { $set: { password_hash: String(passwordHash) } })
      return result.matchedCount === 1
    })
  }

  setAdmin(username: Username, isAdmin: boolean): Promise<User | undefined> {
    return this.#mongo.guard(async () => {
      const doc = await (await this.#users()).findOneAndUpdate(
        { username_key: String(usernameKey(username)) },
        { $set: { is_admin: isAdmin === true } },
        { returnDocument: 'after' },
      ).lean<UserDocument>()
      return doc === null ? undefined : toDomain(doc)
    })
  }

  delete(username: Username): Promise<User | undefined> {
    return this.#mongo.guard(async () => {
      const doc = await (await this.#users())
        .findOneAndDelete({ username_key: String(usernameKey(username)) }).lean<UserDocument>()
      return doc === null ? undefined : toDomain(doc)
    })
  }

  deleteAll(): Promise<readonly User[]> {
    return this.#mongo.guard(async () => {
      const model = await this.#users()
      const docs = await model.find().lean<UserDocument[]>()
      // Delete exactly those read, so a user registered meanwhile survives with its tokens.
      await model.deleteMany({ _id: model.base.trusted({ $in: docs.map((doc) => doc._id) }) })
      return docs.map(toDomain)
    })
  }

  #findOne(filter: Record<string, string>): Promise<User | undefined> {
    return this.#mongo.guard(async () => {
      const doc = await (await this.#users()).findOne(filter).lean<UserDocument>()
      return doc === null ? undefined : toDomain(doc)
    })
  }

  #users(): Promise<Model<UserDocument>> {
    this.#model ??= this.#mongo.connection().then((connection) => prepare(connection)).catch((error: unknown) => {
      this.#model = undefined
      throw error
    })
    return this.#model
  }
}

async function prepare(connection: Connection): Promise<Model<UserDocument>> {
  const model = modelOf<UserDocument>(connection, 'User', schemaOf(connection))
  await model.createIndexes()
  return model
}
