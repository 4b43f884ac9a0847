import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible'

/**
 * How a {@linkcode FailingLimiter}'s store fails: `down` refuses every call; `read_only`
 * answers reads and refuses writes, as a Redis at `maxmemory` or a demoted primary does.
 */
export type LimiterFault = 'down' | 'read_only'

/** A limiter whose store cannot answer, for one limiter's failure alone. */
export class FailingLimiter extends RateLimiterMemory {
  readonly #fault: LimiterFault
  /** Calls that reached the store, failed or not. */
  calls = 0

  constructor(fault: LimiterFault) {
    super({ points: 1000, duration: 60 })
    this.#fault = fault
  }

  override consume(): Promise<RateLimiterRes> {
    return this.#fail()
  }

  override penalty(): Promise<RateLimiterRes> {
    return this.#fail()
  }

  override reward(): Promise<RateLimiterRes> {
    return this.#fail()
  }

  override set(): Promise<RateLimiterRes> {
    return this.#fail()
  }

  override block(): Promise<RateLimiterRes> {
    return this.#fail()
  }

  override delete(): Promise<boolean> {
    return this.#fail()
  }

  override get(key: string | number): Promise<RateLimiterRes | null> {
    if (this.#fault === 'down') return this.#fail()
    this.calls++
    return super.get(key)
  }

  #fail(): Promise<never> {
    this.calls++
    return Promise.reject(new Error(`Cannot reach the limiter store: it is ${this.#fault.replace('_', ' ')}`))
  }
}
