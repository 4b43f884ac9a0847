import { once } from 'node:events'
import { createServer, type Server, type Socket } from 'node:net'

/** A fake Redis on loopback that answers like an old server, for what no package can install. */
export interface FakeRedis {
  readonly url: string
  /** What `INFO server` reports as `redis_version` from now on. */
  version: string
  /** What `INFO replication` answers from now on. */
  replication: string
  /** Commands received, upper-cased names with their arguments. */
  readonly received: string[][]
  /** Drops every connection, as a restart would: clients reconnect and handshake again. */
  dropConnections(): void
  close(): Promise<void>
}

/**
 * Starts a RESP server that speaks just enough for ioredis and hexauth's checks of the server:
 * `HELLO` is unknown (as before Redis 6), so ioredis falls back to RESP2; `CLIENT …`, `SELECT`,
 * `QUIT` answer OK; `PING`, `INFO`, `EXISTS`, `GET`, `MGET`, `SET` answer as an empty Redis
 * would; anything else is an unknown command.
 */
export async function startFakeRedis(version: string): Promise<FakeRedis> {
  const sockets = new Set<Socket>()
  const fake: FakeRedis = {
    url: '',
    version,
    replication: '# Replication\r\nrole:master\r\nconnected_slaves:0\r\n',
    received: [],
    dropConnections: () => {
      for (const socket of sockets) socket.destroy()
    },
    close: async () => {
      fake.dropConnections()
      server.close()
      await once(server, 'close')
    },
  }
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let buffered = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk])
      for (let parsed = parseCommand(buffered); parsed !== undefined; parsed = parseCommand(buffered)) {
        buffered = buffered.subarray(parsed.length)
        fake.received.push(parsed.command)
        socket.write(answer(fake, parsed.command))
        if (parsed.command[0] === 'QUIT') socket.end()
      }
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  return Object.assign(fake, { url: `redis://127.0.0.1:${port}` })
}

function answer(fake: FakeRedis, [name = '', ...args]: readonly string[]): string {
  const bulk = (text: string) => `$${Buffer.byteLength(text)}\r\n${text}\r\n`
  switch (name) {
    case 'CLIENT':
    case 'SELECT':
    case 'QUIT':
    case 'SET':
      return '+OK\r\n'
    case 'PING':
      return '+PONG\r\n'
    case 'EXISTS':
      return ':0\r\n'
    case 'GET':
      return '$-1\r\n'
    case 'MGET':
      return `*${args.length}\r\n${'$-1\r\n'.repeat(args.length)}`
    case 'INFO':
      return args[0]?.toLowerCase() === 'replication' ? bulk(fake.replication) : bulk(
        `# Server\r\nredis_version:${fake.version}\r\nredis_mode:standalone\r\n\r\n# Persistence\r\nloading:0\r\n`,
      )
    default:
      return `-ERR unknown command '${name}', with args beginning with: \r\n`
  }
}

/** One RESP array of bulk strings from the start of `buffer`, or `undefined` if incomplete. */
function parseCommand(buffer: Buffer): { command: string[]; length: number } | undefined {
  const line = (from: number) => {
    const end = buffer.indexOf('\r\n', from)
    return end === -1 ? undefined : { text: buffer.toString('utf8', from, end), next: end + 2 }
  }
  const header = line(0)
  if (header === undefined) return undefined
  const count = Number(header.text.slice(1))
  const command: string[] = []
  let at = header.next
  for (let i = 0; i < count; i++) {
    const size = line(at)
    if (size === undefined) return undefined
    const length = Number(size.text.slice(1))
    if (buffer.length < size.next + length + 2) return undefined
    command.push(buffer.toString('utf8', size.next, size.next + length))
    at = size.next + length + 2
  }
  command[0] = command[0]?.toUpperCase() ?? ''
  return { command, length: at }
}
