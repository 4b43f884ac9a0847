import { Cluster, type Redis } from 'ioredis'
import { AuthError } from '../../domain/auth_error.ts'
import type { RedisClient } from './redis_client.ts'

/** Dependencies of {@linkcode RedisServerCheck}. */
export interface RedisServerCheckDeps {
  readonly client: RedisClient
  /** A key of hexauth's: in a Cluster, the checks run on the primary that holds it. */
  readonly key: string
  /** How often the server is read again besides every (re)connection, in ms. @default 10000 */
  readonly refreshMs?: number
}

// The revoke script's EXPIREAT … GT and the feed's EXPIRETIME came with Redis 7.0.
const MINIMUM_MAJOR = 7

/**
 * What hexauth knows of the Redis primary that holds its keys, read (`INFO server`,
 * `INFO replication`) on every (re)connection and every `refreshMs`: whether its version is
 * one hexauth can use (7.0 or later), and how many replicas are online behind it. Until the
 * first read, and while reads fail, the last answer stands (at first: usable, no replicas).
 */
export class RedisServerCheck {
  readonly #deps: RedisServerCheckDeps
  #problem: Error | undefined
  #replicas = 0
  #timer: ReturnType<typeof setInterval> | undefined

  constructor(deps: RedisServerCheckDeps) {
    this.#deps = deps
  }

  /** Why Redis cannot be used (its version), or `undefined` when it can. */
  get problem(): Error | undefined {
    return this.#problem
  }

  /** Replicas online behind the primary, as last read. */
  get replicas(): number {
    return this.#replicas
  }

  /**
   * Reads the server now (resolving once read, or once the read failed: Redis down), then on
   * every (re)connection and every `refreshMs`.
   */
  start(): Promise<void> {
    const { client } = this.#deps
    const refresh = () => this.refresh().catch(() => {})
    client.on('ready', refresh)
    // A Cluster is 'ready' once; its nodes reconnect one by one, each its own 'ready'.
    if (client instanceof Cluster) client.on('+node', (node: Redis) => node.on('ready', refresh))
    this.#timer = setInterval(refresh, this.#deps.refreshMs ?? 10_000)
    this.#timer.unref()
    return refresh()
  }

  /** Reads the version and the replicas again; rejects when Redis does not answer. */
  async refresh(): Promise<void> {
    const { client, key } = this.#deps
    // Keyed on one of hexauth's keys, so a Cluster sends the INFOs to the primary holding it.
    const replies = await client.pipeline().get(key).info('server').info('replication').exec()
    for (const [error] of replies ?? []) if (error !== null) throw error
    const [server, replication] = [String(replies?.[1]?.[1] ?? ''), String(replies?.[2]?.[1] ?? '')]
    const version = /^redis_version:((\d+)\.[\w.-]*)/m.exec(server)
    this.#problem = version !== null && Number(version[2]) < MINIMUM_MAJOR
      ? new Error(`Cannot use Redis ${version[1]}: hexauth needs Redis ${MINIMUM_MAJOR}.0 or later`)
      : undefined
    this.#replicas = [...replication.matchAll(/^slave\d+:.*\bstate=online\b/gm)].length
  }

  /** Throws `service_unavailable` naming the problem when Redis cannot be used. */
  assertUsable(): void {
    if (this.#problem !== undefined) {
      throw new AuthError('service_unavailable', this.#problem.message, { cause: this.#problem })
    }
  }

  /** Stops the periodic reads. */
  close(): void {
    clearInterval(this.#timer)
  }
}
