import type { Logger } from './logger.ts'

/** Dependencies of {@linkcode KeyRefresher}. */
export interface KeyRefresherDeps {
  /** Re-reads the key store (the ring's refresh); nothing for a shared secret. */
  readonly refresh: () => Promise<void>
  /** Reads a key file again, then refreshes; the same as `refresh` without a file. */
  readonly reload: () => Promise<void>
  readonly logger: Logger
  /** How often to refresh, in milliseconds (`JWT_KEY_REFRESH`). @default 60000 */
  readonly intervalMs: number
}

/**
 * Keeps the key ring fresh in the background: every `intervalMs` on an unref'd timer (it never
 * holds the process open), and on {@linkcode reload} (SIGHUP). A store that cannot answer
 * leaves the keys held in place, logged once until it answers again.
 */
export class KeyRefresher {
  readonly #deps: KeyRefresherDeps
  #timer: ReturnType<typeof setInterval> | undefined
  #failing = false

  constructor(deps: KeyRefresherDeps) {
    this.#deps = deps
  }

  /** Starts the timer; calling it again changes nothing. */
  start(): void {
    this.#timer ??= setInterval(() => void this.#run(this.#deps.refresh), this.#deps.intervalMs)
    this.#timer.unref?.()
  }

  /** Stops the timer, for shutdown. */
  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** Reads the keys again now (SIGHUP); answers whether it worked, having logged the outcome. */
  async reload(): Promise<boolean> {
    try {
      await this.#deps.reload()
      this.#failing = false
      this.#deps.logger.info('Signing keys reloaded')
      return true
    } catch (error) {
      this.#deps.logger.error(
        { error: (error as Error).message },
        'Cannot reload the signing keys: keeping the keys held',
      )
      return false
    }
  }

  async #run(step: () => Promise<void>): Promise<boolean> {
    try {
      await step()
      if (this.#failing) this.#deps.logger.info('Signing keys refreshed again')
      this.#failing = false
      return true
    } catch (error) {
      // The message only: it names the store or the file and why, never key material.
      if (!this.#failing) {
        this.#deps.logger.error(
          { error: (error as Error).message },
          'Cannot refresh the signing keys: keeping the keys held',
        )
      }
      this.#failing = true
      return false
    }
  }
}
