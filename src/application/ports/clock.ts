/** The time, so tests can move it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
}

/** Injection token of {@linkcode Clock}. */
export const Clock = Symbol('Clock')
