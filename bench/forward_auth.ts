// `node --import tsx bench/forward_auth.ts`: what forward-auth and introspection cost, in one
// interleaved run on this machine (issue 14). hexauth (Node 20 + tsx, near-cache on, as `npm
// start` with REDIS_URL) on a redis-server of its own, an echo upstream, Debian's nginx with
// the shipped configuration (deploy/forward-auth) and nginx to the same upstream with no auth.
// Measured, ROUNDS times in turn: `/auth/verify` direct, `/secret` direct, the upstream through
// nginx with auth_request and through nginx without, and `POST /introspect` (wrk with a Lua
// body). Prints medians and the ratios. Stops everything it started on every way out.
// Env: ROUNDS=3 DURATION=10 WARMUP=3 CONNECTIONS=50
import { execFileSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../test/support/redis_server.ts'
import { startPlainNginx, startProxy } from '../test/support/proxies.ts'
import { type Measurement, median, runTarget } from './measure.ts'
import { Processes, startRedis } from './processes.ts'
import { call, callRetrying } from './setup_http.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const ROUNDS = Number(process.env.ROUNDS ?? 3)
const DURATION = Number(process.env.DURATION ?? 10)
const WARMUP = Number(process.env.WARMUP ?? 3)
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50)
const SECRET = 'bench-only-secret-Qm4vT9xK2pW7nL0sR5bH8cJ3fY6dG1zXa'
const CLIENT = { id: 'bench', secret: 'bench-only-client-secret-Wc5xN8rT1kP4mZ7qL2vB9' }
// Ory Hydra's published introspection figure (2 CPUs, in-memory store), for comparison only.
const HYDRA = { rps: 22_000, p99: 14.6 }
const processes = new Processes()

async function startHexauth(redisUrl: string): Promise<string> {
  const port = await freePort()
  const child = processes.spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      JWT_SECRET: SECRET,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: 'bench-fa:',
      RATE_LIMIT: 'off',
      LOG_LEVEL: 'warn',
      MALLOC_ARENA_MAX: '2',
      UV_THREADPOOL_SIZE: '16',
      ACCESS_TOKEN_TTL: '1d',
      CLIENTS: `${CLIENT.id}:${CLIENT.secret}`,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  child.stdout!.resume()
  const url = `http://127.0.0.1:${port}`
  if ((await callRetrying(`${url}/healthz`)).status !== 200) throw new Error('hexauth did not become healthy')
  return url
}

/** The echo upstream, in a process of its own: this one blocks while wrk runs. Answers its host:port. */
async function startUpstream(): Promise<string> {
  const child = processes.spawn(process.execPath, ['--import', 'tsx', 'bench/echo_upstream.ts'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const [line] = await once(child.stdout!, 'data') as [Buffer]
  return line.toString().trim()
}

async function token(base: string): Promise<string> {
  const credentials = { username: 'bench', password: 'bench-password-123' }
  await call(`${base}/registration`, 'POST', credentials)
  const login = await call(`${base}/login`, 'POST', credentials)
  if (login.status !== 200) throw new Error(`login answered ${login.status}`)
  return (JSON.parse(login.text) as { access_token: string }).access_token
}

/** `POST /introspect` under wrk (run.sh loads GETs only), measured as run.sh measures. */
function introspect(base: string, accessToken: string): Measurement {
  const dir = mkdtempSync(join(tmpdir(), 'hexauth-introspect-'))
  const script = join(dir, 'introspect.lua')
  const basic = Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')
  writeFileSync(
    script,
    `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n` +
      `wrk.headers["Authorization"] = "Basic ${basic}"\nwrk.body = "token=${accessToken}"\n`,
  )
  try {
    const run = (seconds: number) =>
      execFileSync('wrk', [
        '-t1',
        `-c${CONNECTIONS}`,
        `-d${seconds}s`,
        '--timeout',
        '30s',
        '--latency',
        '-s',
        script,
        `${base}/introspect`,
      ], { encoding: 'utf8' })
    if (WARMUP > 0) run(WARMUP)
    const out = run(DURATION)
    if (/Non-2xx|Socket errors/.test(out)) throw new Error(`/introspect answered errors:\n${out}`)
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1])
    const at = (p: string) => toMs(new RegExp(`${p}%\\s+([\\d.]+\\w+)`).exec(out)![1]!)
    const m = { rps, p50: at('50'), p99: at('99') }
    console.log(`RESULT kind=post url=${base}/introspect rps=${m.rps} p50_ms=${m.p50} p99_ms=${m.p99}`)
    return m
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function toMs(value: string): number {
  const number = Number.parseFloat(value)
  if (value.endsWith('us')) return number / 1000
  if (value.endsWith('ms')) return number
  return value.endsWith('s') ? number * 1000 : number
}

async function main(): Promise<void> {
  const hexauth = await startHexauth(await startRedis(processes))
  const upstream = await startUpstream()
  // stop() kills at once (synchronously, as the 'exit' hooks need) before it cleans up.
  const guarded = await startProxy('nginx', new URL(hexauth).host, upstream)
  processes.onStop(() => void guarded.stop())
  const plain = await startPlainNginx(upstream)
  processes.onStop(() => void plain.stop())
  try {
    await measure(hexauth, guarded.url, plain.url)
  } finally {
    await guarded.stop()
    await plain.stop()
  }
}

async function measure(hexauth: string, guarded: string, plain: string): Promise<void> {
  const accessToken = await token(hexauth)
  const results: Record<string, Measurement[]> = {}
  const add = (name: string, m: Measurement) => (results[name] ??= []).push(m)
  const options = { duration: DURATION, warmup: WARMUP }
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`\n== round ${round}/${ROUNDS}`)
    add('/auth/verify direct', runTarget({ base: hexauth, path: '/auth/verify', token: accessToken }, options))
    add('/secret direct', runTarget({ base: hexauth, path: '/secret', token: accessToken }, options))
    add(
      'nginx + auth_request → upstream',
      runTarget({ base: guarded, path: '/dashboard', token: accessToken }, options),
    )
    add('nginx, no auth → upstream', runTarget({ base: plain, path: '/dashboard', token: accessToken }, options))
    add('POST /introspect', introspect(hexauth, accessToken))
  }
  const rps = (name: string) => median(results[name]!.map((m) => m.rps))
  const p99 = (name: string) => median(results[name]!.map((m) => m.p99))
  console.log(
    `\n| target (median of ${ROUNDS}, ${DURATION} s, ${CONNECTIONS} connections) | req/s | p99 ms |\n|---|---|---|`,
  )
  for (const name of Object.keys(results)) {
    console.log(`| ${name} | ${rps(name).toFixed(0)} | ${p99(name).toFixed(2)} |`)
  }
  const ratio = (a: string, b: string) => (rps(a) / rps(b)).toFixed(2)
  console.log(`\n/auth/verify ÷ /secret: ${ratio('/auth/verify direct', '/secret direct')} (target ≥ 1)`)
  console.log(
    `nginx + auth ÷ nginx without: ${
      ratio('nginx + auth_request → upstream', 'nginx, no auth → upstream')
    } (target ≥ 0.8)`,
  )
  console.log(
    `/introspect here: ${rps('POST /introspect').toFixed(0)} req/s, p99 ${
      p99('POST /introspect').toFixed(2)
    } ms; Ory Hydra's published figure: ${HYDRA.rps} req/s, p99 ${HYDRA.p99} ms (2 CPUs, in-memory store), not measured here`,
  )
}

await main()
process.exit(0) // the 'exit' handler stops every process this run started
