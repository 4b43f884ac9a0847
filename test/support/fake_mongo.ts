import { once } from 'node:events'
import { createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { BSON, type Document } from 'bson'

/** One command a client sent, as the server received it. */
export interface ReceivedCommand {
  readonly name: string
  readonly db: string
  readonly body: Document
}

/** A MongoDB wire-protocol server in this process, for the adapter's own code paths. */
export interface FakeMongo {
  /** A `MONGO_URL` that reaches it. */
  readonly url: string
  /** Every command received, in order (handshakes and heartbeats left out). */
  readonly commands: ReceivedCommand[]
  /** Drops every connection and stops listening, as a MongoDB that went away. */
  pause(): Promise<void>
  /** Listens again on the same port, with the same data. */
  resume(): Promise<void>
  stop(): Promise<void>
}

interface Index {
  readonly name: string
  readonly key: Document
  readonly unique: boolean
}

const OP_REPLY = 1
const OP_QUERY = 2004
const OP_MSG = 2013
const HANDSHAKE = new Set(['hello', 'ismaster', 'isMaster', 'ping', 'endSessions', 'buildInfo', 'getParameter'])

/**
 * Starts a fake MongoDB: enough of the wire protocol (OP_QUERY for the first handshake,
 * OP_MSG after) and of the commands mongoose's driver sends for hexauth's repositories (find,
 * insert, update, delete, findAndModify, createIndexes, listIndexes, dropDatabase), over
 * documents in memory, with unique indexes refusing duplicates with code 11000. It is no
 * MongoDB: the suites still run against a real one with `MONGO_URL`. What it gives is the
 * exact commands the adapter sends (filters, indexes) and a server that answers them, on a
 * machine where no MongoDB can be installed. Filters support equality, `$eq` and `$in` only;
 * anything else is refused, so a query the fake cannot judge fails loudly.
 */
export async function startFakeMongo(): Promise<FakeMongo> {
  const data = new Map<string, Document[]>() // "db.collection" → documents
  const indexes = new Map<string, Index[]>()
  const commands: ReceivedCommand[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    let buffer = Buffer.alloc(0)
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk])
      while (buffer.length >= 4 && buffer.length >= buffer.readInt32LE(0)) {
        const frame = buffer.subarray(0, buffer.readInt32LE(0))
        buffer = buffer.subarray(frame.length)
        const reply = answer(frame, { data, indexes, commands })
        if (reply !== undefined) socket.write(reply)
      }
    })
    socket.on('error', () => {})
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const halt = async () => {
    if (!server.listening) return
    for (const socket of sockets) socket.destroy()
    server.close()
    await once(server, 'close')
  }
  return {
    url: `mongodb://127.0.0.1:${port}/hexauth?directConnection=true`,
    commands,
    pause: halt,
    async resume() {
      server.listen(port, '127.0.0.1')
      await once(server, 'listening')
    },
    stop: halt,
  }
}

interface State {
  readonly data: Map<string, Document[]>
  readonly indexes: Map<string, Index[]>
  readonly commands: ReceivedCommand[]
}

function answer(frame: Buffer, state: State): Buffer | undefined {
  const requestId = frame.readInt32LE(4)
  const opCode = frame.readInt32LE(12)
  if (opCode === OP_QUERY) {
    // flags, then the collection name: a cstring, then skip and return counts, then the query.
    const nameEnd = frame.indexOf(0, 20)
    const query = BSON.deserialize(frame.subarray(nameEnd + 9))
    return replyQuery(requestId, run(query, frame.toString('utf8', 20, nameEnd).split('.')[0]!, state))
  }
  if (opCode !== OP_MSG) return undefined
  let offset = 20 // header, flag bits
  let body: Document = {}
  const sequences: Record<string, Document[]> = {}
  const end = frame.readUInt32LE(16) & 1 ? frame.length - 4 : frame.length // checksum present
  while (offset < end) {
    const kind = frame.readUInt8(offset++)
    const size = frame.readInt32LE(offset)
    if (kind === 0) body = BSON.deserialize(frame.subarray(offset, offset + size))
    else {
      const idEnd = frame.indexOf(0, offset + 4)
      const id = frame.toString('utf8', offset + 4, idEnd)
      const docs: Document[] = []
      for (let at = idEnd + 1; at < offset + size; at += frame.readInt32LE(at)) {
        docs.push(BSON.deserialize(frame.subarray(at, at + frame.readInt32LE(at))))
      }
      sequences[id] = docs
    }
    offset += size
  }
  const command = { ...body, ...sequences }
  return replyMsg(requestId, run(command, String(body.$db ?? 'admin'), state))
}

function run(command: Document, db: string, state: State): Document {
  const name = Object.keys(command)[0]!
  if (!HANDSHAKE.has(name)) state.commands.push({ name, db, body: command })
  try {
    return { ...execute(name, command, db, state), ok: 1 }
  } catch (error) {
    return { ok: 0, errmsg: (error as Error).message, code: 2, codeName: 'BadValue' }
  }
}

function execute(name: string, c: Document, db: string, state: State): Document {
  const ns = `${db}.${String(c[name])}`
  const docs = () => state.data.get(ns) ?? []
  switch (name) {
    case 'hello':
    case 'ismaster':
    case 'isMaster':
      return {
        helloOk: true,
        ismaster: true,
        isWritablePrimary: true,
        maxBsonObjectSize: 16 * 1024 * 1024,
        maxMessageSizeBytes: 48_000_000,
        maxWriteBatchSize: 100_000,
        localTime: new Date(),
        logicalSessionTimeoutMinutes: 30,
        connectionId: 1,
        minWireVersion: 0,
        maxWireVersion: 21,
        readOnly: false,
      }
    case 'ping':
    case 'endSessions':
    case 'killCursors':
      return {}
    case 'buildInfo':
      return { version: '8.0.0', versionArray: [8, 0, 0, 0] }
    case 'dropDatabase':
      for (const key of [...state.data.keys()]) if (key.startsWith(`${db}.`)) state.data.delete(key)
      return {}
    case 'createIndexes': {
      const list = state.indexes.get(ns) ?? [{ name: '_id_', key: { _id: 1 }, unique: true }]
      for (const index of c.indexes as Document[]) {
        if (!list.some((known) => known.name === index.name)) {
          list.push({ name: index.name, key: index.key, unique: index.unique === true })
        }
      }
      state.indexes.set(ns, list)
      return { createdCollectionAutomatically: false, numIndexesBefore: 1, numIndexesAfter: list.length }
    }
    case 'listIndexes':
      return cursor(
        ns,
        (state.indexes.get(ns) ?? []).map((i) => ({
          v: 2,
          key: i.key,
          name: i.name,
          ...i.unique && i.name !== '_id_' ? { unique: true } : {},
        })),
      )
    case 'find': {
      let found = docs().filter((doc) => matches(doc, c.filter ?? {}))
      if (c.sort !== undefined) found = sorted(found, c.sort)
      if (typeof c.limit === 'number' && c.limit > 0) found = found.slice(0, c.limit)
      return cursor(ns, found.map((doc) => structuredClone(doc)))
    }
    case 'insert': {
      const list = [...docs()]
      const writeErrors: Document[] = []
      ;(c.documents as Document[]).forEach((doc, index) => {
        const clash = uniqueClash(state.indexes.get(ns) ?? [], list, doc)
        if (clash === undefined) list.push(structuredClone(doc))
        else {writeErrors.push({
            index,
            code: 11000,
            errmsg: `E11000 duplicate key error collection: ${ns} index: ${clash}`,
          })}
      })
      state.data.set(ns, list)
      return { n: c.documents.length - writeErrors.length, ...writeErrors.length > 0 ? { writeErrors } : {} }
    }
    case 'update': {
      let n = 0
      for (const u of c.updates as Document[]) {
        for (const doc of docs().filter((d) => matches(d, u.q))) {
          applyUpdate(doc, u.u)
          n++
          if (u.multi !== true) break
        }
      }
      return { n, nModified: n }
    }
    case 'delete': {
      let n = 0
      for (const d of c.deletes as Document[]) {
        const list = docs()
        const doomed = list.filter((doc) => matches(doc, d.q)).slice(0, d.limit === 1 ? 1 : undefined)
        state.data.set(ns, list.filter((doc) => !doomed.includes(doc)))
        n += doomed.length
      }
      return { n }
    }
    case 'findAndModify': {
      const list = docs()
      const doc = list.find((d) => matches(d, c.query ?? {}))
      if (doc === undefined) return { value: null, lastErrorObject: { n: 0, updatedExisting: false } }
      if (c.remove === true) {
        state.data.set(ns, list.filter((d) => d !== doc))
        return { value: structuredClone(doc), lastErrorObject: { n: 1 } }
      }
      const before = structuredClone(doc)
      applyUpdate(doc, c.update)
      return { value: c.new === true ? structuredClone(doc) : before, lastErrorObject: { n: 1, updatedExisting: true } }
    }
    default:
      throw new Error(`the fake MongoDB does not know the command ${name}`)
  }
}

function cursor(ns: string, firstBatch: Document[]): Document {
  return { cursor: { id: BigInt(0) as unknown as Document, ns, firstBatch } }
}

function matches(doc: Document, filter: Document): boolean {
  return Object.entries(filter).every(([field, condition]) => {
    const value = doc[field]
    if (
      condition !== null && typeof condition === 'object' && !(condition instanceof Date) &&
      Object.keys(condition).some((k) => k.startsWith('$'))
    ) {
      return Object.entries(condition as Document).every(([op, operand]) => {
        if (op === '$eq') return equal(value, operand)
        if (op === '$in') return (operand as unknown[]).some((candidate) => equal(value, candidate))
        throw new Error(`the fake MongoDB does not know the operator ${op}`)
      })
    }
    return equal(value, condition)
  })
}

function equal(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime()
  return JSON.stringify(a) === JSON.stringify(b)
}

function sorted(docs: Document[], sort: Document): Document[] {
  const keys = Object.entries(sort)
  return [...docs].sort((x, y) => {
    for (const [key, direction] of keys) {
      const [a, b] = [x[key], y[key]]
      if (a < b) return -Number(direction)
      if (a > b) return Number(direction)
    }
    return 0
  })
}

function uniqueClash(indexes: readonly Index[], docs: readonly Document[], doc: Document): string | undefined {
  const unique = [
    { name: '_id_', key: { _id: 1 }, unique: true },
    ...indexes.filter((i) => i.unique && i.name !== '_id_'),
  ]
  return unique.find((index) =>
    docs.some((other) => Object.keys(index.key).every((field) => equal(other[field], doc[field])))
  )?.name
}

function applyUpdate(doc: Document, update: Document): void {
  for (const [op, fields] of Object.entries(update)) {
    if (op !== '$set') throw new Error(`the fake MongoDB does not know the update operator ${op}`)
    Object.assign(doc, fields)
  }
}

function header(length: number, responseTo: number, opCode: number): Buffer {
  const head = Buffer.alloc(16)
  head.writeInt32LE(length, 0)
  head.writeInt32LE(Math.floor(Math.random() * 2 ** 31), 4)
  head.writeInt32LE(responseTo, 8)
  head.writeInt32LE(opCode, 12)
  return head
}

function replyMsg(responseTo: number, doc: Document): Buffer {
  const body = Buffer.from(BSON.serialize(doc, { ignoreUndefined: true }))
  const payload = Buffer.concat([Buffer.alloc(4), Buffer.from([0]), body])
  return Buffer.concat([header(16 + payload.length, responseTo, OP_MSG), payload])
}

function replyQuery(responseTo: number, doc: Document): Buffer {
  const body = Buffer.from(BSON.serialize(doc, { ignoreUndefined: true }))
  const fixed = Buffer.alloc(20)
  fixed.writeInt32LE(1, 16) // one document returned
  const payload = Buffer.concat([fixed, body])
  return Buffer.concat([header(16 + payload.length, responseTo, OP_REPLY), payload])
}
