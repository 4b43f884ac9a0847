import type { Clock } from '../application/ports/clock.ts'

/** The wall clock. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now()
  }
}
