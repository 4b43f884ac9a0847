import { AuthError } from '../../domain/auth_error.ts'

// RFC 6750 §2.1: "Bearer" 1*SP b64token; we take exactly one space, so a garbled header is refused.
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i

/**
 * The token of an `Authorization: Bearer` header: `undefined` when there is no header,
 * `authorization_required` when it is not a well-formed bearer credential. The query string
 * is never read: tokens there end up in logs and browser history.
 */
export function readBearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined
  const match = BEARER.exec(header)
  if (match === null) {
    throw new AuthError('authorization_required', 'Cannot authorize: the Authorization header must be "Bearer <token>"')
  }
  return match[1]
}
