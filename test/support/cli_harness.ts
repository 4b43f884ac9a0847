import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { availableParallelism } from 'node:os'
import { dirname, resolve } from 'node:path'
import { Readable, Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import type { CliIo } from '../../src/adapters/cli/run_cli.ts'

/** The repository root, where the CLI runs. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** Cheap argon2 parameters and quiet logs for CLI processes; no store URL unless a test adds one. */
export const CLI_ENV: Readonly<Record<string, string>> = {
  ARGON2_MEMORY_KIB: '1024',
  ARGON2_TIME_COST: '1',
  ARGON2_PARALLELISM: '1',
  LOG_LEVEL: 'silent',
}

/** How a CLI run ended. */
export interface CliRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** What {@linkcode spawnCli} starts. */
export interface SpawnOptions {
  /** Added to {@linkcode CLI_ENV}; the parent's environment is not inherited (but PATH). */
  readonly env?: Readonly<Record<string, string>>
  /** Piped to standard input, then closed; nothing means an empty standard input. */
  readonly stdin?: string
  /** The command: `node --import tsx src/adapters/cli/main.ts` by default. */
  readonly command?: readonly string[]
}

let running = 0
const waiting: (() => void)[] = []

/** Runs `hexauth <argv>` as a real process (a few at a time) and waits for it to exit. */
export async function spawnCli(argv: readonly string[], options: SpawnOptions = {}): Promise<CliRun> {
  while (running >= Math.max(2, availableParallelism())) await new Promise<void>((wake) => waiting.push(wake))
  running++
  try {
    const [file = process.execPath, ...args] = options.command ??
      [process.execPath, '--import', 'tsx', 'src/adapters/cli/main.ts']
    const child = spawn(file, [...args, ...argv], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...CLI_ENV, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    child.stdin.on('error', () => {}) // a CLI that exits without reading closes the pipe
    child.stdin.end(options.stdin ?? '')
    const [code] = await once(child, 'exit') as [number | null]
    return { code, stdout, stderr }
  } finally {
    running--
    waiting.shift()?.()
  }
}

/** Standard streams for an in-process {@linkcode runCli}: `stdin` piped, output collected. */
export interface MemoryIo extends CliIo {
  readonly out: () => string
  readonly err: () => string
}

/** Streams for an in-process run: standard input holds `stdin` (not a terminal). */
export function memoryIo(stdin = ''): MemoryIo {
  let out = ''
  let err = ''
  return {
    stdin: Readable.from(stdin === '' ? [] : [Buffer.from(stdin)]),
    stdout: new Writable({
      write(chunk, _encoding, done) {
        out += chunk
        done()
      },
    }),
    stderr: new Writable({
      write(chunk, _encoding, done) {
        err += chunk
        done()
      },
    }),
    out: () => out,
    err: () => err,
  }
}
