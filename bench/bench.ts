// `npm run bench`: hexauth against the peers of ../shared/bench (bare Koa; Fastify +
// @fastify/jwt + Redis), on this machine, in one run, on both runtimes hexauth runs on (Node 20
// with tsx, as `npm start`; Node 24 on the source compiled to dist/, as the image), in the configuration
// users run (near-cache on, the default with REDIS_URL; ES256 managed keys, the default without
// JWT_SECRET). Starts a redis-server, the hexauth instances and the peers, measures with
// ../shared/bench/run.sh (wrk) in interleaved rounds,
// prints a table of ratios and writes bench/RESULTS.md. Stops everything it started on every
// way out (bench/processes.ts). Env: ROUNDS=3 DURATION=10 WARMUP=3 CONNECTIONS=50
// RSS_REQUESTS=1000000 REVOCATIONS=1000000 NODE_TYPE_STRIPPING_BIN=<a Node 24>
import { type ChildProcess, execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../src/adapters/config.ts'
import { buildImageApp } from '../test/support/image_app.ts'
import { freePort } from '../test/support/redis_server.ts'
import { type Measurement, runTarget } from './measure.ts'
import { Processes, startRedis } from './processes.ts'
import { type Figures, report, SETTLE_S } from './report.ts'
import { revokeMany } from './revocations.ts'
import { launcherEnv, type Runtime, runtimes } from './runtimes.ts'
import { call, callRetrying } from './setup_http.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const peersDir = resolve(root, '../shared/bench')
const ROUNDS = Number(process.env.ROUNDS ?? 3)
const RSS_REQUESTS = Number(process.env.RSS_REQUESTS ?? 1_000_000)
const REVOCATIONS = Number(process.env.REVOCATIONS ?? 1_000_000)
const USER = 'bench'
const PASS = 'bench-password-123'
// As hexauth hashes by default with the launchers' UV_THREADPOOL_SIZE (16): every core.
const HASH_CONCURRENCY = loadConfig(launcherEnv(root)).argon2Concurrency
// Everything this run starts, killed on every way out of it (a crash and Ctrl-C included).
const processes = new Processes()
const peersState = `/tmp/hexauth-bench-peers-${process.pid}`

function peers(command: 'start' | 'stop' | 'token', port?: string): string {
  return execFileSync('bash', [resolve(peersDir, 'peers.sh'), command, ...port ? [port] : []], {
    env: { ...process.env, PEERS_STATE: peersState },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim()
}

/** One hexauth process. */
interface Instance {
  readonly url: string
  readonly child: ChildProcess
}

async function startHexauth(runtime: Runtime, redisUrl: string, env: Record<string, string> = {}): Promise<Instance> {
  const port = await freePort()
  const [file, ...args] = runtime.command
  const child = processes.spawn(file!, [...args, runtime.entry], {
    cwd: runtime.cwd,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: 'bench:',
      RATE_LIMIT: 'off',
      LOG_LEVEL: 'warn',
      ...launcherEnv(root),
      ARGON2_MEMORY_KIB: '19456',
      ARGON2_TIME_COST: '2',
      ARGON2_PARALLELISM: '1',
      ACCESS_TOKEN_TTL: '1d', // one token lasts the whole run
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  child.stdout!.resume()
  const url = `http://127.0.0.1:${port}`
  const health = await callRetrying(`${url}/healthz`)
  if (health.status !== 200) throw new Error(`hexauth answered /healthz with ${health.status}`)
  return { url, child }
}

async function token(base: string): Promise<string> {
  const credentials = { username: USER, password: PASS }
  await call(`${base}/registration`, 'POST', credentials) // 201, or 409 when it exists
  const login = await call(`${base}/login`, 'POST', credentials)
  if (login.status !== 200) throw new Error(`login on ${base} answered ${login.status}: ${login.text}`)
  return (JSON.parse(login.text) as { access_token: string }).access_token
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024
}

/** A gauge of hexauth's /metrics, or NaN. */
async function gauge(base: string, name: string): Promise<number> {
  const line = (await call(`${base}/metrics`)).text.split('\n').find((l) => l.startsWith(`${name} `))
  return line === undefined ? Number.NaN : Number(line.split(' ')[1])
}

/** Raw verifies per second with `concurrency` at once. */
function argon2Rate(concurrency: number): number {
  const out = execFileSync(process.execPath, [
    '--import',
    'tsx',
    'bench/argon2_rate.ts',
    process.env.DURATION ?? '10',
    String(concurrency),
  ], { cwd: root, encoding: 'utf8' })
  return Number(/rate=([\d.]+)/.exec(out)![1])
}

/** Loads `GET path` until `requests` were served; answers how many. */
function loadUntil(target: { base: string; token?: string; path?: string }, requests: number): number {
  let served = 0
  while (served < requests) served += runTarget(target, { duration: 30, warmup: 0, quiet: true }).requests ?? 0
  return served
}

async function main(): Promise<void> {
  const redis = await startRedis(processes)
  // The image's /app (dist/ compiled as its build stage does), for Node 24.
  const app = buildImageApp()
  processes.onStop(() => app.remove())
  const [node20, node24] = runtimes(root, app.dir) as [Runtime, Runtime]
  const hex = { node20: await startHexauth(node20, redis), node24: await startHexauth(node24, redis) }
  const plain = await startHexauth(node20, redis, { REVOCATION_CACHE: 'off' }) // every check a Redis MGET
  const figures: Figures = {
    results: {},
    rss: {},
    revocations: {},
    hashConcurrency: HASH_CONCURRENCY,
    runtimes: [node20, node24],
    requests: RSS_REQUESTS,
    revocationCount: REVOCATIONS,
  }
  const add = (name: string, m: Measurement) => (figures.results[name] ??= []).push(m)
  console.log(
    `hexauth on ${hex.node20.url} (node 20) and ${hex.node24.url} (node 24), redis on ${redis}; peers starting`,
  )
  processes.onStop(() => peers('stop'))
  peers('start')
  // Each instance signs with its own ES256 key (the default: managed keys, here in memory).
  const tokens = {
    node20: await token(hex.node20.url),
    node24: await token(hex.node24.url),
    plain: await token(plain.url),
  }

  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`\n== /secret, round ${round}/${ROUNDS}`)
    add('hexauth /secret, node20+tsx', runTarget({ base: hex.node20.url, token: tokens.node20 }))
    add('hexauth /secret, node24', runTarget({ base: hex.node24.url, token: tokens.node24 }))
    add('hexauth /secret, REVOCATION_CACHE=off', runTarget({ base: plain.url, token: tokens.plain }))
    add('fastify /secret', runTarget({ base: 'http://127.0.0.1:7002', token: peers('token', '7002') }))
    add('koa /hello', runTarget({ base: 'http://127.0.0.1:7001', path: '/hello' }))
  }
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`\n== /login, round ${round}/${ROUNDS}`)
    add('hexauth /login, node20+tsx', runTarget({ base: hex.node20.url, user: USER, pass: PASS }))
    add('hexauth /login, node24', runTarget({ base: hex.node24.url, user: USER, pass: PASS }))
    add('fastify-owasp /login', runTarget({ base: 'http://127.0.0.1:7003', user: USER, pass: PASS }))
    add('argon2 verify bound', { rps: argon2Rate(HASH_CONCURRENCY), p50: Number.NaN, p99: Number.NaN })
  }
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`\n== login storm, round ${round}/${ROUNDS}`)
    add('hexauth /secret idle', runTarget({ base: hex.node24.url, token: tokens.node24 }))
    add(
      'hexauth /secret under login storm',
      runTarget({ base: hex.node24.url, token: tokens.node24 }, {
        storm: { base: hex.node24.url, user: USER, pass: PASS },
      }),
    )
  }
  await revocationPhase(redis, [node20, node24], figures, add)
  await memoryPhase(redis, [node20, node24], figures)
  const table = report(figures)
  console.log(`\n${table}`)
  writeFileSync(resolve(root, 'bench/RESULTS.md'), table)
}

/**
 * The near-cache at scale: REVOCATIONS revocations written to Redis; a fresh instance of each
 * runtime on them (its resync time, RSS and table bytes) against one on an empty prefix, and
 * /secret on both, interleaved.
 */
async function revocationPhase(
  redis: string,
  rts: readonly Runtime[],
  figures: Figures,
  add: (name: string, m: Measurement) => void,
): Promise<void> {
  console.log(`\n== writing ${REVOCATIONS} revocations`)
  await revokeMany(redis, 'bench-revoked:', REVOCATIONS)
  for (const runtime of rts) {
    const empty = await startHexauth(runtime, redis, { REDIS_KEY_PREFIX: 'bench-empty:' })
    const started = performance.now()
    const full = await startHexauth(runtime, redis, { REDIS_KEY_PREFIX: 'bench-revoked:' })
    while (await gauge(full.url, 'hexauth_revocation_feed_live') !== 1) await new Promise((r) => setTimeout(r, 20))
    const resyncMs = performance.now() - started
    const [emptyToken, fullToken] = [await token(empty.url), await token(full.url)]
    const entries = await gauge(full.url, 'hexauth_revocation_cache_entries')
    const bytes = await gauge(full.url, 'hexauth_revocation_cache_bytes')
    const rssFullAtLive = rssMb(full.child.pid!)
    console.log(
      `== resynced in ${(resyncMs / 1000).toFixed(1)} s, RSS ${
        rssFullAtLive.toFixed(0)
      } MB; idle ${SETTLE_S} s for the settled RSS`,
    )
    await new Promise((r) => setTimeout(r, SETTLE_S * 1000))
    figures.revocations[runtime.name] = {
      resyncMs,
      entries,
      bytes,
      rssEmpty: rssMb(empty.child.pid!),
      rssFull: rssMb(full.child.pid!),
      rssFullAtLive,
    }
    for (let round = 1; round <= ROUNDS; round++) {
      console.log(`\n== ${runtime.name}: ${REVOCATIONS} revoked vs none, round ${round}/${ROUNDS}`)
      add(`hexauth /secret, none revoked, ${runtime.name}`, runTarget({ base: empty.url, token: emptyToken }))
      add(`hexauth /secret, ${REVOCATIONS} revoked, ${runtime.name}`, runTarget({ base: full.url, token: fullToken }))
    }
    empty.child.kill('SIGKILL')
    full.child.kill('SIGKILL')
  }
}

/** RSS at start and after RSS_REQUESTS /secret requests, per runtime, and the Fastify peer's after as many. */
async function memoryPhase(redis: string, rts: readonly Runtime[], figures: Figures): Promise<void> {
  for (const runtime of rts) {
    const instance = await startHexauth(runtime, redis, {
      REDIS_KEY_PREFIX: `bench-long-${runtime.name.replace(/[^\w.-]/g, '-')}:`,
    })
    await new Promise((r) => setTimeout(r, 1000))
    const start = rssMb(instance.child.pid!)
    console.log(`\n== ${runtime.name}: /secret until ${RSS_REQUESTS} requests, for the RSS figure`)
    const served = loadUntil({ base: instance.url, token: await token(instance.url) }, RSS_REQUESTS)
    const end = rssMb(instance.child.pid!)
    await new Promise((r) => setTimeout(r, SETTLE_S * 1000))
    figures.rss[runtime.name] = { start, end, settled: rssMb(instance.child.pid!), served }
    instance.child.kill('SIGKILL')
  }
  const fastifyPid = Number(readFileSync(`${peersState}/fastify-peer.pid`, 'utf8'))
  figures.rss.fastify = await peerRss('fastify peer (node 20, as peers.sh starts it)', fastifyPid, '7002')
  // The runtime sets most of what RSS is after load (V8's young generation and heap growth):
  // hexauth on Node 24 is compared with the same peer on Node 24, with hexauth's V8 flags, and
  // as its authors start it (plain `node`).
  const node24 = rts.find((runtime) => runtime.name === 'node24')!.command
  for (const [name, command] of [['fastify-node24', node24], ['fastify-node24-plain', node24.slice(0, 1)]] as const) {
    const port = await freePort()
    const [file, ...args] = command
    const child = processes.spawn(file!, [...args, resolve(peersDir, 'fastify-peer.mjs')], {
      cwd: peersDir,
      env: { ...process.env, PORT: String(port), REDIS_URL: redis, BENCH_USER: USER, BENCH_PASS: PASS },
      stdio: 'ignore',
    })
    await callRetrying(`http://127.0.0.1:${port}/secret`) // any answer: it listens
    figures.rss[name] = await peerRss(`${name} (${command.join(' ')})`, child.pid!, String(port))
    child.kill('SIGKILL')
  }
}

/** The Fastify peer on `port`: RSS before, right after RSS_REQUESTS /secret requests, and settled. */
async function peerRss(what: string, pid: number, port: string): Promise<Figures['rss'][string]> {
  const start = rssMb(pid)
  console.log(`\n== ${what}: /secret until ${RSS_REQUESTS} requests`)
  const served = loadUntil({ base: `http://127.0.0.1:${port}`, token: peers('token', port) }, RSS_REQUESTS)
  const end = rssMb(pid)
  await new Promise((r) => setTimeout(r, SETTLE_S * 1000))
  return { start, end, settled: rssMb(pid), served }
}

await main()
process.exit(0) // the 'exit' handler stops every process this run started
