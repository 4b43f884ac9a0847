import type { Server } from 'node:http'
import { loadConfig } from './adapters/config.ts'
import { createContainer, disposeContainer, HttpApp, InFlight, KeyRefresh } from './adapters/container.ts'
import { listen } from './adapters/http/listen.ts'
import { shutDown } from './adapters/http/shutdown.ts'
import { keyWarnings } from './adapters/key_config.ts'
import { createLogger } from './adapters/logger.ts'
import { resolveSecretFiles } from './adapters/secret_files.ts'
import { lowerWorkerThreadPriority } from './adapters/thread_priority.ts'

/**
 * Starts hexauth: reads and validates the configuration (secrets from `<NAME>_FILE` too), builds
 * the container, listens, and shuts down on SIGTERM/SIGINT. A bad configuration stops it with a
 * message naming the variable.
 */
async function main(): Promise<void> {
  let config
  try {
    config = loadConfig(resolveSecretFiles(process.env))
  } catch (error) {
    process.stderr.write(`hexauth: ${(error as Error).message}\n`)
    process.exit(78) // EX_CONFIG
  }
  const logger = createLogger(config.logLevel)
  for (const warning of keyWarnings(config.keys, config.jwtSecret !== undefined)) logger.warn(warning)
  const memory = [
    ...config.mongoUrl === undefined ? ['users', 'items'] : [],
    ...config.mongoUrl === undefined && config.keys.mode === 'managed' ? ['signing keys'] : [],
    ...config.redisUrl === undefined ? ['revocations'] : [],
  ]
  if (memory.length > 0) {
    logger.warn(
      `WARNING: running on in-memory stores: ${
        memory.join(', ')
      } are lost at restart and not shared between instances (set MONGO_URL and REDIS_URL to persist)`,
    )
  }
  logger.info({
    users: config.mongoUrl === undefined ? 'memory' : 'mongodb',
    revocations: config.redisUrl === undefined ? 'memory' : 'redis',
    keys: config.keys.mode === 'managed' ? (config.mongoUrl === undefined ? 'memory' : 'mongodb') : config.keys.mode,
    algorithm: config.keys.mode === 'file' ? 'each key its own' : config.keys.algorithm,
  }, 'Stores chosen')

  if (config.workerNiceness > 0) {
    const reniced = await lowerWorkerThreadPriority(config.workerNiceness)
    logger.debug(
      { threads: reniced, niceness: config.workerNiceness },
      'Worker threads given a lower CPU priority than the event loop',
    )
  }
  const container = createContainer(config, logger)
  let app
  try {
    app = await container.getAsync(HttpApp)
  } catch (error) {
    // A key file that fails its checks, or a key that does not open with KEY_ENCRYPTION_SECRET.
    if (!(error instanceof RangeError)) throw error
    process.stderr.write(`hexauth: ${error.message}\n`)
    process.exit(78) // EX_CONFIG
  }
  const keys = await container.getAsync(KeyRefresh)
  keys.start()
  // SIGHUP re-reads JWT_KEYS_FILE (and the key store): an invalid file keeps the keys held.
  process.on('SIGHUP', () => void keys.reload())
  const inFlight = await container.getAsync(InFlight)
  const server: Server = await listen(app.callback(), {
    port: config.port,
    host: config.host,
    keepAliveTimeoutMs: config.keepAliveTimeoutSeconds * 1000,
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : config.port
  logger.info({
    host: config.host,
    port,
    pid: process.pid,
    threadpool: config.threadPoolSize,
    argon2_concurrency: config.argon2Concurrency,
  }, `hexauth listening on http://${config.host}:${port}`)

  const stop = async (signal: string) => {
    logger.info(
      { signal, timeout_s: config.shutdownTimeoutSeconds },
      'Shutting down: no new connections, finishing requests',
    )
    // A second signal does not wait. Armed on the next turn: Deno's node:process would call a
    // listener added now for the very signal being handled, and exit at once.
    setImmediate(() => process.once(signal, () => process.exit(130)))
    await shutDown({
      server,
      inFlight,
      logger,
      timeoutMs: config.shutdownTimeoutSeconds * 1000,
      // Enough for a store call of a cut-off handler to answer or time out.
      drainMs: 2 * Math.max(config.redisCommandTimeoutMs, config.mongoTimeoutMs) + 1000,
      dispose: () => disposeContainer(container), // closes the MongoDB and Redis clients
    })
    logger.info('Stopped')
    process.exit(0)
  }
  process.once('SIGTERM', (signal) => void stop(signal))
  process.once('SIGINT', (signal) => void stop(signal))
}

await main()
