import { AuthError } from './auth_error.ts'
import type { TokenClaims } from './token_claims.ts'

/** Longest `X-CSRF-Token` value compared: hexauth's are 43 characters. */
export const CSRF_MAX_LENGTH = 128

/** A new CSRF value: 32 random bytes in base64url, one per login session. */
export function newCsrfValue(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32))
  return btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

/**
 * Whether `a` and `b` are equal, in a time that depends on their lengths only: a CSRF value
 * is never guessed one character at a time.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a)
  const y = new TextEncoder().encode(b)
  let difference = x.length ^ y.length
  for (let i = 0; i < x.length; i++) difference |= x[i]! ^ (y[i % Math.max(y.length, 1)] ?? 0)
  return difference === 0
}

/**
 * Checks the double-submit proof of a token that came in a cookie: `presented` (the
 * `X-CSRF-Token` header) must equal the token's `csrf` claim.
 * @throws `csrf_failed` when the claim is missing, the header is missing or empty, or they differ
 */
export function assertCsrf(claims: TokenClaims, presented: string | undefined): void {
  if (claims.csrf === undefined || claims.csrf === '') {
    throw new AuthError('csrf_failed', 'Cannot accept the cookie token: it carries no CSRF value, log in again')
  }
  if (presented === undefined || presented === '') {
    throw new AuthError('csrf_failed', 'Cannot accept the request: the X-CSRF-Token header is missing or empty')
  }
  if (presented.length > CSRF_MAX_LENGTH || !constantTimeEqual(presented, claims.csrf)) {
    throw new AuthError('csrf_failed', 'Cannot accept the request: the X-CSRF-Token header does not match the session')
  }
}
