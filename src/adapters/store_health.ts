import type { Clock } from '../application/ports/clock.ts'
import type { Logger } from './logger.ts'

/** A store hexauth depends on, as its failures are reported. */
export type HealthStore = 'redis' | 'mongodb' | 'limiter'

/** Dependencies of {@linkcode StoreHealth}. */
export interface StoreHealthDeps {
  readonly logger: Logger
  readonly clock: Clock
}

const LABEL: Readonly<Record<HealthStore, string>> = {
  redis: 'Redis',
  mongodb: 'MongoDB',
  limiter: 'The rate limiter store',
}

/**
 * Whether each store answers, told by the adapters that use it, and logged once per episode:
 * the first failure after a success is one error line with its cause (message and code, never
 * a token, password or credentials in a URL); the first success after it, one line saying the
 * store is back. Failures in between are counted, not logged, so an outage is not a log flood.
 */
export class StoreHealth {
  readonly #deps: StoreHealthDeps
  readonly #episodes = new Map<HealthStore, { readonly since: number; failures: number }>()

  constructor(deps: StoreHealthDeps) {
    this.#deps = deps
  }

  /** Reports that an operation on `store` failed because of `cause`. */
  failed(store: HealthStore, cause: unknown): void {
    const episode = this.#episodes.get(store)
    if (episode !== undefined) {
      episode.failures++
      return
    }
    this.#episodes.set(store, { since: this.#deps.clock.now(), failures: 1 })
    this.#deps.logger.error(
      { store, cause: describe(cause) },
      `${LABEL[store]} failed: requests that need it answer 503 service_unavailable until it recovers`,
    )
  }

  /** Reports that an operation on `store` succeeded; ends its failure episode, if any. */
  recovered(store: HealthStore): void {
    if (this.#episodes.size === 0) return // the common case: one check, no allocation
    const episode = this.#episodes.get(store)
    if (episode === undefined) return
    this.#episodes.delete(store)
    this.#deps.logger.info(
      { store, failures: episode.failures, down_ms: this.#deps.clock.now() - episode.since },
      `${LABEL[store]} recovered`,
    )
  }
}

/** The cause's name, message and code, with anything credential-like blanked. */
function describe(cause: unknown): { name?: string; message: string; code?: string } {
  if (!(cause instanceof Error)) return { message: redact(String(cause)) }
  const code = (cause as { code?: unknown }).code
  return {
    name: cause.name,
    message: redact(cause.message),
    ...typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {},
  }
}

// `scheme://user:password@` in a URL, and anything shaped like a JWT.
const CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi
const JWT = /\beyJ[\w-]*\.[\w-]*\.[\w-]*/g

function redact(text: string): string {
  return text.replace(CREDENTIALS, '$1[redacted]@').replace(JWT, '[redacted]')
}
