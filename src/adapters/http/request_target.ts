import type { Context } from 'koa'
import { AuthError } from '../../domain/auth_error.ts'

/**
 * Refuses a request target that is neither a path (`/…`) nor an absolute `http(s)` URL with
 * 400 `invalid_request` (thrown), before anything reads `ctx.path`. Koa parses the path with Node's
 * legacy `url.parse`, which prints a deprecation warning for an absolute target with a bad
 * port (`http://h:1http://h:1/x`, what a client that glues an origin in front of an absolute
 * target sends) and throws for a bad host (`http://[::1/x`); the URL parser of the web
 * platform refuses both, quietly.
 */
export function assertRequestTarget(ctx: Context): void {
  const target = ctx.req.url ?? ''
  if (!target.startsWith('/') && !isHttpUrl(target)) {
    throw new AuthError('invalid_request', 'Cannot read request target: it must be a path or an absolute http URL')
  }
  try {
    void ctx.path
  } catch (error) {
    throw new AuthError('invalid_request', 'Cannot read request target: its path is malformed', { cause: error })
  }
}

function isHttpUrl(target: string): boolean {
  if (!URL.canParse(target)) return false
  const { protocol } = new URL(target)
  return protocol === 'http:' || protocol === 'https:'
}
