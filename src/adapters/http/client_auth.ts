import type { Middleware } from 'koa'
import { AuthError } from '../../domain/auth_error.ts'
import type { Clients } from '../client_config.ts'

const BASIC = /^Basic ([A-Za-z0-9+/]+={0,2})$/i

const refused = (why: string) => new AuthError('invalid_client', `Cannot authenticate the client: ${why}`)

/**
 * Requires HTTP Basic client authentication (RFC 6749 §2.3.1: id and secret form-encoded, then
 * base64) by one of `clients`; anything else is 401 `invalid_client` with a Basic challenge.
 * Checked before the body is read, so a refused call never revokes anything.
 */
export function requireClient(clients: Clients): Middleware {
  return async (ctx, next) => {
    const match = BASIC.exec(ctx.get('Authorization'))
    if (match === null) throw refused('HTTP Basic credentials (client id and secret) are required')
    const decoded = decodeBase64(match[1]!)
    const colon = decoded?.indexOf(':') ?? -1
    if (decoded === undefined || colon < 0) throw refused('the Basic credentials are not base64 of "id:secret"')
    const id = formDecode(decoded.slice(0, colon))
    const secret = formDecode(decoded.slice(colon + 1))
    if (id === undefined || secret === undefined || !clients.authenticate(id, secret)) {
      throw refused('unknown client or wrong secret')
    }
    await next()
  }
}

function decodeBase64(text: string): string | undefined {
  if (text.length % 4 !== 0) return undefined
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(atob(text), (c) => c.charCodeAt(0)))
  } catch {
    return undefined
  }
}

function formDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '))
  } catch {
    return undefined
  }
}
