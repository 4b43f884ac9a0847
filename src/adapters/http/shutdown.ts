import { once } from 'node:events'
import type { Server } from 'node:http'
import type { Logger } from '../logger.ts'
import type { InFlightRequests } from './in_flight.ts'

/** What {@linkcode shutDown} stops, and how long it may take. */
export interface ShutdownDeps {
  readonly server: Server
  readonly inFlight: InFlightRequests
  readonly logger: Logger
  /** How long requests may take before their connections are closed, in ms (`SHUTDOWN_TIMEOUT`). */
  readonly timeoutMs: number
  /**
   * How long handlers cut off from their connections may still run before the stores close,
   * in ms: enough for their store calls to answer or time out.
   */
  readonly drainMs: number
  /** Closes the stores (the container's deactivation hooks). */
  readonly dispose: () => Promise<void>
}

/**
 * Stops serving: no new connections; requests in flight finish, up to `timeoutMs`, after which
 * their connections are closed; then, before the stores close, every handler still running
 * finishes its store work (up to `drainMs`), so no request is left half done.
 */
export async function shutDown(deps: ShutdownDeps): Promise<void> {
  const { server, inFlight, logger } = deps
  const closed = once(server, 'close')
  server.close()
  // Keep-alive connections become idle as their requests finish: close each as it does.
  const sweep = setInterval(() => server.closeIdleConnections(), 50)
  const deadline = setTimeout(() => {
    logger.warn(
      { in_flight: inFlight.count },
      'Shutdown timeout reached: closing connections with requests still in flight',
    )
    server.closeAllConnections()
  }, deps.timeoutMs)
  server.closeIdleConnections()
  await closed
  clearInterval(sweep)
  clearTimeout(deadline)
  if (!await inFlight.settled(deps.drainMs)) {
    logger.error(
      { in_flight: inFlight.count },
      'Handlers still running after the drain period: closing the stores under them',
    )
  }
  await deps.dispose()
}
