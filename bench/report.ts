// The table `npm run bench` prints and writes to bench/RESULTS.md.
import { existsSync, readFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { cpus } from 'node:os'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Measurement, median, tool } from './measure.ts'
import type { Runtime } from './runtimes.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const peersDir = resolve(root, '../shared/bench')

/** Everything one run measured. */
/** Seconds both instances idle after the resync before their RSS is read: V8's memory reducer returns the resync's garbage by then. */
export const SETTLE_S = 40

export interface Figures {
  readonly results: Record<string, Measurement[]>
  readonly rss: Record<
    string,
    { readonly start: number; readonly end: number; readonly settled: number; readonly served: number }
  >
  readonly revocations: Record<
    string,
    {
      readonly resyncMs: number
      readonly entries: number
      readonly bytes: number
      readonly rssEmpty: number
      readonly rssFull: number
      readonly rssFullAtLive: number
    }
  >
  readonly hashConcurrency: number
  readonly runtimes: readonly Runtime[]
  readonly requests: number
  readonly revocationCount: number
}

type Row = readonly [what: string, figures: string, ratio: string, goal: string, verdict: string]

/** The Markdown report of `figures`. */
export function report(figures: Figures): string {
  const m = (name: string) => ({
    rps: median((figures.results[name] ?? []).map((r) => r.rps)),
    p99: median((figures.results[name] ?? []).map((r) => r.p99)),
  })
  const ok = (pass: boolean) => (pass ? 'met' : '**not met**')
  const fast = m('fastify /secret')
  const koa = m('koa /hello')
  const bound = m('argon2 verify bound')
  const rows: Row[] = []
  for (const { name } of figures.runtimes) {
    const hex = m(`hexauth /secret, ${name}`)
    const login = m(`hexauth /login, ${name}`)
    rows.push(
      [
        `${name}: /secret req/s vs Fastify peer`,
        `${hex.rps.toFixed(0)} vs ${fast.rps.toFixed(0)}`,
        (hex.rps / fast.rps).toFixed(2),
        '≥ 1.0',
        ok(hex.rps >= fast.rps),
      ],
      [
        `${name}: /secret req/s vs bare Koa`,
        `${hex.rps.toFixed(0)} vs ${koa.rps.toFixed(0)}`,
        (hex.rps / koa.rps).toFixed(2),
        '≥ 0.8',
        ok(hex.rps >= 0.8 * koa.rps),
      ],
      [
        `${name}: /secret p99 vs Fastify peer (ms)`,
        `${hex.p99} vs ${fast.p99}`,
        (hex.p99 / fast.p99).toFixed(2),
        '≤ 1.2',
        ok(hex.p99 <= 1.2 * fast.p99),
      ],
      [
        `${name}: /login req/s vs raw argon2 (${figures.hashConcurrency} at once, as hexauth hashes)`,
        `${login.rps.toFixed(1)} vs ${bound.rps.toFixed(1)}`,
        (login.rps / bound.rps).toFixed(2),
        '≥ 0.9',
        ok(login.rps >= 0.9 * bound.rps),
      ],
    )
    const none = m(`hexauth /secret, none revoked, ${name}`)
    const many = m(`hexauth /secret, ${figures.revocationCount} revoked, ${name}`)
    const rev = figures.revocations[name]
    if (rev !== undefined) {
      rows.push(
        [
          `${name}: /secret req/s, ${figures.revocationCount} revoked vs none`,
          `${many.rps.toFixed(0)} vs ${none.rps.toFixed(0)}`,
          (many.rps / none.rps).toFixed(2),
          '≥ 0.9',
          ok(many.rps >= 0.9 * none.rps),
        ],
        [
          `${name}: near-cache bytes per entry (${rev.entries} entries)`,
          `${rev.bytes} B`,
          (rev.bytes / rev.entries).toFixed(1),
          '≤ 32',
          ok(rev.bytes / rev.entries <= 32),
        ],
        [
          `${name}: RSS with ${figures.revocationCount} revocations held vs none, both settled ${SETTLE_S} s after the resync (MB)`,
          `${rev.rssFull.toFixed(0)} vs ${rev.rssEmpty.toFixed(0)}`,
          `${rev.rssFull >= rev.rssEmpty ? '+' : ''}${(rev.rssFull - rev.rssEmpty).toFixed(0)} MB`,
          '≤ +50 MB',
          ok(rev.rssFull - rev.rssEmpty <= 50),
        ],
        [
          `${name}: RSS right when the resync went live (its garbage not yet returned) (MB)`,
          `${rev.rssFullAtLive.toFixed(0)}`,
          '',
          '(info)',
          '',
        ],
        [
          `${name}: resync of ${figures.revocationCount} revocations (start to live)`,
          `${(rev.resyncMs / 1000).toFixed(1)} s`,
          '',
          '(info)',
          '',
        ],
      )
    }
  }
  const rss20 = figures.rss['node20+tsx']
  const rss24 = figures.rss.node24
  if (rss20 !== undefined) {
    rows.push([
      `node20+tsx: RSS after ${rss20.served} /secret requests vs start (MB)`,
      `${rss20.end.toFixed(0)} vs ${rss20.start.toFixed(0)}`,
      (rss20.end / rss20.start).toFixed(2),
      '≤ 150 MB',
      ok(rss20.end <= 150),
    ])
  }
  const peers: ReadonlyArray<readonly [key: string, what: string, goal: boolean]> = [
    ['fastify-node24', 'the Fastify peer on node24 with the same V8 flags', true],
    ['fastify-node24-plain', 'the Fastify peer on node24 as plain `node` starts it', false],
    ['fastify', 'the Fastify peer on node20 (peers.sh)', false],
  ]
  for (const [key, what, goal] of peers) {
    const peer = figures.rss[key]
    if (rss24 === undefined || peer === undefined) continue
    rows.push([
      `node24: RSS after ${rss24.served} /secret requests vs ${what}, after ${peer.served} (MB)`,
      `${rss24.end.toFixed(0)} vs ${peer.end.toFixed(0)} (starts ${rss24.start.toFixed(0)} vs ${
        peer.start.toFixed(0)
      })`,
      (rss24.end / peer.end).toFixed(2),
      goal ? '≤ 1.2' : '(info)',
      goal ? ok(rss24.end <= 1.2 * peer.end) : '',
    ])
  }
  for (const [name, rss] of Object.entries(figures.rss)) {
    rows.push([`${name}: RSS ${SETTLE_S} s after the load ended (MB)`, rss.settled.toFixed(0), '', '(info)', ''])
  }
  const storm = m('hexauth /secret under login storm')
  const idle = m('hexauth /secret idle')
  rows.push(
    [
      'node24: /secret p99 under a login storm vs idle (ms)',
      `${storm.p99} vs ${idle.p99}`,
      (storm.p99 / idle.p99).toFixed(2),
      '≤ 2.0',
      ok(storm.p99 <= 2 * idle.p99),
    ],
    [
      'node20+tsx: /secret req/s with REVOCATION_CACHE=off vs Fastify peer',
      `${m('hexauth /secret, REVOCATION_CACHE=off').rps.toFixed(0)} vs ${fast.rps.toFixed(0)}`,
      (m('hexauth /secret, REVOCATION_CACHE=off').rps / fast.rps).toFixed(2),
      '(info)',
      '',
    ],
    [
      '/login req/s of the Fastify peer (same OWASP parameters)',
      m('fastify-owasp /login').rps.toFixed(1),
      '',
      '(info)',
      '',
    ],
  )
  const raw = Object.entries(figures.results).map(([name, runs]) =>
    `| ${name} | ${runs.map((r) => r.rps.toFixed(r.rps < 100 ? 1 : 0)).join(' / ')} | ${
      runs.map((r) => Number.isNaN(r.p99) ? '–' : r.p99).join(' / ')
    } |`
  )
  return [
    '# hexauth benchmark results',
    '',
    `Run ${new Date().toISOString()} by \`npm run bench\`: interleaved rounds, ${tool()} with ${
      process.env.CONNECTIONS ?? 50
    } connections, ${process.env.WARMUP ?? 3} s warm-up, ${
      process.env.DURATION ?? 10
    } s measured; medians of the rounds. Only ratios within this run mean anything: these machines are noisy.`,
    '',
    '## Machine',
    '',
    ...machine().map((line) => `- ${line}`),
    '',
    '## Targets',
    '',
    '| target | figures | ratio | goal | |',
    '|---|---|---:|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    '## Every round',
    '',
    '| target | req/s per round | p99 ms per round |',
    '|---|---|---|',
    ...raw,
    '',
    `hexauth ran as its launchers start it (${
      figures.runtimes.map((r) => `\`${r.name}\`: ${[...r.command.slice(1), r.entry].join(' ')}`).join('; ')
    }), with the defaults users get: REVOCATION_CACHE on (REDIS_URL set; one more instance with it off), TOKEN_CACHE_SIZE=10000, the launchers' environment (MALLOC_ARENA_MAX=2, GLIBC_TUNABLES=glibc.malloc.hugetlb=1, UV_THREADPOOL_SIZE=16; the argon2 bound runs in a plain one), argon2id m=19456 KiB t=2 p=1 (the peer on :7003 uses the same), and RATE_LIMIT=off, LOG_LEVEL=warn (the Fastify peer neither limits nor logs). The login storm is 8 connections of \`POST /login\` beside the measured \`/secret\` load. The Fastify peer's RSS is read after it served the rounds above and then ${figures.requests} more requests.`,
    '',
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
    `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), the load generator on the same cores`,
    `${version('redis-server', ['--version'])}; ${version('wrk', ['--version']).slice(0, 40)}`,
    `hexauth: koa ${pkg('koa')}, @koa/router ${pkg('@koa/router')}, jose ${pkg('jose')}, ioredis ${
      pkg('ioredis')
    }, argon2 ${pkg('argon2')}`,
    `peers: fastify ${pkg('fastify', peersDir)}, @fastify/jwt ${pkg('@fastify/jwt', peersDir)}, koa ${
      pkg('koa', peersDir)
    }, on ${process.version}`,
  ]
}
