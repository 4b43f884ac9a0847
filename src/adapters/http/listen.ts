import { createServer, type RequestListener, type Server } from 'node:http'

/** Where and how the HTTP server listens. */
export interface ListenOptions {
  readonly port: number
  readonly host: string
  /**
   * How long an idle keep-alive connection stays open, in ms: longer than the idle timeout
   * of the proxies and load balancers in front (nginx 75 s upstream keepalive_timeout default,
   * AWS ALB 60 s), or one of them reuses a connection this server just closed and answers 502.
   * @default 65000
   */
  readonly keepAliveTimeoutMs: number
}

/**
 * Starts the HTTP server for `handler` (the Koa app's callback) and resolves once it listens.
 * `headersTimeout` is kept above the keep-alive timeout, as Node requires for reused
 * connections to be timed by the keep-alive timeout alone.
 */
export async function listen(handler: RequestListener, options: ListenOptions): Promise<Server> {
  const server = createServer(handler)
  server.keepAliveTimeout = options.keepAliveTimeoutMs
  server.headersTimeout = options.keepAliveTimeoutMs + 1000
  // requestTimeout (300 s by default) must stay at or above headersTimeout.
  server.requestTimeout = Math.max(server.requestTimeout, server.headersTimeout)
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
    server.listen(options.port, options.host)
  })
  return server
}
