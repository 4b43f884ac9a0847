import type { AppContainer } from '../container.ts'
import { runCli } from './run_cli.ts'

/**
 * The `hexauth` command: builds the service's container from the same environment
 * (`loadConfig(resolveSecretFiles(process.env))`), runs one command, closes every store client
 * and lets the process end with the command's exit status.
 */
async function main(): Promise<void> {
  let container: AppContainer | undefined
  const open = async (): Promise<AppContainer> => {
    // Loaded once the command line is valid: --help and usage errors load no driver.
    const [{ loadConfig }, { createContainer }, { createLogger }, { resolveSecretFiles }] = await Promise.all([
      import('../config.ts'),
      import('../container.ts'),
      import('../logger.ts'),
      import('../secret_files.ts'),
    ])
    // One command hashes one password: one hash at a time, whatever the service's setting, so
    // the pool (libuv's 4 threads unless UV_THREADPOOL_SIZE says more) always has room left.
    const config = loadConfig({ ...resolveSecretFiles(process.env), ARGON2_CONCURRENCY: '1' })
    const memory = [
      ...config.mongoUrl === undefined ? ['users'] : [],
      ...config.mongoUrl === undefined && config.keys.mode === 'managed' ? ['signing keys'] : [],
      ...config.redisUrl === undefined ? ['revocations'] : [],
    ]
    if (memory.length > 0) {
      process.stderr.write(
        `hexauth: warning: in-memory stores: ${
          memory.join(', ')
        } end with this command (set MONGO_URL and REDIS_URL to reach the service's stores)\n`,
      )
    }
    // Logs go to stderr: stdout carries only the command's result.
    container = createContainer(config, createLogger(config.logLevel, process.stderr))
    return container
  }
  try {
    process.exitCode = await runCli(process.argv.slice(2), process, open)
  } finally {
    if (container !== undefined) await (await import('../container.ts')).disposeContainer(container)
  }
}

await main()
