import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'

/** What each successful route issues and revokes, for the token counters. */
const ROUTE_EFFECTS: Readonly<Record<string, { readonly issued?: readonly string[]; readonly revoked?: string }>> = {
  'POST /registration': { issued: ['access', 'refresh'] },
  'POST /login': { issued: ['access', 'refresh'] },
  'POST /fresh-login': { issued: ['access'] },
  'POST /token/refresh': { issued: ['access', 'refresh'] },
  'POST /logout/access': { revoked: 'token' },
  'POST /logout/refresh': { revoked: 'session' },
  'POST /logout/all': { revoked: 'user' },
  'DELETE /users/:username': { revoked: 'user' },
  'DELETE /users': { revoked: 'user' },
  'POST /logout': { revoked: 'session' },
  'POST /password': { issued: ['access', 'refresh'], revoked: 'user' },
  'DELETE /sessions/:id': { revoked: 'session' },
  'DELETE /sessions': { revoked: 'session' },
  'DELETE /me': { revoked: 'user' },
}

/**
 * The service's Prometheus metrics, on a registry of its own. Labels are bounded: route
 * patterns (never raw paths), status codes, fixed outcome and store names.
 */
export class Metrics {
  readonly registry = new Registry()
  readonly #duration: Histogram<'method' | 'route' | 'status'>
  readonly #logins: Counter<'outcome'>
  readonly #issued: Counter<'type'>
  readonly #revoked: Counter<'scope'>
  readonly #storeErrors: Counter<'store'>
  // One histogram child per (method, route, status): prom-client hashes a label object on
  // every observe otherwise, and the set is bounded (route patterns, never raw paths).
  readonly #timers = new Map<string, { observe(value: number): void }>()

  constructor() {
    const registers = [this.registry]
    collectDefaultMetrics({ register: this.registry, prefix: 'hexauth_' })
    this.#duration = new Histogram({
      name: 'hexauth_http_request_duration_seconds',
      help: 'HTTP request duration by route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    })
    this.#logins = new Counter({
      name: 'hexauth_logins_total',
      help: 'Login attempts by outcome',
      labelNames: ['outcome'],
      registers,
    })
    this.#issued = new Counter({
      name: 'hexauth_tokens_issued_total',
      help: 'Tokens issued by type',
      labelNames: ['type'],
      registers,
    })
    this.#revoked = new Counter({
      name: 'hexauth_revocations_total',
      help: 'Revocations by scope',
      labelNames: ['scope'],
      registers,
    })
    this.#storeErrors = new Counter({
      name: 'hexauth_store_errors_total',
      help: 'Requests failed because a store could not answer',
      labelNames: ['store'],
      registers,
    })
  }

  /** Records one finished request: `route` is the matched pattern, `error` its error code if any. */
  observe(method: string, route: string, status: number, seconds: number, error: string | undefined): void {
    const timerKey = `${method} ${status} ${route}`
    let timer = this.#timers.get(timerKey)
    if (timer === undefined) {
      timer = this.#duration.labels({ method, route, status: String(status) })
      this.#timers.set(timerKey, timer)
    }
    timer.observe(seconds)
    if (method === 'GET' || method === 'HEAD') return // no GET logs in, issues or revokes
    const key = `${method} ${route}`
    if (key === 'POST /login' || key === 'POST /fresh-login') {
      this.#logins.inc({ outcome: status < 300 ? 'success' : error ?? 'error' })
    }
    if (status >= 300) return
    const effects = ROUTE_EFFECTS[key]
    for (const type of effects?.issued ?? []) this.#issued.inc({ type })
    if (effects?.revoked !== undefined) this.#revoked.inc({ scope: effects.revoked })
  }

  /** A gauge of the requests whose handlers are running (what a shutdown waits for). */
  watchInFlight(requests: { readonly count: number }): void {
    new Gauge({
      name: 'hexauth_http_requests_in_flight',
      help: 'Requests whose handlers are running, this one included',
      registers: [this.registry],
      collect() {
        this.set(requests.count)
      },
    })
  }

  /** Gauges of the revocation near-cache: whether its feed is live, and what it holds. */
  watchNearCache(
    feed: { readonly live: boolean; readonly held: { readonly entries: number; readonly bytes: number } },
  ): void {
    const registers = [this.registry]
    new Gauge({
      name: 'hexauth_revocation_feed_live',
      help: '1 while revocation checks are answered from memory (the feed is live), 0 while they go to Redis',
      registers,
      collect() {
        this.set(feed.live ? 1 : 0)
      },
    })
    new Gauge({
      name: 'hexauth_revocation_cache_entries',
      help: 'Revocations held in the near-cache',
      registers,
      collect() {
        this.set(feed.held.entries)
      },
    })
    new Gauge({
      name: 'hexauth_revocation_cache_bytes',
      help: "Bytes of the near-cache's fingerprint tables",
      registers,
      collect() {
        this.set(feed.held.bytes)
      },
    })
  }

  /** Counts a request that failed because `store` could not answer. */
  storeError(store: 'redis' | 'mongodb' | 'limiter' | 'unknown'): void {
    this.#storeErrors.inc({ store })
  }
}
