/** Where Redis is: one server, a Sentinel-managed primary, or a Cluster. */
export type RedisTarget =
  | { readonly mode: 'single'; readonly url: string }
  | {
    readonly mode: 'sentinel'
    readonly sentinels: readonly HostPort[]
    readonly name: string
    readonly auth: Auth
    readonly db: number
  }
  | { readonly mode: 'cluster'; readonly nodes: readonly HostPort[]; readonly auth: Auth }

/** A host and port. */
export interface HostPort {
  readonly host: string
  readonly port: number
}

interface Auth {
  readonly username?: string
  readonly password?: string
  readonly tls: boolean
}

const MULTI = /^(redis|rediss)\+(sentinel|cluster):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)(?:\/([^?#]*))?$/

/**
 * Reads `REDIS_URL`: `redis://` or `rediss://` for one server (ioredis parses it);
 * `redis+sentinel://[user:password@]host:port,host:port/<primary name>[/<db>]` for Sentinel;
 * `redis+cluster://[user:password@]host:port,host:port` for a Cluster (`rediss+…` for TLS).
 * Throws a `RangeError` naming what is wrong.
 */
export function parseRedisUrl(raw: string): RedisTarget {
  const match = MULTI.exec(raw)
  if (match === null) {
    let protocol = ''
    try {
      protocol = new URL(raw).protocol
    } catch {
      // reported below
    }
    if (protocol !== 'redis:' && protocol !== 'rediss:') {
      throw new RangeError(
        'must be redis://host:port, redis+sentinel://host:port,…/primary or redis+cluster://host:port,…',
      )
    }
    return { mode: 'single', url: raw }
  }
  const [, scheme, mode, username, password, hosts, path] = match
  const auth: Auth = {
    ...username ? { username: decodeURIComponent(username) } : {},
    ...password ? { password: decodeURIComponent(password) } : {},
    tls: scheme === 'rediss',
  }
  const nodes = hosts!.split(',').map(hostPort)
  if (mode === 'cluster') return { mode, nodes, auth }
  const [name, db = '0'] = (path ?? '').split('/')
  if (!name) throw new RangeError('must name the Sentinel primary: redis+sentinel://host:port,…/<primary name>')
  if (!/^\d{1,2}$/.test(db)) throw new RangeError('has a database number that is not 0 to 99')
  return { mode: 'sentinel', sentinels: nodes, name, auth, db: Number(db) }
}

function hostPort(part: string): HostPort {
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(part)
  const port = Number(match?.[2] ?? 6379)
  if (match === null || port < 1 || port > 65535) throw new RangeError(`has "${part}", which is not host:port`)
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port }
}

/**
 * The key prefix to use with `target`. In a Cluster every key hexauth reads in one command
 * must live in one slot, so the prefix becomes a hash tag: `{hexauth:}revoked:jti:…`.
 */
export function keyPrefixFor(target: RedisTarget, prefix: string): string {
  return target.mode === 'cluster' ? `{${prefix}}` : prefix
}
