import type { Clock } from '../../src/application/ports/clock.ts'

/**
 * A clock that moves only when told to. It starts at the real time so that stores with a
 * real clock of their own (Redis expiry) agree with it until a test moves it.
 */
export class FakeClock implements Clock {
  #now: number

  constructor(start = Date.now()) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.#now += ms
  }
}
