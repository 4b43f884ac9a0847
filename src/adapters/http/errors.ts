import type { Context } from 'koa'
import { AuthError, type AuthErrorCode } from '../../domain/auth_error.ts'
import type { Logger } from '../logger.ts'

/** The HTTP status of every error code: a code without one does not compile. */
export const STATUS: Readonly<Record<AuthErrorCode, number>> = {
  invalid_request: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  username_taken: 409,
  invalid_credentials: 401,
  invalid_client: 401,
  rate_limited: 429,
  authorization_required: 401,
  invalid_token: 401,
  token_expired: 401,
  token_revoked: 401,
  token_reused: 401,
  fresh_token_required: 401,
  admin_required: 403,
  csrf_failed: 403,
  not_found: 404,
  item_exists: 409,
  method_not_allowed: 405,
  service_unavailable: 503,
}

// RFC 6750 §3.1 error attribute per code; codes not listed send a bare challenge on 401.
const BEARER_ERROR: Partial<Record<AuthErrorCode, string>> = {
  invalid_token: 'invalid_token',
  token_expired: 'invalid_token',
  token_revoked: 'invalid_token',
  token_reused: 'invalid_token',
  fresh_token_required: 'insufficient_scope',
  admin_required: 'insufficient_scope',
}

// Errors that body parsing and routing throw with a status of their own.
const BY_STATUS: Readonly<Record<number, readonly [AuthErrorCode, string]>> = {
  400: ['invalid_request', 'Invalid request body: it is not a valid JSON object'],
  413: ['payload_too_large', 'Cannot read request body: it is larger than the limit'],
  415: ['unsupported_media_type', 'Cannot read request body: its charset or encoding is not supported'],
}

/**
 * The one place errors become HTTP: answers `thrown` with `{error, message}` (+ `fields`), the
 * status from {@linkcode STATUS}, an RFC 6750 challenge on token errors. Anything unexpected is
 * a 500 with a generic body, logged once; no stack or driver message reaches a client.
 */
export function answerError(ctx: Context, thrown: unknown, logger: Logger): void {
  const error = toAuthError(thrown)
  if (error === undefined) {
    logger.error({ err: thrown, method: ctx.method, path: pathOf(ctx) }, 'Unhandled error')
    ctx.status = 500
    ctx.body = { error: 'internal_error', message: 'Internal server error' }
    return
  }
  ctx.status = STATUS[error.code]
  ctx.body = error.fields === undefined
    ? { error: error.code, message: error.message }
    : { error: error.code, message: error.message, fields: error.fields }
  const challenge = bearerChallenge(error)
  if (challenge !== undefined) ctx.set('WWW-Authenticate', challenge)
  if (error.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(error.retryAfterSeconds))
}

/** The request's path for a log line; Koa's getter throws on a target it cannot parse. */
function pathOf(ctx: { readonly path: string }): string {
  try {
    return ctx.path
  } catch {
    return '(unparsable)'
  }
}

function toAuthError(thrown: unknown): AuthError | undefined {
  if (thrown instanceof AuthError) return thrown
  const status = (thrown as { status?: unknown } | null)?.status
  const known = typeof status === 'number' ? BY_STATUS[status] : undefined
  return known === undefined ? undefined : new AuthError(known[0], known[1], { cause: thrown })
}

function bearerChallenge(error: AuthError): string | undefined {
  // Clients authenticate with HTTP Basic: the challenge names that scheme (RFC 6749 §5.2).
  if (error.code === 'invalid_client') return 'Basic realm="hexauth"'
  const kind = BEARER_ERROR[error.code]
  if (kind === undefined) return STATUS[error.code] === 401 ? 'Bearer realm="hexauth"' : undefined
  // error_description admits printable ASCII except '"' and '\' (RFC 6750 §3).
  const description = error.message.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, "'")
  return `Bearer realm="hexauth", error="${kind}", error_description="${description}"`
}
