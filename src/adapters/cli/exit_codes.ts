import type { AuthErrorCode } from '../../domain/auth_error.ts'

/** Success. */
export const EX_OK = 0
/** The command line was wrong: unknown command or option, missing or extra argument (sysexits.h). */
export const EX_USAGE = 64
/** Something failed that no error code describes: a bug (sysexits.h). */
export const EX_SOFTWARE = 70
/** The configuration (environment) is invalid, as for the service (sysexits.h). */
export const EX_CONFIG = 78
/** The password prompt was interrupted with Ctrl-C (128 + SIGINT, as shells report it). */
export const EX_INTERRUPTED = 130

/**
 * The exit status of every error code, after sysexits.h: a code without one does not
 * compile. Codes only the HTTP transport raises are mapped too, so the table stays total.
 */
export const EXIT_CODE: Readonly<Record<AuthErrorCode, number>> = {
  invalid_request: 65, // EX_DATAERR
  unsupported_media_type: 65,
  payload_too_large: 65,
  username_taken: 73, // EX_CANTCREAT
  invalid_credentials: 77, // EX_NOPERM
  invalid_client: 77,
  rate_limited: 75, // EX_TEMPFAIL
  authorization_required: 77,
  invalid_token: 77,
  token_expired: 77,
  token_revoked: 77,
  token_reused: 77,
  fresh_token_required: 77,
  admin_required: 77,
  not_found: 67, // EX_NOUSER
  item_exists: 73,
  method_not_allowed: EX_USAGE,
  service_unavailable: 69, // EX_UNAVAILABLE
}
