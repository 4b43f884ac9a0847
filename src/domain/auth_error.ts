/**
 * Every error code hexauth answers with. Codes are stable API: clients branch on them,
 * so a code is never renamed, and adding one means mapping it to a status in the HTTP adapter.
 */
export type AuthErrorCode =
  | 'invalid_request'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'username_taken'
  | 'invalid_credentials'
  /** A resource server's HTTP Basic credentials are missing or wrong (RFC 6749 §5.2). */
  | 'invalid_client'
  | 'rate_limited'
  | 'authorization_required'
  | 'invalid_token'
  | 'token_expired'
  | 'token_revoked'
  | 'token_reused'
  | 'fresh_token_required'
  | 'admin_required'
  | 'not_found'
  | 'item_exists'
  | 'method_not_allowed'
  | 'service_unavailable'

/** Field name → why it was refused, for `invalid_request` errors. */
export type FieldErrors = Readonly<Record<string, string>>

/** Options of an {@linkcode AuthError}. */
export interface AuthErrorOptions {
  /** Per-field reasons, for `invalid_request`. */
  readonly fields?: FieldErrors
  /** What caused it (a driver error, say); never shown to a client. */
  readonly cause?: unknown
  /** For `rate_limited`: when to try again, in seconds. */
  readonly retryAfterSeconds?: number
}

/** The one error type the core throws; its `code` says what went wrong. */
export class AuthError extends Error {
  override readonly name = 'AuthError'
  readonly code: AuthErrorCode
  readonly fields: FieldErrors | undefined
  readonly retryAfterSeconds: number | undefined

  constructor(code: AuthErrorCode, message: string, options: AuthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.fields = options.fields
    this.retryAfterSeconds = options.retryAfterSeconds
  }
}

/** Whether `error` is an {@linkcode AuthError}, optionally with the given code. */
export function isAuthError(error: unknown, code?: AuthErrorCode): error is AuthError {
  return error instanceof AuthError && (code === undefined || error.code === code)
}
