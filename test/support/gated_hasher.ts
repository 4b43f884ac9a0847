import type { PasswordHasher } from '../../src/application/ports/password_hasher.ts'
import { createTestHasher } from './test_hasher.ts'

/**
 * A {@linkcode PasswordHasher} whose `verify` waits at a gate the test closes and opens, so
 * concurrent logins can be held inside the password check while the test looks at them.
 * It starts open; `hash` is never held.
 */
export class GatedHasher implements PasswordHasher {
  readonly #inner: PasswordHasher
  #gate: Promise<void> = Promise.resolve()
  #open: () => void = () => {}
  #arrivals: (() => void)[] = []
  /** Verifies that reached the hasher, held or not. */
  verifies = 0
  /** Verifies waiting at the closed gate now. */
  held = 0

  constructor(inner: PasswordHasher = createTestHasher()) {
    this.#inner = inner
  }

  hash(password: string): Promise<string> {
    return this.#inner.hash(password)
  }

  async verify(encoded: string, password: string): Promise<boolean> {
    this.verifies++
    this.held++
    for (const wake of this.#arrivals.splice(0)) wake()
    await this.#gate
    this.held--
    return this.#inner.verify(encoded, password)
  }

  needsRehash(encoded: string): boolean {
    return this.#inner.needsRehash(encoded)
  }

  /** Holds every verify from now on until {@linkcode open}. */
  close(): void {
    this.#gate = new Promise((resolve) => {
      this.#open = resolve
    })
  }

  /** Lets every held verify, and every later one, through. */
  open(): void {
    this.#open()
    this.#gate = Promise.resolve()
  }

  /** Resolves when the next verify reaches the hasher. */
  nextArrival(): Promise<void> {
    return new Promise((resolve) => this.#arrivals.push(resolve))
  }
}

/**
 * Resolves once each of `requests` is either answered or held at `hasher`'s gate, so none of
 * them can still reach the hasher before it opens. Waits on events only, never on time.
 */
export async function untilAnsweredOrHeld(requests: readonly Promise<unknown>[], hasher: GatedHasher): Promise<void> {
  const pending = new Set<Promise<unknown>>()
  for (const request of requests) {
    const settle = () => {
      pending.delete(tracked)
    }
    const tracked: Promise<unknown> = request.then(settle, settle)
    pending.add(tracked)
  }
  // A held request is unanswered, so the two counts meet exactly when every request is in.
  while (pending.size > hasher.held) await Promise.race([hasher.nextArrival(), ...pending])
}
