import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './redis_server.ts'

/** Local Redis processes a test owns, and how to stop them all. */
export interface Topology {
  /** The `REDIS_URL` that reaches it. */
  readonly url: string
  stop(): Promise<void>
}

/** A port whose cluster-bus port (port + 10000) is free too. */
async function clusterPort(): Promise<number> {
  for (;;) {
    const port = await freePort()
    if (port < 55_000) return port
  }
}

async function startServer(dir: string, args: readonly string[], ready: RegExp): Promise<ChildProcess> {
  const child = spawn('redis-server', [...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.on('data', (chunk) => {
    out += chunk
  })
  for (let i = 0; i < 100 && !ready.test(out); i++) await new Promise((r) => setTimeout(r, 50))
  if (!ready.test(out)) {
    child.kill('SIGKILL') // not in the caller's list yet: nothing else would stop it
    throw new Error(`redis-server ${args.join(' ')} did not start: ${out}`)
  }
  return child
}

async function stopAll(children: readonly ChildProcess[], dir: string): Promise<void> {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await once(child, 'exit')
    }
  }
  rmSync(dir, { recursive: true, force: true })
}

const CLUSTER_NODE = (port: number) => [
  '--port',
  String(port),
  '--bind',
  '127.0.0.1',
  '--cluster-enabled',
  'yes',
  '--cluster-config-file',
  `nodes-${port}.conf`,
  '--save',
  '',
  '--appendonly',
  'no',
  '--repl-diskless-sync-delay',
  '0',
]

/** Starts three primaries in `dir` (pushing them to `children`), forms the Cluster, answers their ports. */
async function formCluster(dir: string, children: ChildProcess[]): Promise<number[]> {
  const ports = [await clusterPort(), await clusterPort(), await clusterPort()]
  for (const port of ports) children.push(await startServer(dir, CLUSTER_NODE(port), /Ready to accept connections/))
  execFileSync('redis-cli', [
    '--cluster',
    'create',
    ...ports.map((p) => `127.0.0.1:${p}`),
    '--cluster-replicas',
    '0',
    '--cluster-yes',
  ], { stdio: 'ignore' })
  for (let i = 0; i < 100; i++) {
    const info = execFileSync('redis-cli', ['-p', String(ports[0]), 'cluster', 'info'], { encoding: 'utf8' })
    if (info.includes('cluster_state:ok')) break
    await new Promise((r) => setTimeout(r, 100))
  }
  return ports
}

/** Three primaries in a Redis Cluster on loopback (no replicas). */
export async function startRedisCluster(): Promise<Topology> {
  const dir = mkdtempSync(join(tmpdir(), 'hexauth-cluster-'))
  const children: ChildProcess[] = []
  let ports: number[]
  try {
    ports = await formCluster(dir, children)
  } catch (error) {
    await stopAll(children, dir)
    throw error
  }
  return { url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`, stop: () => stopAll(children, dir) }
}

/**
 * Three primaries in a Redis Cluster, and one replica, of the primary that serves `key`'s slot
 * only: a command for that slot sent to any other node finds no replica behind it. `key` has a
 * hash tag (`{…}`), as hexauth's keys in a Cluster do.
 */
export async function startRedisClusterWithReplica(key: string): Promise<ReplicatedRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'hexauth-cluster-'))
  const children: ChildProcess[] = []
  let ports: number[]
  let replica: number
  try {
    ports = await formCluster(dir, children)
    const cli = (port: number, ...args: string[]) =>
      execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' })
    const slot = Number(cli(ports[0]!, 'CLUSTER', 'KEYSLOT', key))
    // CLUSTER NODES lines: <id> <host:port@bus> <flags> <master> <ping> <pong> <epoch> <state> <slot ranges…>
    const owner = cli(ports[0]!, 'CLUSTER', 'NODES').trim().split('\n').map((line) => line.split(' ')).find((fields) =>
      fields.slice(8).some((range) => {
        const [from, to = from] = range.split('-').map(Number)
        return slot >= from! && slot <= to!
      })
    )!
    const ownerPort = Number(/:(\d+)@/.exec(owner[1]!)![1])
    replica = await clusterPort()
    children.push(await startServer(dir, CLUSTER_NODE(replica), /Ready to accept connections/))
    execFileSync('redis-cli', [
      '--cluster',
      'add-node',
      `127.0.0.1:${replica}`,
      `127.0.0.1:${ownerPort}`,
      '--cluster-slave',
      '--cluster-master-id',
      owner[0]!,
    ], { stdio: 'ignore' })
    await waitForReplica(ownerPort, replica, `${key}:settled`)
  } catch (error) {
    await stopAll(children, dir)
    throw error
  }
  const replicaChild = children.at(-1)!
  return {
    url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
    replicaUrl: `redis://127.0.0.1:${replica}`,
    pauseReplica: () => {
      replicaChild.kill('SIGSTOP')
    },
    resumeReplica: () => {
      replicaChild.kill('SIGCONT')
    },
    stop: () => stopAll(children, dir),
  }
}

/** A primary watched by one Sentinel (quorum 1), named `hexauth-primary`. */
export async function startRedisSentinel(): Promise<Topology> {
  const dir = mkdtempSync(join(tmpdir(), 'hexauth-sentinel-'))
  const [primary, sentinel] = [await freePort(), await freePort()]
  const children: ChildProcess[] = []
  try {
    children.push(
      await startServer(
        dir,
        ['--port', String(primary), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        /Ready to accept connections/,
      ),
    )
    writeFileSync(
      join(dir, 'sentinel.conf'),
      [
        `port ${sentinel}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor hexauth-primary 127.0.0.1 ${primary} 1`,
        'sentinel down-after-milliseconds hexauth-primary 5000',
      ].join('\n') + '\n',
    )
    children.push(await startServer(dir, [join(dir, 'sentinel.conf'), '--sentinel'], /Sentinel ID is|monitor master/))
  } catch (error) {
    await stopAll(children, dir)
    throw error
  }
  return { url: `redis+sentinel://127.0.0.1:${sentinel}/hexauth-primary`, stop: () => stopAll(children, dir) }
}

/** A primary and its replica, the replica hangable (SIGSTOP) like a slow or partitioned one. */
export interface ReplicatedRedis extends Topology {
  /** The replica's own `redis://` URL, to read what reached it. */
  readonly replicaUrl: string
  /** SIGSTOP: the replica stays connected to the primary but acknowledges nothing. */
  pauseReplica(): void
  /** SIGCONT after {@linkcode pauseReplica}. */
  resumeReplica(): void
}

/** A primary with one replica (plain replication, no Sentinel), once the replica is in sync. */
export async function startRedisReplicated(): Promise<ReplicatedRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'hexauth-replicated-'))
  const [primary, replica] = [await freePort(), await freePort()]
  const children: ChildProcess[] = []
  // No delay before a diskless full sync (5 s by default, waiting for more replicas).
  const common = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0']
  try {
    children.push(await startServer(dir, ['--port', String(primary), ...common], /Ready to accept connections/))
    children.push(
      await startServer(
        dir,
        ['--port', String(replica), ...common, '--replicaof', '127.0.0.1', String(primary)],
        /Ready to accept connections/,
      ),
    )
    await waitForReplica(primary, replica, 'hexauth-test:settled')
  } catch (error) {
    await stopAll(children, dir)
    throw error
  }
  const replicaChild = children[1]!
  return {
    url: `redis://127.0.0.1:${primary}`,
    replicaUrl: `redis://127.0.0.1:${replica}`,
    pauseReplica: () => {
      replicaChild.kill('SIGSTOP')
    },
    resumeReplica: () => {
      replicaChild.kill('SIGCONT')
    },
    stop: () => stopAll(children, dir),
  }
}

/**
 * Waits until `primary` has its replica on `replica` online and acknowledging writes
 * (`settleKey`: a key the primary serves, written once to see it acknowledged).
 */
async function waitForReplica(primary: number, replica: number, settleKey: string): Promise<void> {
  let online = false
  for (let i = 0; i < 200 && !online; i++) {
    const info = execFileSync('redis-cli', ['-p', String(primary), 'INFO', 'replication'], { encoding: 'utf8' })
    online = /^slave0:.*state=online/m.test(info)
    if (!online) await new Promise((r) => setTimeout(r, 50))
  }
  if (!online) throw new Error(`the replica on port ${replica} did not come in sync within 10 s`)
  // Just after its full sync a replica acknowledges the first write only with its next
  // once-a-second ACK: wait for that one here, so a test's first WAIT sees a steady replica.
  const settled = execFileSync('redis-cli', ['-p', String(primary)], {
    input: `SET ${settleKey} 1\nWAIT 1 5000\n`,
    encoding: 'utf8',
  })
  if (!/^1$/m.test(settled)) {
    throw new Error(`the replica on port ${replica} acknowledged nothing within 5 s: ${settled}`)
  }
}
