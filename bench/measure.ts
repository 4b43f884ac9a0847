// One measurement with ../shared/bench/run.sh (the harness every peer was measured with),
// optionally beside a login storm.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const runSh = resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/bench/run.sh')

/** What one measurement gave: requests per second, latency percentiles in ms. */
export interface Measurement {
  readonly rps: number
  readonly p50: number
  readonly p99: number
  /** Requests completed in the measured window, when the tool says. */
  readonly requests?: number
}

/** What to load: a GET with a bearer token (or none), or POST /login with credentials. */
export interface Target {
  readonly base: string
  readonly path?: string
  readonly token?: string
  readonly user?: string
  readonly pass?: string
}

/** Options of {@linkcode runTarget}. */
export interface RunOptions {
  readonly duration?: number
  readonly warmup?: number
  readonly quiet?: boolean
  /** Credentials to hammer `POST /login` with, at 8 connections, during the measurement. */
  readonly storm?: { readonly base: string; readonly user: string; readonly pass: string }
}

/** The load tool: wrk when installed, autocannon otherwise. */
export function tool(): 'wrk' | 'autocannon' {
  return spawnSync('wrk', ['--version']).error === undefined ? 'wrk' : 'autocannon'
}

/** Runs run.sh once against `target`; throws when the run was not valid (non-2xx, errors). */
export function runTarget(target: Target, options: RunOptions = {}): Measurement {
  const args = ['--base', target.base]
  if (target.path !== undefined) args.push('--path', target.path)
  if (target.token !== undefined) args.push('--token', target.token)
  if (target.user !== undefined) args.push('--user', target.user, '--pass', target.pass ?? '')
  const duration = options.duration ?? Number(process.env.DURATION ?? 10)
  const warmup = options.warmup ?? Number(process.env.WARMUP ?? 3)
  const env = { ...process.env, TOOL: tool(), DURATION: String(duration), WARMUP: String(warmup) }
  const stopStorm = options.storm === undefined ? () => {} : startStorm(options.storm, duration + warmup + 5)
  let out: string
  try {
    out = execFileSync('bash', [runSh, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  } finally {
    stopStorm()
  }
  if (options.quiet !== true) {
    process.stdout.write(out.split('\n').filter((line) => line.startsWith('RESULT')).join('\n') + '\n')
  }
  const result = /RESULT .*rps=([\d.]+) p50_ms=([\d.NA]+) p99_ms=([\d.NA]+)/.exec(out)
  if (result === null) throw new Error(`no RESULT line from run.sh:\n${out}`)
  const requests = /(\d+) requests in/.exec(out)?.[1]
  return {
    rps: Number(result[1]),
    p50: Number(result[2]),
    p99: Number(result[3]),
    ...requests ? { requests: Number(requests) } : {},
  }
}

function startStorm(storm: NonNullable<RunOptions['storm']>, seconds: number): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'hexauth-storm-'))
  const script = join(dir, 'login.lua')
  const body = JSON.stringify({ username: storm.user, password: storm.pass })
  writeFileSync(
    script,
    `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [==[${body}]==]\n`,
  )
  const child = tool() === 'wrk'
    ? spawn('wrk', ['-t1', '-c8', `-d${seconds}s`, '--timeout', '30s', '-s', script, `${storm.base}/login`], {
      stdio: 'ignore',
    })
    : spawn('npx', [
      'autocannon',
      '-c',
      '8',
      '-d',
      String(seconds),
      '-m',
      'POST',
      '-H',
      'Content-Type=application/json',
      '-b',
      body,
      `${storm.base}/login`,
    ], { stdio: 'ignore' })
  return () => {
    child.kill('SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The median of `values` (NaN-free), or NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
