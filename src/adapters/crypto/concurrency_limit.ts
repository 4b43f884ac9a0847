/**
 * Runs at most `max` tasks at once; the rest wait in arrival order. Used to keep password
 * hashing (which occupies a CPU core per task) from taking every core from the event loop.
 */
export class ConcurrencyLimit {
  readonly #max: number
  readonly #waiting: Array<() => void> = []
  #running = 0

  constructor(max: number) {
    if (!(Number.isInteger(max) && max >= 1)) {
      throw new RangeError('Cannot limit concurrency: max must be a positive integer')
    }
    this.#max = max
  }

  /** How many tasks wait for a slot. */
  get waiting(): number {
    return this.#waiting.length
  }

  /** Runs `task` once a slot is free. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#max) await new Promise<void>((resolve) => this.#waiting.push(resolve))
    else this.#running++
    try {
      return await task()
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = this.#waiting.shift()
      if (next === undefined) this.#running--
      else next()
    }
  }
}
