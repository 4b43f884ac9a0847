import type { Connection, Model, Schema } from 'mongoose'
import { AuthError } from '../../domain/auth_error.ts'
import type { StoreHealth } from '../store_health.ts'

/** Where MongoDB is and how long to wait for it. */
export interface MongoConnectionOptions {
  readonly url: string
  /**
   * Server selection and connect timeout in milliseconds: how long a MongoDB that cannot be
   * reached takes to become a 503.
   * @default 2000
   */
  readonly timeoutMs: number
  /** Told of every failure and success, to log the cause once per outage. */
  readonly health?: StoreHealth
}

/**
 * One mongoose connection shared by the repositories. It connects on first use and, when
 * MongoDB cannot be reached, fails that use with `service_unavailable` and tries again on
 * the next, so hexauth starts and recovers without a restart whatever order services start in.
 */
export class MongoConnection {
  readonly #options: MongoConnectionOptions
  #connecting: Promise<Connection> | undefined
  #closed = false

  constructor(options: MongoConnectionOptions) {
    this.#options = options
  }

  /**
   * Runs a driver call, turning any failure but an `AuthError` into `service_unavailable` and
   * telling {@linkcode MongoConnectionOptions.health} how it went.
   */
  async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      const result = await operation()
      this.#options.health?.recovered('mongodb')
      return result
    } catch (error) {
      if (error instanceof AuthError && error.code !== 'service_unavailable') throw error
      this.#options.health?.failed('mongodb', error instanceof AuthError ? error.cause : error)
      throw error instanceof AuthError ? error : unavailable(error)
    }
  }

  /** The connected connection. */
  connection(): Promise<Connection> {
    if (this.#closed) return Promise.reject(unavailable(new Error('connection closed')))
    this.#connecting ??= this.#open().catch((error: unknown) => {
      this.#connecting = undefined
      throw unavailable(error)
    })
    return this.#connecting
  }

  async #open(): Promise<Connection> {
    const { url, timeoutMs } = this.#options
    // Loaded on first use: mongoose and its driver cost ~30 MB, for deployments that use them.
    const { default: mongoose } = await import('mongoose')
    const connection = mongoose.createConnection(url, {
      serverSelectionTimeoutMS: timeoutMs,
      connectTimeoutMS: timeoutMs,
      socketTimeoutMS: Math.max(timeoutMs * 5, 10_000),
      // Fail at once rather than queue operations while disconnected.
      bufferCommands: false,
      // Indexes are created by the repositories before their first write.
      autoIndex: false,
      autoCreate: false,
      // Wrap any object that reaches a filter in $eq: no operator injection, ever.
      sanitizeFilter: true,
      maxPoolSize: 20,
    })
    try {
      return await connection.asPromise()
    } catch (error) {
      await connection.close(true).catch(() => {})
      throw error
    }
  }

  /** Resolves when MongoDB answers a ping, for readiness. */
  async ping(): Promise<void> {
    const connection = await this.connection()
    await connection.db!.admin().ping()
  }

  /** Closes the connection, for shutdown. */
  async close(): Promise<void> {
    this.#closed = true
    const connecting = this.#connecting
    this.#connecting = undefined
    const connection = await connecting?.catch(() => undefined)
    await connection?.close()
  }
}

/** MongoDB could not answer: hexauth fails closed with a 503. */
export function unavailable(cause: unknown): AuthError {
  return new AuthError('service_unavailable', 'Cannot reach the user store: MongoDB is unavailable', { cause })
}

/** Whether `error` is MongoDB's duplicate-key error (a unique index refused a write). */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000
}

/** Runs a driver call, turning any failure but `AuthError` into `service_unavailable`. */
export async function guarded<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation()
  } catch (error) {
    if (error instanceof AuthError) throw error
    throw unavailable(error)
  }
}

/** The model `name` of `connection`, compiled from `schema` on first use. */
export function modelOf<T>(connection: Connection, name: string, schema: Schema<T>): Model<T> {
  // mongoose's inferred model type adds virtuals the plain document type lacks; the shape is ours.
  return (connection.models[name] ?? connection.model(name, schema)) as unknown as Model<T>
}
