import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { requireOrSkip } from './requirements.ts'

/** A Redis a suite can use, and how to let it go. */
export interface RedisHandle {
  readonly url: string
  /** Where it came from, for the suite's log line. */
  readonly source: 'REDIS_URL' | 'testcontainers' | 'redis-server'
  stop(): Promise<void>
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

/** Whether a container runtime answers within `ms` (testcontainers' own probe). */
export async function containerRuntimeAnswers(ms = 2000): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers')
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), ms)
    })
    await Promise.race([getContainerRuntimeClient(), timeout]).finally(() => clearTimeout(timer))
    return true
  } catch {
    return false
  }
}

/** Whether a `redis-server` binary is on PATH. */
export function redisServerOnPath(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0
}

/** A `redis-server` process this test owns: it can be killed, paused and started again. */
export class LocalRedis {
  readonly port: number
  readonly #dir = mkdtempSync(join(tmpdir(), 'hexauth-redis-'))
  #child: ChildProcess | undefined

  constructor(port: number) {
    this.port = port
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  /**
   * Starts (or restarts) the server and waits until it answers. With `persistent`, an
   * append-only file synced on every write keeps the data across a kill; without it a
   * restart starts from the last {@linkcode snapshot}, or empty when none was taken. `args` are
   * added to the command line (e.g. `--aclfile <path>`).
   */
  async start(options: { readonly persistent?: boolean; readonly args?: readonly string[] } = {}): Promise<void> {
    const aof = options.persistent === true
      ? ['--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no']
    const child = spawn('redis-server', [
      '--bind',
      '127.0.0.1',
      '--port',
      String(this.port),
      '--save',
      '',
      ...aof,
      '--dir',
      this.#dir,
      '--protected-mode',
      'yes',
      ...options.args ?? [],
    ], { stdio: ['ignore', 'pipe', 'pipe'] })
    this.#child = child
    let output = ''
    child.stdout!.on('data', (chunk) => {
      output += chunk
    })
    for (let i = 0; i < 100; i++) {
      if (output.includes('Ready to accept connections')) return
      if (child.exitCode !== null) break
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(`redis-server did not start on port ${this.port}: ${output}`)
  }

  /**
   * Writes an RDB snapshot now (`SAVE`), as a scheduled `save` or a backup would: a restart
   * without `persistent` comes back with exactly this data, losing every write made after it.
   */
  async snapshot(): Promise<void> {
    const admin = new Redis(this.url)
    try {
      await admin.save()
    } finally {
      admin.disconnect()
    }
  }

  /** SIGKILL: the server is gone at once, connections reset. */
  async kill(): Promise<void> {
    const child = this.#child
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGKILL')
    await once(child, 'exit')
  }

  /** SIGSTOP: connections stay open but nothing answers (a hung Redis). */
  pause(): void {
    this.#child?.kill('SIGSTOP')
  }

  /** SIGCONT after {@linkcode pause}. */
  resume(): void {
    this.#child?.kill('SIGCONT')
  }

  async stop(): Promise<void> {
    this.resume()
    await this.kill()
    rmSync(this.#dir, { recursive: true, force: true })
  }
}

/**
 * A Redis for a test suite, found in DESIGN.md's order: `REDIS_URL`; a testcontainers
 * container when a runtime answers; a `redis-server` on PATH on a free port. Answers a
 * reason string when there is none, for the suite's skip line.
 */
export async function acquireRedis(): Promise<RedisHandle | string> {
  const url = process.env.REDIS_URL
  if (url !== undefined && url !== '') return { url, source: 'REDIS_URL', stop: () => Promise.resolve() }
  if (await containerRuntimeAnswers()) {
    const { RedisContainer } = await import('@testcontainers/redis')
    const container = await new RedisContainer('redis:7-alpine').start()
    return {
      url: container.getConnectionUrl(),
      source: 'testcontainers',
      stop: async () => {
        await container.stop()
      },
    }
  }
  if (redisServerOnPath()) {
    const local = new LocalRedis(await freePort())
    await local.start()
    return { url: local.url, source: 'redis-server', stop: () => local.stop() }
  }
  return 'no REDIS_URL, no container runtime and no redis-server on PATH (apt-get install redis-server)'
}

/**
 * {@linkcode acquireRedis} for a mocha hook or test: skips it, with one line saying why,
 * when there is no Redis to be had.
 */
export async function acquireRedisOrSkip(context: Mocha.Context, label = 'Redis suites'): Promise<RedisHandle> {
  const found = await acquireRedis()
  requireOrSkip(context, 'redis-server', typeof found !== 'string', `${label}: ${String(found)}`)
  return found as RedisHandle
}
