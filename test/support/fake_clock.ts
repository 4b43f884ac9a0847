import type { Clock } from '../../src/application/ports/clock.ts'

/** A clock that moves only when told to. */
export class FakeClock implements Clock {
  #now: number

  constructor(start = Date.UTC(2026, 0, 1)) {
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
