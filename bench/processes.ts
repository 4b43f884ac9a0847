// The processes a benchmark run starts, stopped on every way out of it: the normal end, a
// crash (an exception nobody caught), Ctrl-C or a kill. A run that died half-way once left its
// redis-server running; every process here is killed by PID from the 'exit' handler, which
// runs whatever ended the run.
import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process'
import { freePort } from '../test/support/redis_server.ts'

const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const

/** Starts processes and guarantees they end with this one. */
export class Processes {
  readonly #children = new Set<ChildProcess>()
  readonly #stops: Array<() => void> = []
  #stopped = false

  constructor() {
    process.once('exit', () => this.stopAll())
    for (const [signal, number] of Object.entries(SIGNALS)) process.once(signal, () => process.exit(128 + number))
    const crash = (error: unknown) => {
      console.error(error)
      process.exit(1)
    }
    process.once('uncaughtException', crash)
    process.once('unhandledRejection', crash)
  }

  /** Spawns `command` and remembers it, to kill it when this process ends. */
  spawn(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn(command, [...args], options)
    this.#children.add(child)
    child.once('exit', () => this.#children.delete(child))
    return child
  }

  /** Runs `stop` (synchronously) when this process ends, e.g. a script that stops what it started. */
  onStop(stop: () => void): void {
    this.#stops.push(stop)
  }

  /** Kills every child still running and runs the stop hooks, once; synchronous, as 'exit' needs. */
  stopAll(): void {
    if (this.#stopped) return
    this.#stopped = true
    for (const child of this.#children) {
      try {
        child.kill('SIGKILL')
      } catch {
        // already gone
      }
    }
    for (const stop of this.#stops.splice(0)) {
      try {
        stop()
      } catch (error) {
        console.error(`while stopping: ${String(error)}`)
      }
    }
  }
}

/** A redis-server of the run's own on a free port, without persistence, stopped with `processes`. */
export async function startRedis(processes: Processes): Promise<string> {
  const port = await freePort()
  const child = processes.spawn('redis-server', [
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'no',
  ], { stdio: ['ignore', 'pipe', 'inherit'] })
  let output = ''
  child.stdout!.on('data', (chunk) => {
    output += chunk
  })
  for (let i = 0; i < 100 && !output.includes('Ready to accept connections'); i++) {
    await new Promise((r) => setTimeout(r, 50))
  }
  if (!output.includes('Ready to accept connections')) throw new Error(`redis-server did not start: ${output}`)
  return `redis://127.0.0.1:${port}`
}
