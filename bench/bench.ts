// `npm run bench`: hexauth against the peers of ../shared/bench (bare Koa; Fastify +
// @fastify/jwt + Redis), on this machine, in one run. Starts a redis-server, hexauth and the
// peers, measures with ../shared/bench/run.sh (wrk, or autocannon when wrk is missing) in
// interleaved rounds, prints a table of ratios and writes bench/RESULTS.md. Stops everything
// it started, by PID. Env: ROUNDS=3 DURATION=10 WARMUP=3 CONNECTIONS=50 RSS_REQUESTS=1000000
import { type ChildProcess, execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { freePort } from '../test/support/redis_server.ts'
import { type Measurement, median, runTarget, tool } from './measure.ts'
import { Processes } from './processes.ts'
import { call, callRetrying } from './setup_http.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const peersDir = resolve(root, '../shared/bench')
const ROUNDS = Number(process.env.ROUNDS ?? 3)
const HASH_CONCURRENCY = cpus().length // hexauth's ARGON2_CONCURRENCY default
const RSS_REQUESTS = Number(process.env.RSS_REQUESTS ?? 1_000_000)
const USER = 'bench'
const PASS = 'bench-password-123'
const SECRET = 'bench-only-secret-0123456789-abcdefghijklmnopq'
const PREFIX = 'bench:'
// Everything this run starts, killed on every way out of it (a crash and Ctrl-C included).
const processes = new Processes()
const peersState = `/tmp/hexauth-bench-peers-${process.pid}`

function peers(command: 'start' | 'stop' | 'token', port?: string): string {
  return execFileSync('bash', [resolve(peersDir, 'peers.sh'), command, ...port ? [port] : []], {
    env: { ...process.env, PEERS_STATE: peersState }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
  }).trim()
}

async function startHexauth(redisUrl: string, env: Record<string, string> = {}): Promise<{ url: string, child: ChildProcess }> {
  const port = await freePort()
  const child = processes.spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', JWT_SECRET: SECRET, REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: PREFIX, RATE_LIMIT: 'off', LOG_LEVEL: 'warn', REVOCATION_CACHE: 'on',
      ARGON2_MEMORY_KIB: '19456', ARGON2_TIME_COST: '2', ARGON2_PARALLELISM: '1', MALLOC_ARENA_MAX: '2', ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  child.stdout!.resume() // LOG_LEVEL=warn: only the memory-store warning is printed
  const url = `http://127.0.0.1:${port}`
  const health = await callRetrying(`${url}/healthz`)
  if (health.status !== 200) throw new Error(`hexauth answered /healthz with ${health.status}`)
  return { url, child }
}

/** A redis-server of this run's own on a free port, without persistence. */
async function startRedis(): Promise<string> {
  const port = await freePort()
  const child = processes.spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] })
  let output = ''
  child.stdout!.on('data', (chunk) => { output += chunk })
  for (let i = 0; i < 100 && !output.includes('Ready to accept connections'); i++) await new Promise((r) => setTimeout(r, 50))
  if (!output.includes('Ready to accept connections')) throw new Error(`redis-server did not start: ${output}`)
  return `redis://127.0.0.1:${port}`
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

/** Raw verifies per second with `concurrency` at once (hexauth hashes on cores - 1 by default). */
function argon2Rate(concurrency: number): number {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/argon2_rate.ts', process.env.DURATION ?? '10', String(concurrency)], { cwd: root, encoding: 'utf8' })
  return Number(/rate=([\d.]+)/.exec(out)![1])
}

async function main(): Promise<void> {
  const redis = { url: await startRedis() }
  const hex = await startHexauth(redis.url)
  const plain = await startHexauth(redis.url, { REVOCATION_CACHE: 'off' }) // every check a Redis MGET
  const rssStart = rssMb(hex.child.pid!)
  console.log(`hexauth on ${hex.url} (pid ${hex.child.pid}), redis on ${redis.url}; peers starting`)
  processes.onStop(() => peers('stop'))
  peers('start')
  const hexToken = await token(hex.url)
  const results: Record<string, Measurement[]> = {}
  const add = (name: string, m: Measurement) => (results[name] ??= []).push(m)

  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`\n== round ${round}/${ROUNDS}`)
    add('hexauth /secret', runTarget({ base: hex.url, token: hexToken }))
    add('hexauth /secret, REVOCATION_CACHE=off', runTarget({ base: plain.url, token: hexToken }))
    add('fastify /secret', runTarget({ base: 'http://127.0.0.1:7002', token: peers('token', '7002') }))
    add('koa /hello', runTarget({ base: 'http://127.0.0.1:7001', path: '/hello' }))
  }
  for (let round = 1; round <= ROUNDS; round++) {
    add('hexauth /login', runTarget({ base: hex.url, user: USER, pass: PASS }))
    add('fastify-owasp /login', runTarget({ base: 'http://127.0.0.1:7003', user: USER, pass: PASS }))
    add('argon2 verify bound', { rps: argon2Rate(HASH_CONCURRENCY), p50: NaN, p99: NaN })
    add('argon2 verify, all cores', { rps: argon2Rate(4), p50: NaN, p99: NaN })
  }
  for (let round = 1; round <= ROUNDS; round++) {
    add('hexauth /secret idle', runTarget({ base: hex.url, token: hexToken }))
    add('hexauth /secret under login storm', runTarget({ base: hex.url, token: hexToken }, { storm: { base: hex.url, user: USER, pass: PASS } }))
  }
  await revokeMany(redis.url, 100_000)
  for (let round = 1; round <= ROUNDS; round++) {
    add('hexauth /secret, 100k revoked', runTarget({ base: hex.url, token: hexToken }))
  }
  const rssWithRevocations = rssMb(hex.child.pid!)
  const rssAfterLogins = rssWithRevocations
  // The long run on an instance of its own, on a prefix of its own (none of the 100 000
  // revocations above, which the near-cache would load): /secret only, up to 1 000 000 requests.
  const long = await startHexauth(redis.url, { REDIS_KEY_PREFIX: 'bench-long:' })
  const longStart = rssMb(long.child.pid!)
  const served = await loadUntil(long.url, await token(long.url), RSS_REQUESTS)
  const rssEnd = rssMb(long.child.pid!)
  console.log(`RSS of the first instance after every phase, logins included: ${rssAfterLogins.toFixed(0)} MB (start ${rssStart.toFixed(0)} MB); with 100k revocations held: ${rssWithRevocations.toFixed(0)} MB`)

  const table = report(results, { rssStart: longStart, rssEnd, served, rssAfterLogins, firstStart: rssStart })
  console.log(`\n${table}`)
  writeFileSync(resolve(root, 'bench/RESULTS.md'), table)
}

async function revokeMany(url: string, count: number): Promise<void> {
  const client = new Redis(url)
  const exp = Math.floor(Date.now() / 1000) + 3600
  for (let done = 0; done < count; done += 10_000) {
    const pipeline = client.pipeline()
    for (let i = 0; i < 10_000; i++) pipeline.set(`${PREFIX}revoked:jti:${crypto.randomUUID()}`, '0', 'EXAT', exp)
    await pipeline.exec()
  }
  console.log(`\n== ${await client.dbsize()} keys in Redis after revoking ${count} tokens`)
  await client.quit()
}

async function loadUntil(base: string, bearer: string, requests: number): Promise<number> {
  let served = 0
  console.log(`\n== loading /secret until ${requests} requests have been served, for the RSS figure`)
  while (served < requests) served += runTarget({ base, token: bearer }, { duration: 30, warmup: 0, quiet: true }).requests ?? 0
  return served
}

interface RssFigures {
  readonly rssStart: number
  readonly rssEnd: number
  readonly served: number
  readonly rssAfterLogins: number
  readonly firstStart: number
}

function report(results: Record<string, Measurement[]>, rss: RssFigures): string {
  const m = (name: string) => ({ rps: median(results[name]!.map((r) => r.rps)), p99: median(results[name]!.map((r) => r.p99)) })
  const hex = m('hexauth /secret'); const fast = m('fastify /secret'); const koa = m('koa /hello')
  const login = m('hexauth /login'); const peerLogin = m('fastify-owasp /login'); const bound = m('argon2 verify bound')
  const idle = m('hexauth /secret idle'); const storm = m('hexauth /secret under login storm')
  const revoked = m('hexauth /secret, 100k revoked')
  const ok = (pass: boolean) => (pass ? 'met' : '**not met**')
  const rows = [
    ['/secret req/s vs Fastify peer', `${hex.rps.toFixed(0)} vs ${fast.rps.toFixed(0)}`, (hex.rps / fast.rps).toFixed(2), '≥ 1.0', ok(hex.rps >= fast.rps)],
    ['/secret req/s vs bare Koa', `${hex.rps.toFixed(0)} vs ${koa.rps.toFixed(0)}`, (hex.rps / koa.rps).toFixed(2), '≥ 0.8', ok(hex.rps >= 0.8 * koa.rps)],
    ['/secret req/s without the near-cache vs Fastify peer', `${m('hexauth /secret, REVOCATION_CACHE=off').rps.toFixed(0)} vs ${fast.rps.toFixed(0)}`, (m('hexauth /secret, REVOCATION_CACHE=off').rps / fast.rps).toFixed(2), '(info)', ''],
    ['/secret p99 vs Fastify peer (ms)', `${hex.p99} vs ${fast.p99}`, (hex.p99 / fast.p99).toFixed(2), '≤ 1.2', ok(hex.p99 <= 1.2 * fast.p99)],
    [`/login req/s vs raw argon2 bound (${HASH_CONCURRENCY} at once, as hexauth hashes)`, `${login.rps.toFixed(1)} vs ${bound.rps.toFixed(1)}`, (login.rps / bound.rps).toFixed(2), '≥ 0.9', ok(login.rps >= 0.9 * bound.rps)],
    ['/login req/s vs argon2 on every core (4 at once)', `${login.rps.toFixed(1)} vs ${m('argon2 verify, all cores').rps.toFixed(1)}`, (login.rps / m('argon2 verify, all cores').rps).toFixed(2), '(info)', ''],
    ['/login req/s vs Fastify peer (OWASP)', `${login.rps.toFixed(1)} vs ${peerLogin.rps.toFixed(1)}`, (login.rps / peerLogin.rps).toFixed(2), '(info)', ''],
    ['/secret p99 under login storm vs idle (ms)', `${storm.p99} vs ${idle.p99}`, (storm.p99 / idle.p99).toFixed(2), '≤ 2.0', ok(storm.p99 <= 2 * idle.p99)],
    ['/secret req/s, 100k revoked vs none', `${revoked.rps.toFixed(0)} vs ${idle.rps.toFixed(0)}`, (revoked.rps / idle.rps).toFixed(2), '≥ 0.9', ok(revoked.rps >= 0.9 * idle.rps)],
    [`RSS after ${rss.served} /secret requests vs start (MB)`, `${rss.rssEnd.toFixed(0)} vs ${rss.rssStart.toFixed(0)}`, (rss.rssEnd / rss.rssStart).toFixed(2), '≤ 150 MB', ok(rss.rssEnd <= 150)],
    ['RSS of the first instance after every phase: logins, storms, 100k revocations in its near-cache (MB)', `${rss.rssAfterLogins.toFixed(0)} vs ${rss.firstStart.toFixed(0)}`, (rss.rssAfterLogins / rss.firstStart).toFixed(2), '(info)', ''],
  ]
  const raw = Object.entries(results).map(([name, runs]) =>
    `| ${name} | ${runs.map((r) => r.rps.toFixed(r.rps < 100 ? 1 : 0)).join(' / ')} | ${runs.map((r) => Number.isNaN(r.p99) ? '–' : r.p99).join(' / ')} |`)
  return [
    '# hexauth benchmark results', '',
    `Run ${new Date().toISOString()} by \`npm run bench\`: ${ROUNDS} interleaved rounds, ${tool()} with ${process.env.CONNECTIONS ?? 50} connections, ${process.env.WARMUP ?? 3} s warm-up, ${process.env.DURATION ?? 10} s measured; medians of the rounds. Only ratios within this run mean anything: these machines are noisy.`, '',
    '## Machine', '', ...machine().map((line) => `- ${line}`), '',
    '## Targets', '', '| target | figures | ratio | goal | |', '|---|---|---:|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`), '',
    '## Every round', '', '| target | req/s per round | p99 ms per round |', '|---|---|---|', ...raw, '',
    'hexauth ran with `REVOCATION_CACHE=on` (and a second instance with it off, on the same Redis), `TOKEN_CACHE_SIZE=10000` (the default), `RATE_LIMIT=off`, `LOG_LEVEL=warn` (the Fastify peer logs nothing), Redis on loopback, argon2id m=19456 KiB t=2 p=1 (the peer on :7003 uses the same); the login storm is 8 connections of `POST /login` beside the measured `/secret` load.', '',
  ].join('\n')
}

function machine(): string[] {
  const version = (cmd: string, args: string[]) => {
    const run = spawnSync(cmd, args, { encoding: 'utf8' }) // wrk --version exits 1
    return run.error === undefined ? `${run.stdout}${run.stderr}`.split('\n')[0]!.trim() : 'not found'
  }
  const pkg = (name: string, dir = root) => {
    const file = resolve(dir, 'node_modules', name, 'package.json')
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version as string : '?'
  }
  return [
    `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}`,
    `${version('redis-server', ['--version'])}; ${version('wrk', ['--version']).slice(0, 40)}`,
    `hexauth: koa ${pkg('koa')}, @koa/router ${pkg('@koa/router')}, jose ${pkg('jose')}, ioredis ${pkg('ioredis')}, argon2 ${pkg('argon2')}`,
    `peers: fastify ${pkg('fastify', peersDir)}, @fastify/jwt ${pkg('@fastify/jwt', peersDir)}, koa ${pkg('koa', peersDir)}`,
  ]
}

await main()
process.exit(0) // the 'exit' handler stops every process this run started
