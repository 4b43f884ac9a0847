import coBody from 'co-body'
import type { Context } from 'koa'
import { AuthError } from '../../domain/auth_error.ts'

/** Largest form accepted by `/introspect` and `/revoke`: hexauth's tokens are under 1 KiB. */
export const FORM_BODY_LIMIT = '16kb'

/** The fields of an RFC 7662 / RFC 7009 request. */
export interface TokenForm {
  readonly token: string
  readonly hint: string | undefined
}

const invalid = (why: string, cause?: unknown) => new AuthError('invalid_request', `Invalid request: ${why}`, { cause })

/**
 * Reads an `application/x-www-form-urlencoded` body holding exactly one `token` and at most
 * one `token_type_hint`. Every problem is the RFCs' `invalid_request` (400), a body too large
 * included: the two RFCs define no other code for a malformed request.
 */
export async function readTokenForm(ctx: Context): Promise<TokenForm> {
  if (!ctx.request.is('application/x-www-form-urlencoded')) {
    throw invalid('the body must be an application/x-www-form-urlencoded form with a "token" field')
  }
  let text: string
  try {
    text = await coBody.text(ctx, { limit: FORM_BODY_LIMIT })
  } catch (error) {
    const status = (error as { status?: unknown } | null)?.status
    throw invalid(
      status === 413 ? `the body is larger than ${FORM_BODY_LIMIT}` : 'the body cannot be read (encoding or charset)',
      error,
    )
  }
  const form = new URLSearchParams(text)
  const tokens = form.getAll('token')
  const hints = form.getAll('token_type_hint')
  if (tokens.length === 0 || tokens[0] === '') throw invalid('the form has no "token" field')
  if (tokens.length > 1) throw invalid('the form has more than one "token" field')
  if (hints.length > 1) throw invalid('the form has more than one "token_type_hint" field')
  return { token: tokens[0]!, hint: hints[0] }
}
