import type { Gates } from './gates.ts'

/**
 * Resolves once each of `requests` is either answered or stopped at one of `gates` (none
 * opened yet), so none of them can still reach the gated step: events only, never time.
 */
export async function untilAnsweredOrGated(requests: readonly Promise<unknown>[], gates: Gates): Promise<void> {
  const pending = new Set<Promise<unknown>>()
  for (const request of requests) {
    const settle = () => {
      pending.delete(tracked)
    }
    const tracked: Promise<unknown> = request.then(settle, settle)
    pending.add(tracked)
  }
  // A request stopped at a gate is unanswered, so the two counts meet exactly when all are in.
  while (pending.size > gates.calls) await Promise.race([gates.at(gates.calls).reached, ...pending])
}
