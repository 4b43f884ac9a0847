import type { Connection, Model, Schema } from 'mongoose'
import type { Session, SessionStore, SessionUse } from '../../application/ports/session_store.ts'
import type { UserId } from '../../domain/user.ts'
import { modelOf, type MongoConnection } from './mongo_connection.ts'

interface SessionDocument {
  _id: string
  user_id: string
  created_at: Date
  last_used_at: Date
  expires_at: Date
  refresh_jti: string
  refresh_iat: number
  user_agent: string | null
  ip: string | null
}

/** The collection's schema and indexes, on the connection's own mongoose (loaded lazily). */
function schemaOf(connection: Connection): Schema<SessionDocument> {
  const schema = new connection.base.Schema<SessionDocument>({
    _id: { type: String, required: true },
    user_id: { type: String, required: true },
    created_at: { type: Date, required: true },
    last_used_at: { type: Date, required: true },
    expires_at: { type: Date, required: true },
    refresh_jti: { type: String, required: true },
    refresh_iat: { type: Number, required: true },
    user_agent: { type: String, default: null },
    ip: { type: String, default: null },
  }, { collection: 'sessions', versionKey: false, strict: 'throw', strictQuery: 'throw' })
  schema.index({ user_id: 1 }, { name: 'user_id' })
  // MongoDB's TTL monitor deletes a session once its latest refresh token has expired.
  schema.index({ expires_at: 1 }, { name: 'expires_at_ttl', expireAfterSeconds: 0 })
  return schema
}

function toDomain(doc: SessionDocument): Session {
  return {
    id: doc._id,
    userId: doc.user_id as UserId,
    createdAt: doc.created_at,
    lastUsedAt: doc.last_used_at,
    expiresAt: doc.expires_at,
    refreshJti: doc.refresh_jti,
    refreshIat: doc.refresh_iat,
    userAgent: doc.user_agent ?? undefined,
    ip: doc.ip ?? undefined,
  }
}

function useDocument(use: SessionUse): Omit<SessionDocument, '_id' | 'user_id' | 'created_at'> {
  return {
    last_used_at: use.lastUsedAt,
    expires_at: use.expiresAt,
    refresh_jti: String(use.refreshJti),
    refresh_iat: use.refreshIat,
    user_agent: use.userAgent ?? null,
    ip: use.ip ?? null,
  }
}

/**
 * Login sessions in MongoDB (collection `sessions`), TTL-indexed on their end. The TTL monitor
 * runs about once a minute, so reads filter out what has expired but is not deleted yet.
 */
export class MongoSessionStore implements SessionStore {
  readonly #mongo: MongoConnection
  #model: Promise<Model<SessionDocument>> | undefined

  constructor(mongo: MongoConnection) {
    this.#mongo = mongo
  }

  save(session: Session): Promise<void> {
    return this.#mongo.guard(async () => {
      const doc = {
        _id: String(session.id),
        user_id: String(session.userId),
        created_at: session.createdAt,
        ...useDocument(session),
      }
      const model = await this.#sessions()
      await model.deleteOne({ _id: doc._id })
      await model.create(doc)
    })
  }

  touch(id: string, use: SessionUse): Promise<boolean> {
    return this.#mongo.guard(async () => {
      const result = await (await this.#sessions()).updateOne({ _id: String(id) }, { $set: useDocument(use) })
      return result.matchedCount === 1
    })
  }

  find(id: string, userId: UserId, now: Date): Promise<Session | undefined> {
    return this.#mongo.guard(async () => {
      const doc = await (await this.#sessions()).findOne({ _id: String(id), user_id: String(userId) }).lean<
        SessionDocument
      >()
      return doc === null || doc.expires_at <= now ? undefined : toDomain(doc)
    })
  }

  listByUser(userId: UserId, now: Date): Promise<readonly Session[]> {
    return this.#mongo.guard(async () => {
      const docs = await (await this.#sessions()).find({ user_id: String(userId) }).sort({ created_at: -1 }).lean<
        SessionDocument[]
      >()
      return docs.filter((doc) => doc.expires_at > now).map(toDomain)
    })
  }

  delete(userId: UserId, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return Promise.resolve(0)
    return this.#mongo.guard(async () => {
      const model = await this.#sessions()
      // Filters are sanitized (operators refused); this one is ours, over strings only.
      const result = await model.deleteMany({
        _id: model.base.trusted({ $in: ids.map(String) }),
        user_id: String(userId),
      })
      return result.deletedCount
    })
  }

  deleteByUser(userId: UserId): Promise<number> {
    return this.#mongo.guard(async () =>
      (await (await this.#sessions()).deleteMany({ user_id: String(userId) })).deletedCount
    )
  }

  #sessions(): Promise<Model<SessionDocument>> {
    this.#model ??= this.#mongo.connection().then((connection) => prepare(connection)).catch((error: unknown) => {
      this.#model = undefined
      throw error
    })
    return this.#model
  }
}

async function prepare(connection: Connection): Promise<Model<SessionDocument>> {
  const model = modelOf<SessionDocument>(connection, 'Session', schemaOf(connection))
  await model.createIndexes()
  return model
}
