import type { Redis } from 'ioredis'
import type { FeedEntry } from './local_revocations.ts'
import type { RedisClient } from './redis_client.ts'

// Answers each key's value and EXPIRETIME, flat (`[value1, expiry1, value2, …]`): one command
// per SCAN batch. A pipeline of GET and EXPIRETIME per key made ioredis allocate about 2 KB a
// key, which after a resync of 1 000 000 keys Node 24 kept as resident memory for minutes.
const LOAD_SCRIPT = `
local out = {}
for i, key in ipairs(KEYS) do
  out[2 * i - 1] = redis.call('GET', key)
  out[2 * i] = redis.call('EXPIRETIME', key)
end
return out`

/** The expiry given to a revocation key Redis holds without one: the latest a fingerprint can carry. */
export const NO_EXPIRY = 0xffffffff

/**
 * Reads every revocation key under `prefix` from every primary of `client` (in a Cluster the
 * keys share one hash tag, so one primary holds them) and hands each to `apply`.
 */
export async function scanRevocations(
  client: RedisClient,
  prefix: string,
  apply: (entry: FeedEntry) => void,
): Promise<void> {
  const nodes = 'nodes' in client ? client.nodes('master') : [client]
  for (const node of nodes) {
    let cursor = '0'
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', `${prefix}revoked:*`, 'COUNT', 1000)
      cursor = next
      if (found.length > 0) await load(node, found, prefix, apply)
    } while (cursor !== '0')
  }
}

async function load(
  node: Redis,
  found: readonly string[],
  prefix: string,
  apply: (entry: FeedEntry) => void,
): Promise<void> {
  // One primary holds every key (one hash tag), so one script may read them all.
  const replies = await node.eval(LOAD_SCRIPT, found.length, ...found) as Array<string | number | null>
  found.forEach((key, i) => {
    const value = replies[2 * i] as string | null
    const expiresAt = replies[2 * i + 1] as number
    const entry = parseKey(key, prefix)
    // -2: the key expired between SCAN and here. -1: a key with no expiry (set by hand, never
    // by hexauth): Redis says revoked for as long as it is there, so hold it for good.
    if (entry !== undefined && value !== null && expiresAt !== -2) {
      apply({ ...entry, value: Number(value), expiresAt: expiresAt === -1 ? NO_EXPIRY : expiresAt })
    }
  })
}

function parseKey(key: string, prefix: string): Pick<FeedEntry, 'kind' | 'id'> | undefined {
  // `s`: an id may hold a line break, which `.` would not match (and Redis-direct checks refuse that token).
  const match = /^revoked:(jti|fam|sub):(.+)$/s.exec(key.slice(prefix.length))
  return match === null ? undefined : { kind: match[1] as FeedEntry['kind'], id: match[2]! }
}
