/**
 * The README's bound: a revocation made on one instance (or by the CLI) reaches every
 * instance's near-cache in about a millisecond, one whose message was lost with the next
 * heartbeat, and a silently broken feed is distrusted after 3 s of silence.
 */
export const PROPAGATION_BOUND_MS = 3000

/** Polls `check` every 20 ms until it holds; throws naming `what` after `ms`. A fast machine passes at once. */
export async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const started = Date.now()
  while (!await check()) {
    if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
