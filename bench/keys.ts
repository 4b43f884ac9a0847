// `npm run bench:keys`: what the signing algorithm costs, ES256, EdDSA and HS256 side by side,
// in one run. For each, one hexauth (src/main.ts, memory stores, RATE_LIMIT=off) with the
// verified-token cache on (TOKEN_CACHE_SIZE default: a repeated token skips the signature
// check) and one with it off (every request verifies the signature), measured with
// ../shared/bench/run.sh (wrk) in interleaved rounds: GET /secret with one token, POST /login
// (argon2 plus signing two tokens). Also jose's raw sign and verify rates in this process.
// Writes bench/KEYS.md. Env: ROUNDS=3 DURATION=8 WARMUP=2 CONNECTIONS=50
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateKeyPair, generateSecret, jwtVerify, SignJWT } from 'jose'
import { freePort } from '../test/support/redis_server.ts'
import { type Measurement, median, runTarget, tool } from './measure.ts'
import { Processes } from './processes.ts'
import { call, callRetrying } from './setup_http.ts'
import { launcherEnv } from './runtimes.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const ROUNDS = Number(process.env.ROUNDS ?? 3)
const DURATION = Number(process.env.DURATION ?? 8)
const WARMUP = Number(process.env.WARMUP ?? 2)
const USER = 'bench'
const PASS = 'bench-password-123'
// Random per run: a hand-made one would be refused as weak (config's secret checks).
const SECRET = randomBytes(48).toString('base64')
const ALGS = ['ES256', 'EdDSA', 'HS256'] as const
const processes = new Processes()

async function startHexauth(alg: typeof ALGS[number], cache: boolean): Promise<string> {
  const port = await freePort()
  const child = processes.spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      RATE_LIMIT: 'off',
      LOG_LEVEL: 'error',
      ARGON2_MEMORY_KIB: '19456',
      ARGON2_TIME_COST: '2',
      ARGON2_PARALLELISM: '1',
      ...launcherEnv(root),
      ...alg === 'HS256' ? { JWT_SECRET: SECRET } : { JWT_ALGORITHM: alg },
      ...cache ? {} : { TOKEN_CACHE_SIZE: '0' },
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  void child
  const url = `http://127.0.0.1:${port}`
  if ((await callRetrying(`${url}/healthz`)).status !== 200) throw new Error(`hexauth ${alg} did not start`)
  return url
}

async function token(base: string): Promise<string> {
  await call(`${base}/registration`, 'POST', { username: USER, password: PASS })
  const login = await call(`${base}/login`, 'POST', { username: USER, password: PASS })
  if (login.status !== 200) throw new Error(`login on ${base} answered ${login.status}`)
  return (JSON.parse(login.text) as { access_token: string }).access_token
}

/** jose's own rate for `alg`, signing and verifying one token shape for `seconds` each. */
async function joseRates(alg: typeof ALGS[number], seconds = 2): Promise<{ sign: number; verify: number }> {
  const { privateKey, publicKey } = alg === 'HS256'
    ? { privateKey: await generateSecret('HS256'), publicKey: undefined }
    : await generateKeyPair(alg)
  const verifyKey = publicKey ?? privateKey
  const claims = {
    sub: crypto.randomUUID(),
    type: 'access',
    fresh: false,
    is_admin: false,
    fam: crypto.randomUUID(),
    preferred_username: 'bench',
  }
  const make = () =>
    new SignJWT(claims).setProtectedHeader({ alg, typ: 'at+jwt', kid: 'k' }).setIssuedAt().setExpirationTime('15m')
      .sign(privateKey)
  const rate = async (step: () => Promise<unknown>) => {
    let done = 0
    const end = performance.now() + seconds * 1000
    while (performance.now() < end) {
      await Promise.all(Array.from({ length: 16 }, step))
      done += 16
    }
    return done / seconds
  }
  const jwt = await make()
  return { sign: await rate(make), verify: await rate(() => jwtVerify(jwt, verifyKey, { algorithms: [alg] })) }
}

async function main(): Promise<void> {
  const targets: Record<string, { cached: string; uncached: string; token: string }> = {}
  for (const alg of ALGS) {
    const [cached, uncached] = [await startHexauth(alg, true), await startHexauth(alg, false)]
    targets[alg] = { cached, uncached, token: await token(cached) }
    await token(uncached)
  }
  const results: Record<string, Measurement[]> = {}
  const add = (name: string, m: Measurement) => (results[name] ??= []).push(m)
  const options = { duration: DURATION, warmup: WARMUP }
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`\n== round ${round}/${ROUNDS}`)
    for (const alg of ALGS) {
      const t = targets[alg]!
      add(`${alg} /secret, cache on`, runTarget({ base: t.cached, token: t.token }, options))
      // The same token on an instance without the cache: a signature check on every request.
      add(
        `${alg} /secret, TOKEN_CACHE_SIZE=0`,
        runTarget({ base: t.uncached, token: await token(t.uncached) }, options),
      )
      add(`${alg} /login`, runTarget({ base: t.cached, user: USER, pass: PASS }, options))
    }
  }
  const rates: Record<string, { sign: number; verify: number }> = {}
  for (const alg of ALGS) rates[alg] = await joseRates(alg) // one at a time: they share the cores
  const table = report(results, rates)
  console.log(`\n${table}`)
  writeFileSync(resolve(root, 'bench/KEYS.md'), table)
}

function report(
  results: Record<string, Measurement[]>,
  rates: Record<string, { sign: number; verify: number }>,
): string {
  const m = (name: string) => ({
    rps: median(results[name]!.map((r) => r.rps)),
    p99: median(results[name]!.map((r) => r.p99)),
  })
  const rows = ALGS.map((alg) => {
    const [cached, uncached, login] = [
      m(`${alg} /secret, cache on`),
      m(`${alg} /secret, TOKEN_CACHE_SIZE=0`),
      m(`${alg} /login`),
    ]
    return `| ${alg} | ${cached.rps.toFixed(0)} (p99 ${cached.p99} ms) | ${
      uncached.rps.toFixed(0)
    } (p99 ${uncached.p99} ms) | ${login.rps.toFixed(1)} (p99 ${login.p99} ms) | ${rates[alg]!.sign.toFixed(0)} | ${
      rates[alg]!.verify.toFixed(0)
    } |`
  })
  const raw = Object.entries(results).map(([name, runs]) =>
    `| ${name} | ${runs.map((r) => r.rps.toFixed(r.rps < 100 ? 1 : 0)).join(' / ')} | ${
      runs.map((r) => r.p99).join(' / ')
    } |`
  )
  return [
    '# Signing algorithms: what they cost',
    '',
    `Run ${new Date().toISOString()} by \`npm run bench:keys\` on ${cpus().length} cores (${
      cpus()[0]?.model ?? '?'
    }), Node ${process.version}: ${ROUNDS} interleaved rounds, ${tool()} with ${
      process.env.CONNECTIONS ?? 50
    } connections, ${WARMUP} s warm-up, ${DURATION} s measured; medians of the rounds. hexauth on memory stores, \`RATE_LIMIT=off\`, argon2id m=19456 KiB t=2 p=1, \`UV_THREADPOOL_SIZE=16\`. Only ratios within this run mean anything.`,
    '',
    '| algorithm | /secret req/s, verified-token cache on (default) | /secret req/s, TOKEN_CACHE_SIZE=0 (a signature check per request) | /login req/s | jose sign/s (this process) | jose verify/s |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    '## Every round',
    '',
    '| target | req/s per round | p99 ms per round |',
    '|---|---|---|',
    ...raw,
    '',
  ].join('\n')
}

await main()
process.exit(0) // the 'exit' handler stops every process this run started
