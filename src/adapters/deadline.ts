/**
 * `work`, or a rejection with `timeout()` once `ms` have passed since the call, whichever comes
 * first. A client's own command timeout starts when the command is sent, and a command can
 * wait to be sent (ioredis's auto-pipelining holds the next batch until the running one
 * answers): under load, a hung server then answers each request after two timeouts or more.
 * This one starts when the request asks.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, timeout: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeout()), ms)
  })
  return Promise.race([work, expired]).finally(() => clearTimeout(timer))
}
