import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { Feed } from '../../../src/adapters/container.ts'
import { call, register, startTestServer, TEST_SECRET, type TestServer } from '../../support/http_harness.ts'
import { redisServerOnPath } from '../../support/redis_server.ts'
import { startRedisCluster, type Topology } from '../../support/redis_topologies.ts'
import { requireOrSkip } from '../../support/requirements.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
// Far above the heartbeat (1 s) and resync (milliseconds) that bring the revocation in.
const PROPAGATION_BOUND_MS = 8000

/** hexauth's own `src/main.ts` as a second process, with `env`; resolves once it listens. */
async function startInstanceProcess(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      JWT_SECRET: TEST_SECRET,
      RATE_LIMIT: 'off',
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      WORKER_NICENESS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk) => {
    output += chunk
  })
  child.stderr!.on('data', (chunk) => {
    output += chunk
  })
  for (let i = 0; i < 300; i++) {
    const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]
    if (port !== undefined) return { url: `http://127.0.0.1:${port}`, child }
    if (child.exitCode !== null) break
    await new Promise((r) => setTimeout(r, 50))
  }
  child.kill('SIGKILL')
  throw new Error(`the second instance did not start: ${output}`)
}

/** The node and client id of the connection whose `CLIENT LIST` line matches `pattern`. */
function findClient(ports: readonly string[], pattern: RegExp): { port: string; id: string } {
  for (const port of ports) {
    const line = execFileSync('redis-cli', ['-p', port, 'CLIENT', 'LIST'], { encoding: 'utf8' }).split('\n').find((l) =>
      pattern.test(l)
    )
    const id = line === undefined ? undefined : /\bid=(\d+)/.exec(line)?.[1]
    if (id !== undefined) return { port, id }
  }
  throw new Error(`no connection matches ${pattern}`)
}

describe('The near-cache on a Redis Cluster whose subscriber connection is dropped', function () {
  this.timeout(60_000)
  let cluster: Topology
  let first: TestServer
  let second: { url: string; child: ChildProcess }

  before(async function () {
    requireOrSkip(
      this,
      'redis-server',
      redisServerOnPath(),
      'the Cluster suite needs redis-server on PATH (apt-get install redis-server)',
    )
    cluster = await startRedisCluster()
    // One signing secret for both: the process instance has a key ring of its own otherwise.
    const shared = { REDIS_URL: cluster.url, REDIS_KEY_PREFIX: `gap-${crypto.randomUUID()}:`, JWT_SECRET: TEST_SECRET }
    first = await startTestServer({ ...shared, REVOCATION_CACHE: 'on' })
    second = await startInstanceProcess({ ...shared, REVOCATION_CACHE: 'off' })
  })

  after(async () => {
    second?.child.kill('SIGTERM')
    if (second !== undefined && second.child.exitCode === null) await once(second.child, 'exit')
    await first?.close()
    await cluster?.stop()
  })

  it('refuses a token revoked through another instance while ioredis was replacing the connection', async () => {
    const feed = await first.container.getAsync(Feed)
    const { accessToken } = await register(first.url, 'cluster-gap')
    const deadline = Date.now() + 5000
    while (!feed.live && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect((await call(first.url, '/secret', { token: accessToken })).status).to.equal(200)
    const ports = cluster.url.replace('redis+cluster://', '').split(',').map((node) => node.split(':')[1]!)
    const subscriber = findClient(ports, /name=ioredis-cluster\(subscriber\):hexauth-feed .*\bsub=1\b/)
    // This process's event loop is held by the synchronous calls below: ioredis can neither
    // see the kill nor subscribe again until both are done, so the revocation lands in the
    // gap, as when a node drops the connection and ioredis silently replaces it.
    execFileSync('redis-cli', ['-p', subscriber.port, 'CLIENT', 'KILL', 'ID', subscriber.id])
    execFileSync(process.execPath, [
      '-e',
      `fetch(${JSON.stringify(`${second.url}/logout/access`)}, {
      method: 'POST', headers: { authorization: ${JSON.stringify(`Bearer ${accessToken}`)} },
    }).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(2))`,
    ])
    // No close, end or error reached the feed: it reconnected behind ioredis's back.
    const started = Date.now()
    let answer = 200
    while (answer === 200 && Date.now() - started < PROPAGATION_BOUND_MS) {
      answer = (await call(first.url, '/secret', { token: accessToken })).status
      if (answer === 200) await new Promise((r) => setTimeout(r, 20))
    }
    expect(answer, `still 200 after ${PROPAGATION_BOUND_MS} ms`).to.equal(401)
    // And from memory again, once resynced: the feed is live and knows it.
    while (!feed.live && Date.now() - started < PROPAGATION_BOUND_MS) await new Promise((r) => setTimeout(r, 20))
    expect(feed.live).to.equal(true)
    // Subscribed again on a new connection (client ids are per node: compare both).
    expect(findClient(ports, /name=ioredis-cluster\(subscriber\):hexauth-feed .*\bsub=1\b/)).to.not.deep.equal(
      subscriber,
    )
  })
})
