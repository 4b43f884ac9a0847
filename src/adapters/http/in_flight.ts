/**
 * Counts the requests whose handlers are still running, so a shutdown can wait for them
 * after their connections were closed: Koa cannot cancel a handler, and one cut off from its
 * stores half-way (a user deleted, its tokens not yet revoked) must never happen.
 */
export class InFlightRequests {
  #count = 0
  #idle: Array<() => void> = []

  /** How many handlers are running. */
  get count(): number {
    return this.#count
  }

  /** A handler starts: called first thing for every request (the request envelope). */
  enter(): void {
    this.#count++
  }

  /** A handler has finished, whatever its outcome: called last thing for every request. */
  leave(): void {
    if (--this.#count === 0) { for (const wake of this.#idle.splice(0)) wake() }
  }

  /** Resolves `true` once no handler runs, or `false` after `timeoutMs` if some still do. */
  settled(timeoutMs: number): Promise<boolean> {
    if (this.#count === 0) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#idle = this.#idle.filter((wake) => wake !== done)
        resolve(false)
      }, timeoutMs)
      const done = () => {
        clearTimeout(timer)
        resolve(true)
      }
      this.#idle.push(done)
    })
  }
}
